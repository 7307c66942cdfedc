import Foundation
import ISVCCore

/// A workload that is KServe's InferenceGraph router: its container has no command and runs
/// `--graph-json <spec>` (KServe's router image); serve runs the router in process (`GraphRouter`).
public struct GraphWorkload: Sendable, Equatable {
    /// The graph as the controller wrote it into `--graph-json`.
    public var json: String
    /// `PROPAGATE_HEADERS`, split at commas (the router's patterns).
    public var propagateHeaders: [String]

    /// The router's settings, when `container` is KServe's router (and not given a command to run instead).
    public init?(container: Value) {
        guard container["command"]?.array?.isEmpty != false else { return nil }
        let args = container["args"]?.array?.compactMap(\.string) ?? []
        guard let i = args.firstIndex(of: "--graph-json"), i + 1 < args.count else { return nil }
        json = args[i + 1]
        let env = container["env"]?.array?.first { $0["name"]?.string == "PROPAGATE_HEADERS" }?["value"]?.string ?? ""
        propagateHeaders = env.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The hosts of the steps' `serviceUrl`s, which the router calls from inside the mesh.
    public var stepHosts: [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let nodes = object["nodes"] as? [String: Any]
        else { return [] }
        var hosts: Set<String> = []
        for case let node as [String: Any] in nodes.values {
            for case let step as [String: Any] in node["steps"] as? [Any] ?? [] {
                if let url = step["serviceUrl"] as? String, let host = URLComponents(string: url)?.host { hosts.insert(host) }
            }
        }
        return hosts.sorted()
    }
}
