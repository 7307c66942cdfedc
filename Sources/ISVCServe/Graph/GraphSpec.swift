import Foundation
import ISVCCore

/// An InferenceGraph's spec as the router reads it from `--graph-json` (the controller's
/// `json.Marshal(ig.Spec)`, `serviceUrl`s already resolved). Only what the router uses is typed;
/// other fields (`resources`, `affinity`, ...) are ignored, as Go ignores unknown keys. Nothing is
/// validated beyond the types: like KServe's router, a graph without `root` or with an unknown
/// router type starts, and fails each request (`invalid route type: ...`).
public struct GraphSpec: Decodable, Sendable, Equatable {
    public var nodes: [String: Node]
    /// `routerTimeouts`, in seconds; a nil field takes the router's default.
    public var routerTimeouts: RouterTimeouts?
    /// `timeout`: the Knative revision's `timeoutSeconds` (not used by the router itself).
    public var timeout: Int64?

    public struct Node: Decodable, Sendable, Equatable {
        /// `Sequence`, `Splitter`, `Ensemble` or `Switch`; kept as written (anything else fails requests).
        public var routerType: String
        public var steps: [Step]

        enum CodingKeys: String, CodingKey { case routerType, steps }

        public init(routerType: String, steps: [Step]) {
            self.routerType = routerType
            self.steps = steps
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            routerType = try c.decodeIfPresent(String.self, forKey: .routerType) ?? ""
            steps = try c.decodeIfPresent([Step].self, forKey: .steps) ?? []
        }
    }

    public struct Step: Decodable, Sendable, Equatable {
        /// `name`: the Ensemble merge key (the step's index when empty).
        public var name: String = ""
        /// `nodeName`: route into that node (it wins over `serviceUrl`).
        public var nodeName: String = ""
        public var serviceName: String = ""
        public var serviceUrl: String = ""
        /// `$response` sends the previous step's response (Sequence, from the second step on).
        public var data: String = ""
        public var mapPredictionsToInstances: Bool = false
        /// Splitter weight (KServe's webhook requires it on every Splitter step).
        public var weight: Int64?
        /// A GJSON path.
        public var condition: String = ""
        /// `Hard` or `Soft` (empty and anything else act as Soft).
        public var dependency: String = ""

        enum CodingKeys: String, CodingKey {
            case name, nodeName, serviceName, serviceUrl, data, mapPredictionsToInstances, weight, condition, dependency
        }

        public init() {}

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
            nodeName = try c.decodeIfPresent(String.self, forKey: .nodeName) ?? ""
            serviceName = try c.decodeIfPresent(String.self, forKey: .serviceName) ?? ""
            serviceUrl = try c.decodeIfPresent(String.self, forKey: .serviceUrl) ?? ""
            data = try c.decodeIfPresent(String.self, forKey: .data) ?? ""
            mapPredictionsToInstances = try c.decodeIfPresent(Bool.self, forKey: .mapPredictionsToInstances) ?? false
            weight = try c.decodeIfPresent(Int64.self, forKey: .weight)
            condition = try c.decodeIfPresent(String.self, forKey: .condition) ?? ""
            dependency = try c.decodeIfPresent(String.self, forKey: .dependency) ?? ""
        }

        var isHard: Bool { dependency == "Hard" }
    }

    public struct RouterTimeouts: Decodable, Sendable, Equatable {
        public var serverRead: Int64?
        public var serverWrite: Int64?
        public var serverIdle: Int64?
        /// The step client's timeout; nil: none (Go's `http.DefaultClient`).
        public var serviceClient: Int64?

        /// The server's timeouts with KServe's defaults (read 60 s, write 60 s, idle 180 s).
        public var effectiveServerRead: Int64 { serverRead ?? 60 }
        public var effectiveServerWrite: Int64 { serverWrite ?? 60 }
        public var effectiveServerIdle: Int64 { serverIdle ?? 180 }
    }

    enum CodingKeys: String, CodingKey { case nodes, routerTimeouts, timeout }

    public init(nodes: [String: Node], routerTimeouts: RouterTimeouts? = nil, timeout: Int64? = nil) {
        self.nodes = nodes
        self.routerTimeouts = routerTimeouts
        self.timeout = timeout
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nodes = try c.decodeIfPresent([String: Node].self, forKey: .nodes) ?? [:]
        routerTimeouts = try c.decodeIfPresent(RouterTimeouts.self, forKey: .routerTimeouts)
        timeout = try c.decodeIfPresent(Int64.self, forKey: .timeout)
    }

    /// The router's refusal to start: the text is not a graph (Go's router logs
    /// `failed to unmarshall inference graph json` and exits 1).
    public struct DecodeError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { "failed to unmarshall inference graph json: \(message)" }
    }

    /// Decodes `--graph-json`.
    public static func decode(graphJSON: String) throws -> GraphSpec {
        let bytes = Array(graphJSON.utf8)
        if let syntax = GoJSONScanner.firstError(bytes) { throw DecodeError(message: syntax.message) }
        do {
            return try JSONDecoder().decode(GraphSpec.self, from: Data(bytes))
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
                .dataCorrupted(let context):
                throw DecodeError(message: describe(context))
            @unknown default:
                throw DecodeError(message: "\(error)")
            }
        }
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }
}
