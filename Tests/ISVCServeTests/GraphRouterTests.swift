import NIOConcurrencyHelpers
import Testing

@testable import ISVCServe

/// The InferenceGraph router against stand-in services (no sockets): each router type, dependencies,
/// conditions, the error bodies and statuses of KServe's cmd/router/main.go.
@Suite("GraphRouter: KServe's InferenceGraph router")
struct GraphRouterTests {
    /// Services by URL: each answers with a status and body, or throws; every call is recorded.
    final class Services: Sendable {
        typealias Handler = @Sendable ([UInt8]) async throws -> (Int, String)
        let handlers: [String: Handler]
        let calls = NIOLockedValueBox<[GraphRouter.StepCall]>([])

        init(_ handlers: [String: Handler]) { self.handlers = handlers }

        convenience init(answers: [String: (Int, String)]) {
            self.init(answers.mapValues { answer in { @Sendable _ in answer } })
        }

        func call(_ call: GraphRouter.StepCall) async throws -> (status: Int, body: [UInt8]) {
            calls.withLockedValue { $0.append(call) }
            guard let handler = handlers[call.url] else { throw StandInError.refused }
            let (status, body) = try await handler(call.body)
            return (status, Array(body.utf8))
        }

        var bodies: [String] { calls.withLockedValue { $0.map { String(decoding: $0.body, as: UTF8.self) } } }
        var urls: [String] { calls.withLockedValue { $0.map(\.url) } }
    }

    enum StandInError: Error, CustomStringConvertible {
        case refused
        var description: String { "dial tcp 10.0.0.1:80: connect: connection refused" }
    }

    static func router(_ graph: String, _ services: Services, headers: [String] = [], random: Int = 0) throws -> GraphRouter {
        try GraphRouter(graphJSON: graph, propagateHeaders: headers, caller: { try await services.call($0) }, random: { random })
    }

    static func send(_ router: GraphRouter, _ body: String, headers: [(name: String, value: String)] = []) async -> (Int, String, String?) {
        let answer = await router.handle(headers: headers, body: Array(body.utf8))
        return (answer.status, String(decoding: answer.body, as: UTF8.self), answer.headers.first { $0.name == "Content-Type" }?.value)
    }

