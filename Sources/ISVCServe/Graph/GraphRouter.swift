import ISVCCore

/// KServe's InferenceGraph router (`cmd/router/main.go`) as a component: every request starts at the
/// node `root` with the request body (the path is ignored), steps call services through `caller`,
/// and the answer is what the Go router writes: the graph's result, or
/// `{"error":"Failed to process request","cause":"..."}`.
///
/// It has no sockets: the caller sends a step's request (`POST` to `StepCall.url`) and returns the
/// status and body (the router drops a step's response headers). `/readyz` is the router's readiness
/// path (200, or 503 `shutting down` while draining), not routed through the graph.
public struct GraphRouter: Sendable {
    /// One step's request: `POST url` with these headers and body. Go's client also sends
    /// `Accept-Encoding: gzip` (and decompresses the answer) and its own `Host` and `Content-Length`.
    public struct StepCall: Sendable {
        public var url: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// The router's response. Status 0 means the Go router writes no response at all (it panics and
    /// net/http drops the connection): a Sequence node without steps (`WriteHeader(0)`), a Splitter
    /// step without weight (nil dereference), or, here, a graph that recurses deeper than
    /// `maxNodeDepth` (where Go would exhaust its stack and crash).
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
        public var sendsNoResponse: Bool { status == 0 }
    }

    /// What a caller throws for a failed step call; `cause` becomes the error body's cause verbatim.
    /// Another error thrown by the caller is written as Go's client would: `Post "<url>": <error>`.
    public struct StepCallError: Error, Sendable, Equatable {
        public var cause: String
        public init(cause: String) { self.cause = cause }

        /// A transport failure in Go's words: `Post "http://m/v1/models/m:predict": dial tcp ...`.
        public static func transport(url: String, _ reason: String) -> StepCallError {
            StepCallError(cause: "Post \(GraphRouter.goQuote(url)): \(reason)")
        }
    }

    /// Sends one step's request; throws on transport failure (the router answers 500 with the error as
    /// cause). Go's client has no timeout unless `spec.routerTimeouts?.serviceClient` (seconds) is set;
    /// it then fails with `context deadline exceeded (Client.Timeout exceeded while awaiting headers)`.
    public typealias Caller = @Sendable (StepCall) async throws -> (status: Int, body: [UInt8])

    public static let readinessPath = "/readyz"
    /// Nested `nodeName` steps deeper than this answer with no response (see `Answer`).
    public static let maxNodeDepth = 1000

    public let spec: GraphSpec
    public let headerPropagation: HeaderPropagation
    let caller: Caller
    let random: @Sendable () -> Int

    /// - Parameters:
    ///   - graphJSON: the router's `--graph-json` argument.
    ///   - propagateHeaders: `PROPAGATE_HEADERS` split on commas (`HeaderPropagation.patterns(environmentValue:)`).
    ///   - random: the Splitter's draw, 0..<100 (Go: `crypto/rand`).
    public init(
        graphJSON: String, propagateHeaders: [String], caller: @escaping Caller,
        random: @escaping @Sendable () -> Int = { Int.random(in: 0..<100) }
    ) throws {
        self.init(spec: try GraphSpec.decode(graphJSON: graphJSON), propagateHeaders: propagateHeaders, caller: caller, random: random)
    }

    public init(
        spec: GraphSpec, propagateHeaders: [String], caller: @escaping Caller,
        random: @escaping @Sendable () -> Int = { Int.random(in: 0..<100) }
    ) {
        self.spec = spec
        self.headerPropagation = HeaderPropagation(patterns: propagateHeaders)
        self.caller = caller
        self.random = random
    }

    /// Routes one request (any path and method but the readiness path).
    public func handle(headers: [(name: String, value: String)], body: [UInt8]) async -> Answer {
        let outbound = headerPropagation.propagated(headers)
        switch await route("root", input: body, headers: outbound, depth: 0) {
        case .failure(let status, let cause):
            return Answer(status: status, headers: [("Content-Type", "application/json")], body: Self.errorBody(cause))
        case .abort:
            return Answer(status: 0, headers: [], body: [])
        case .response(let body, let status):
            guard (100...999).contains(status) else { return Answer(status: 0, headers: [], body: []) }
            if GoJSONScanner.isValid(body) {
                return Answer(status: status, headers: [("Content-Type", "application/json")], body: body)
            }
            let sniffed = GoContentSniffer.detect(body).map { [("Content-Type", $0)] } ?? []
            return Answer(status: status, headers: sniffed, body: body)
        }
    }

    /// `prepareErrorResponse`: the router's error body.
    static func errorBody(_ cause: String) -> [UInt8] {
        var out = Array(#"{"error":"Failed to process request","cause":"#.utf8)
        GoJSONValue.writeString(Array(cause.utf8), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// What a node (or a step) produced.
    enum Outcome: Sendable {
        /// A body and status to pass on (Go: no error).
        case response(body: [UInt8], status: Int)
        /// Go's `err != nil`: answered with the error body and this status.
        case failure(status: Int, cause: String)
        /// The Go router would panic: no response.
        case abort
    }

    /// `callService`: one `POST` to a step's URL. Go's client refuses a URL without an http(s) scheme
    /// or without a host before sending anything.
    func call(_ url: String, body: [UInt8], headers: [(name: String, value: String)]) async -> Outcome {
        if let refusal = Self.clientRefusal(url) { return .failure(status: 500, cause: refusal) }
        var sent = headers
        if sent.first(where: { $0.name == "Content-Type" })?.value.isEmpty ?? true {
            sent.append(("Content-Type", "application/json"))
        }
        if !sent.contains(where: { $0.name == "User-Agent" }) { sent.append(("User-Agent", "Go-http-client/1.1")) }
        do {
            let (status, answer) = try await caller(StepCall(url: url, headers: sent, body: body))
            return .response(body: answer, status: status)
        } catch let error as StepCallError {
            return .failure(status: 500, cause: error.cause)
        } catch {
            return .failure(status: 500, cause: StepCallError.transport(url: url, "\(error)").cause)
        }
    }

    /// Go's `url.Parse` scheme rules and `http.Transport`'s checks, in Go's words.
    static func clientRefusal(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        var scheme = ""
        var rest = url[...]
        schemeScan: for (i, c) in bytes.enumerated() {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): continue
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if i == 0 { break schemeScan }
            case UInt8(ascii: ":"):
                if i == 0 { return "parse \(goQuote(url)): missing protocol scheme" }
                scheme = String(decoding: bytes[..<i], as: UTF8.self).lowercased()
                rest = Substring(String(decoding: bytes[(i + 1)...], as: UTF8.self))
                break schemeScan
            default: break schemeScan
            }
        }
        let post = "Post \(goQuote(url)): "
        guard scheme == "http" || scheme == "https" else { return post + "unsupported protocol scheme \(goQuote(scheme))" }
        guard rest.hasPrefix("//") else { return post + "http: no Host in request URL" }
        let authority = rest.dropFirst(2).prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        return host.isEmpty ? post + "http: no Host in request URL" : nil
    }

    /// Go's `%q` (`strconv.Quote`) for the texts it quotes here.
    static func goQuote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let digits = String(scalar.value, radix: 16)
                    out += (digits.count < 2 ? "\\x0" : "\\x") + digits
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