    static func error(_ cause: String) -> String { #"{"error":"Failed to process request","cause":"\#(cause)"}"# }

    // MARK: Sequence

    @Test("Sequence: $response sends the previous response, $request (or nothing) the node's input; the last step answers")
    func sequenceData() async throws {
        let services = Services(answers: [
            "http://a": (200, #"{"predictions":[1]}"#), "http://b": (200, #"{"b":1}"#), "http://c": (201, "{\"c\": 2}"),
        ])
        let router = try Self.router(
            #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a","data":"$response"},{"serviceUrl":"http://b","data":"$response"},{"serviceUrl":"http://c","data":"$request"}]}},"resources":{}}"#,
            services)
        let (status, body, type) = await Self.send(router, #"{"instances":[0]}"#)
        #expect(status == 201 && body == "{\"c\": 2}" && type == "application/json")
        // The first step's $response is the node input (there is no previous response yet).
        #expect(services.bodies == [#"{"instances":[0]}"#, #"{"predictions":[1]}"#, #"{"instances":[0]}"#])
        #expect(services.urls == ["http://a", "http://b", "http://c"])
    }

    @Test("Sequence: mapPredictionsToInstances re-encodes predictions as Go does; otherwise the body is sent as it was")
    func sequenceMapping() async throws {
        let services = Services(answers: [
            "http://a": (200, #"{"predictions": [1.0, {"b": 2, "a": "<x>"}, 1e-7], "model": "m"}"#), "http://b": (200, "{}"),
            "http://c": (200, "{}"),
        ])
        let router = try Self.router(
            #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a"},{"serviceUrl":"http://b","data":"$response","mapPredictionsToInstances":true},{"serviceUrl":"http://c","mapPredictionsToInstances":true}]}}}"#,
            services)
        _ = await Self.send(router, #"{"predictions": []}"#)
        #expect(
            services.bodies == [#"{"predictions": []}"#, #"{"instances":[1,{"a":"\u003cx\u003e","b":2},1e-7]}"#, #"{"predictions": []}"#])
    }

    @Test("Sequence: a condition is tested on the previous response: none yet → 500 invalid response; no match → previous with 200")
    func sequenceCondition() async throws {
        let firstStep = try Self.router(
            #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a","condition":"instances"}]}}}"#,
            Services(answers: [:]))
        let (status, body, type) = await Self.send(firstStep, #"{"instances":[1]}"#)
        #expect(status == 500 && body == Self.error("invalid response") && type == "application/json")

        let graph = #"""
            {"nodes":{"root":{"routerType":"Sequence","steps":[
              {"serviceUrl":"http://a"},
              {"serviceUrl":"http://b","condition":"predictions.#(label==\"dog\")"}]}}}
            """#
        let cat = Services(answers: ["http://a": (503, #"{"predictions":[{"label":"cat"}]}"#), "http://b": (200, "{}")])
        let unmet = await Self.send(try Self.router(graph, cat), "{}")
        #expect(unmet.0 == 200 && unmet.1 == #"{"predictions":[{"label":"cat"}]}"#)
        #expect(cat.urls == ["http://a"])

        let dog = Services(answers: ["http://a": (200, #"{"predictions":[{"label":"dog"}]}"#), "http://b": (202, "{}")])
        let met = await Self.send(try Self.router(graph, dog), "{}")
        #expect(met.0 == 202 && dog.urls == ["http://a", "http://b"])

        let text = Services(answers: ["http://a": (200, "not json"), "http://b": (200, "{}")])
        let invalid = await Self.send(try Self.router(graph, text), "{}")
        #expect(invalid.0 == 500 && invalid.1 == Self.error("invalid response"))
    }

    @Test("Sequence: a Hard step that fails ends the node with its answer; a Soft one (or no dependency) does not")
    func sequenceDependency() async throws {
        let services = Services(answers: ["http://a": (404, "Not Found"), "http://b": (200, #"{"ok":true}"#)])
        let soft = try Self.router(
            #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a","dependency":"Soft"},{"serviceUrl":"http://b"}]}}}"#,
            services)
        let (status, body, _) = await Self.send(soft, "{}")
        #expect(status == 200 && body == #"{"ok":true}"#)

        let hard = try Self.router(
            #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a","dependency":"Hard"},{"serviceUrl":"http://b"}]}}}"#,
            services)
        let failed = await Self.send(hard, "{}")
        // Not JSON: Go's server sniffs the type.
        #expect(failed.0 == 404 && failed.1 == "Not Found" && failed.2 == "text/plain; charset=utf-8")
        #expect(services.urls == ["http://a", "http://b", "http://a"])
    }

    @Test("Sequence without steps: Go writes status 0 and panics, so no response")
    func emptySequence() async throws {
        let router = try Self.router(#"{"nodes":{"root":{"routerType":"Sequence"}}}"#, Services(answers: [:]))
        let answer = await router.handle(headers: [], body: [])
        #expect(answer.sendsNoResponse)
    }

    // MARK: Switch

    @Test("Switch: the first step whose condition exists gets the node's input; no match or invalid JSON → 404")
    func switchNode() async throws {
        let services = Services(answers: [
            "http://error": (404, #"{"detail":"Intentional 404 code"}"#),
            "http://success": (200, #"{"predictions":[{"message":"SUCCESS"}]}"#),
        ])
        let router = try Self.router(
            #"""
            {"nodes":{"root":{"routerType":"Switch","steps":[
              {"name":"rootStep1","serviceUrl":"http://error","condition":"[@this].#(decision_picker==ERROR)","dependency":"Hard"},
              {"name":"rootStep2","serviceUrl":"http://success","condition":"[@this].#(decision_picker==SUCCESS)"}]}}}
            """#, services)
        let success = await Self.send(router, #"{"decision_picker":"SUCCESS"}"#)
        #expect(success.0 == 200 && success.1 == #"{"predictions":[{"message":"SUCCESS"}]}"#)
        // A Hard step only logs: its answer is the node's.
        let error = await Self.send(router, #"{"decision_picker":"ERROR"}"#)
        #expect(error.0 == 404 && error.1 == #"{"detail":"Intentional 404 code"}"#)
        #expect(services.bodies == [#"{"decision_picker":"SUCCESS"}"#, #"{"decision_picker":"ERROR"}"#])

        let noMatch = Self.error("None of the routes matched with the switch condition")
        for input in [#"{"decision_picker":"FAILURE"}"#, "not json", ""] {
            let (status, body, type) = await Self.send(router, input)
            #expect(status == 404 && body == noMatch && type == "application/json", "\(input)")
        }
    }

    // MARK: Splitter

    @Test("Splitter: the draw against cumulative weights; nothing chosen → 500; a step without weight → no response")
    func splitter() async throws {
        let services = Services(answers: ["http://a": (200, #"{"a":1}"#), "http://b": (200, #"{"b":1}"#)])
        let graph =
            #"{"nodes":{"root":{"routerType":"Splitter","steps":[{"serviceUrl":"http://a","weight":20},{"serviceUrl":"http://b","weight":80}]}}}"#
        for (draw, expected) in [(0, #"{"a":1}"#), (19, #"{"a":1}"#), (20, #"{"b":1}"#), (99, #"{"b":1}"#)] {
            let (status, body, _) = await Self.send(try Self.router(graph, services, random: draw), "{}")
            #expect(status == 200 && body == expected, "draw \(draw)")
        }
        let short =
            #"{"nodes":{"root":{"routerType":"Splitter","steps":[{"serviceUrl":"http://a","weight":30},{"serviceUrl":"http://b","weight":20}]}}}"#
        let (status, body, _) = await Self.send(try Self.router(short, services, random: 50), "{}")
        #expect(status == 500 && body == Self.error("no route was selected by the splitter"))

        let unweighted =
            #"{"nodes":{"root":{"routerType":"Splitter","steps":[{"serviceUrl":"http://a","weight":10},{"serviceUrl":"http://b"}]}}}"#
        #expect(try await Self.router(unweighted, services, random: 5).handle(headers: [], body: []).status == 200)
        #expect(try await Self.router(unweighted, services, random: 50).handle(headers: [], body: []).sendsNoResponse)
    }

    // MARK: Ensemble

    @Test("Ensemble: answers merged under step names or indexes, re-encoded by Go, keys sorted; Soft failures included")
    func ensembleMerge() async throws {
        let services = Services(answers: [
            "http://a": (200, #"{"predictions": [1.0, 2.50, 12345678901234567890], "z": "<&>", "a": null}"#),
            "http://b": (404, #"{"detail":"Intentional 404 code"}"#), "http://c": (200, "null"),
        ])
        let router = try Self.router(
            #"{"nodes":{"root":{"routerType":"Ensemble","steps":[{"name":"rootStep1","serviceUrl":"http://a"},{"name":"rootStep2","serviceUrl":"http://b"},{"serviceUrl":"http://c"}]}}}"#,
            services)
        let (status, body, type) = await Self.send(router, #"{"instances":[1]}"#)
        #expect(status == 200 && type == "application/json")
        #expect(
            body
                == #"{"2":null,"rootStep1":{"a":null,"predictions":[1,2.5,12345678901234567000],"z":"\u003c\u0026\u003e"},"rootStep2":{"detail":"Intentional 404 code"}}"#
        )
        #expect(services.bodies == Array(repeating: #"{"instances":[1]}"#, count: 3))
    }

    @Test("Ensemble: a Hard step's failure is the node's answer (re-encoded); a body that is no JSON object fails with Go's message")
    func ensembleFailures() async throws {
        let hard = Services(answers: ["http://a": (200, "{}"), "http://b": (503, #"{"b": 1.50, "a": 1}"#)])
        let hardRouter = try Self.router(
            #"{"nodes":{"root":{"routerType":"Ensemble","steps":[{"serviceUrl":"http://a"},{"serviceUrl":"http://b","dependency":"Hard"}]}}}"#,
            hard)
        let (status, body, _) = await Self.send(hardRouter, "{}")
        #expect(status == 503 && body == #"{"a":1,"b":1.5}"#)

        for (answer, cause) in [
            ("Not Found", "invalid character 'N' looking for beginning of value"), ("", "unexpected end of JSON input"),
            ("[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
            (#"{"a":1e400}"#, "json: cannot unmarshal number 1e400 into Go value of type float64"),
        ] {
            let services = Services(answers: ["http://a": (200, "{}"), "http://b": (200, answer)])
            let router = try Self.router(
                #"{"nodes":{"root":{"routerType":"Ensemble","steps":[{"serviceUrl":"http://a"},{"serviceUrl":"http://b"}]}}}"#, services)
            let (status, body, _) = await Self.send(router, "{}")
            #expect(status == 500 && body == Self.error(cause), "\(answer)")
        }
        let none = try Self.router(#"{"nodes":{"root":{"routerType":"Ensemble"}}}"#, Services(answers: [:]))
        #expect(await Self.send(none, "{}") == (200, "{}", "application/json"))
    }

    @Test("Ensemble: steps run at once; a Hard failure answers without waiting for the slower steps")
    func ensembleConcurrency() async throws {
        let arrived = NIOLockedValueBox(0)
        let release = AsyncStream<Void>.makeStream()
        let services = Services([
            // Answers only once the other step has arrived too: the steps must be in flight together.
            "http://a": { _ in
                arrived.withLockedValue { $0 += 1 }
                for _ in 0..<500 where arrived.withLockedValue({ $0 }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
                return (500, #"{"failed":true}"#)
            },
            "http://b": { _ in
                arrived.withLockedValue { $0 += 1 }
                for await _ in release.stream { break }
                return (200, "{}")
            },
        ])
        let router = try Self.router(
            #"{"nodes":{"root":{"routerType":"Ensemble","steps":[{"serviceUrl":"http://a","dependency":"Hard"},{"serviceUrl":"http://b"}]}}}"#,
            services)
        let (status, body, _) = await Self.send(router, "{}")
        #expect(status == 500 && body == #"{"failed":true}"#)
        #expect(arrived.withLockedValue { $0 } == 2)
        release.continuation.finish()
    }

    // MARK: Nodes and errors

    @Test("nested nodes get the step's input; an error below becomes 500, even a nested Switch's 404")
    func nestedNodes() async throws {
        let services = Services(answers: ["http://a": (200, #"{"predictions":[2]}"#), "http://b": (200, #"{"done":1}"#)])
        let router = try Self.router(
            #"""
            {"nodes":{
              "root":{"routerType":"Sequence","steps":[{"nodeName":"pick"},{"nodeName":"pick","data":"$response","mapPredictionsToInstances":true}]},
              "pick":{"routerType":"Switch","steps":[{"serviceUrl":"http://a","condition":"instances.#(==1)"},{"serviceUrl":"http://b","condition":"instances.#(==2)"}]}}}
            """#, services)
        let (status, body, _) = await Self.send(router, #"{"instances":[1]}"#)
        #expect(status == 200 && body == #"{"done":1}"#)
        #expect(services.bodies == [#"{"instances":[1]}"#, #"{"instances":[2]}"#])

        let (nestedStatus, nestedBody, _) = await Self.send(router, #"{"other":1}"#)
        #expect(nestedStatus == 500 && nestedBody == Self.error("None of the routes matched with the switch condition"))

        let missing = try Self.router(#"{"nodes":{"root":{"routerType":"Sequence","steps":[{"nodeName":"nowhere"}]}}}"#, services)
        #expect(await Self.send(missing, "{}") == (500, Self.error("invalid route type: "), "application/json"))
        let unknown = try Self.router(#"{"nodes":{"root":{"routerType":"Broadcast"}}}"#, services)
        #expect(await Self.send(unknown, "{}").1 == Self.error("invalid route type: Broadcast"))
        let noRoot = try Self.router(#"{"nodes":{}}"#, services)
        #expect(await Self.send(noRoot, "{}").0 == 500)
        let cycle = try Self.router(#"{"nodes":{"root":{"routerType":"Sequence","steps":[{"nodeName":"root"}]}}}"#, services)
        #expect(await cycle.handle(headers: [], body: []).sendsNoResponse)
    }

    @Test("a failed step call answers 500 with the error as cause, in Go's client's words")
    func transportErrors() async throws {
        let services = Services([
            "http://given": { _ in throw GraphRouter.StepCallError(cause: "unexpected EOF") },
            "http://timeout": { _ in throw GraphRouter.StepCallError.transport(url: "http://timeout", "context deadline exceeded") },
        ])
        func answer(_ url: String) async throws -> (Int, String, String?) {
            let graph = #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"\#(url)"}]}}}"#
            return await Self.send(try Self.router(graph, services), "{}")
        }
        #expect(
            try await answer("http://m1.default.svc.cluster.local/v1/models/m1:predict") == (
                500,
                Self.error(
                    #"Post \"http://m1.default.svc.cluster.local/v1/models/m1:predict\": dial tcp 10.0.0.1:80: connect: connection refused"#
                ),
                "application/json"
            ))
        #expect(try await answer("http://given").1 == Self.error("unexpected EOF"))
        #expect(try await answer("http://timeout").1 == Self.error(#"Post \"http://timeout\": context deadline exceeded"#))
        // Refused by Go's client before any call.
        #expect(try await answer("").1 == Self.error(#"Post \"\": unsupported protocol scheme \"\""#))
        #expect(try await answer("m1.default/v1").1 == Self.error(#"Post \"m1.default/v1\": unsupported protocol scheme \"\""#))
        #expect(try await answer("ftp://m1/x").1 == Self.error(#"Post \"ftp://m1/x\": unsupported protocol scheme \"ftp\""#))
        #expect(try await answer("http:///x").1 == Self.error(#"Post \"http:///x\": http: no Host in request URL"#))
        #expect(services.urls == ["http://m1.default.svc.cluster.local/v1/models/m1:predict", "http://given", "http://timeout"])
    }

    // MARK: Headers

    @Test("PROPAGATE_HEADERS: canonical names matching a pattern travel, an invalid pattern is skipped; Content-Type is added")
    func headerPropagation() async throws {
        let services = Services(answers: ["http://a": (200, "{}")])
        let graph = #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a"}]}}}"#
        let inbound: [(name: String, value: String)] = [
            ("authorization", "Bearer t"), ("x-request-id", "r1"), ("X-B3-TraceId", "t1"), ("x-request-id", "r2"),
            ("Host", "ig.default.example.com"), ("Content-Length", "2"), ("Accept", "*/*"),
        ]
        let router = try Self.router(
            graph, services, headers: HeaderPropagation.patterns(environmentValue: "Authorization,^X-.*-Id$,*Trace-Id*"))
        #expect(router.headerPropagation.invalidPatterns == ["*Trace-Id*"])
        _ = await Self.send(router, "{}", headers: inbound)
        let sent = services.calls.withLockedValue { $0.last?.headers ?? [] }
        #expect(
            sent.map { "\($0.name): \($0.value)" } == [
                "Authorization: Bearer t", "X-Request-Id: r1", "X-Request-Id: r2", "Content-Type: application/json",
                "User-Agent: Go-http-client/1.1",
            ])

        // No PROPAGATE_HEADERS: nothing travels. An empty one is one empty pattern: everything but Host and framing.
        _ = await Self.send(try Self.router(graph, services), "{}", headers: inbound)
        #expect(services.calls.withLockedValue { $0.last?.headers.map(\.name) } == ["Content-Type", "User-Agent"])
        _ = await Self.send(
            try Self.router(graph, services, headers: HeaderPropagation.patterns(environmentValue: "")), "{}", headers: inbound)
        #expect(
            services.calls.withLockedValue { $0.last?.headers.map(\.name) } == [
                "Authorization", "X-Request-Id", "X-Request-Id", "X-B3-Traceid", "Accept", "Content-Type", "User-Agent",
            ])
        // A propagated Content-Type is kept.
        let typed = try Self.router(graph, services, headers: ["Content-Type"])
        _ = await Self.send(typed, "{}", headers: [("content-type", "application/x-ndjson")])
        #expect(services.calls.withLockedValue { $0.last?.headers.map(\.value) } == ["application/x-ndjson", "Go-http-client/1.1"])
    }

    // MARK: Answers and the spec

    @Test("the result's Content-Type: application/json only for valid JSON, else Go's sniffing, none for an empty body")
    func contentTypes() async throws {
        for (answer, type) in [
            (" {\"a\": 1} ", "application/json"), ("plain", "text/plain; charset=utf-8"), ("<html><body>", "text/html; charset=utf-8"),
            ("\u{0}\u{1}", "application/octet-stream"), ("", nil),
        ] as [(String, String?)] {
            let services = Services(answers: ["http://a": (200, answer)])
            let router = try Self.router(#"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceUrl":"http://a"}]}}}"#, services)
            #expect(await Self.send(router, "{}") == (200, answer, type), "\(answer)")
        }
    }

    @Test("the graph JSON as the controller writes it, and one that stops the router")
    func spec() throws {
        let spec = try GraphSpec.decode(
            graphJSON:
                #"{"nodes":{"root":{"routerType":"Sequence","steps":[{"serviceName":"m1","serviceUrl":"http://m1.default.svc.cluster.local/v1/models/m1:predict"},{"name":"s","nodeName":"n","data":"$response","mapPredictionsToInstances":true,"weight":5,"condition":"a.b","dependency":"Hard"}]}},"resources":{},"timeout":30,"routerTimeouts":{"serviceClient":10}}"#
        )
        let steps = try #require(spec.nodes["root"]?.steps)
        #expect(steps[0].serviceName == "m1" && steps[0].serviceUrl.hasSuffix("m1:predict") && steps[0].weight == nil)
        #expect(steps[1].name == "s" && steps[1].nodeName == "n" && steps[1].data == "$response" && steps[1].mapPredictionsToInstances)
        #expect(steps[1].weight == 5 && steps[1].condition == "a.b" && steps[1].dependency == "Hard")
        #expect(spec.timeout == 30 && spec.routerTimeouts?.serviceClient == 10 && spec.routerTimeouts?.effectiveServerIdle == 180)
        #expect(throws: GraphSpec.DecodeError(message: "unexpected end of JSON input")) { try GraphSpec.decode(graphJSON: #"{"nodes":"#) }
        #expect(throws: GraphSpec.DecodeError.self) { try GraphSpec.decode(graphJSON: #"{"nodes":{"root":{"steps":[{"weight":"5"}]}}}"#) }
        #expect(GraphRouter.readinessPath == "/readyz")
    }
}
