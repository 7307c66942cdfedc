import Foundation
import Testing

@testable import ISVCCore

/// The typed Envoy model against the committed goldens: each fixture's typed config renders to the
/// golden's bytes, and the golden decodes back into the same typed config; a field the model does not
/// hold is refused, named.
@Suite("Typed Envoy model")
struct EnvoyModelTests {
    static let goldens = Golden.fixtureNames().filter { Golden.read("golden/\($0)/envoy.yaml") != nil }

    static func compile(_ name: String) -> Compiler.Result {
        let path = "fixtures/\(name).yaml"
        let text = Golden.read(path) ?? ""
        let options = FixtureOptions(text)
        var compilerOptions = Compiler.Options()
        compilerOptions.defaultNamespace = options.namespace
        compilerOptions.mode = options.mode
        return Compiler.compile([.init(path: path, text: text)], options: compilerOptions, diagnostics: Diagnostics(strict: options.strict))
    }

    static func value(ofYAML text: String) throws -> Value {
        let docs = YAMLReader.read(text: text, file: "envoy.yaml", diagnostics: Diagnostics())
        return Value(try #require(docs.first).root)
    }

    @Test("there are Envoy goldens")
    func some() { #expect(Self.goldens.count >= 20) }

    @Test("the typed config renders to the golden and the golden decodes to the typed config", arguments: goldens)
    func roundTrip(_ name: String) throws {
        let golden = try #require(Golden.read("golden/\(name)/envoy.yaml"))
        let typed = Compiler.envoyBootstrap(Self.compile(name), options: EnvoyOptions())
        #expect(YAMLWriter.document(typed.value) == golden)
        let decoded = try Envoy.Bootstrap(decoding: try Self.value(ofYAML: golden))
        #expect(decoded == typed)
        #expect(decoded.value == typed.value)
    }

    @Test("every kind of field the producers write decodes back to the same typed config")
    func coverage() throws {
        let path = "fixtures/support/envoy-coverage.yaml"
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: path, text: try #require(Golden.read(path)))], options: .init(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        let typed = Compiler.envoyBootstrap(result, options: EnvoyOptions())
        let decoded = try Envoy.Bootstrap(decoding: try Self.value(ofYAML: YAMLWriter.document(typed.value)))
        #expect(decoded == typed)
        // The input reaches the branches it is there for.
        let text = YAMLWriter.document(typed.value)
        for field in [
            "weighted_clusters", "regex_rewrite", "grpc_status", "request_mirror_policies", "cookie", "source_ip",
            "query_parameter", "maglev_lb_config", "ring_hash_lb_config", "max_requests_per_connection", "outlier_detection",
            "remote_jwks", "filename", "not_id", "present_match", "invert_match", "response_headers_to_remove",
            "http2_protocol_options", "max_concurrent_streams", "idle_timeout", "max_connection_duration",
            "use_downstream_protocol_config",
        ] {
            #expect(text.contains("\(field):"), "\(field)")
        }
    }

    /// A golden's Value with one change at `path` (keys and list indexes).
    static func edited(_ name: String, _ change: (inout Value) -> Void) throws -> Value {
        var v = try value(ofYAML: try #require(Golden.read("golden/\(name)/envoy.yaml")))
        change(&v)
        return v
    }

    static func firstRoute(_ v: inout Value, _ edit: (inout Value) -> Void) {
        var listeners = v[path: ["static_resources", "listeners"]]!.array!
        var chain = listeners[0]["filter_chains"]!.array![0]
        var hcm = chain["filters"]!.array![0]
        var vhosts = hcm[path: ["typed_config", "route_config", "virtual_hosts"]]!.array!
        var routes = vhosts[0]["routes"]!.array!
        edit(&routes[0])
        vhosts[0]["routes"] = .array(routes)
        hcm[path: ["typed_config", "route_config", "virtual_hosts"]] = .array(vhosts)
        chain["filters"] = [hcm]
        listeners[0]["filter_chains"] = [chain]
        v[path: ["static_resources", "listeners"]] = .array(listeners)
    }

    @Test("a field the model does not hold is refused, with its path")
    func unknownFields() throws {
        let route = "static_resources.listeners[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0]"
        let redirect = try Self.edited("sklearn-iris") { v in Self.firstRoute(&v) { $0["redirect"] = ["path_redirect": "/x"] } }
        #expect(throws: EnvoyDecodingError(path: "\(route).redirect", reason: "isvc does not represent this field")) {
            try Envoy.Bootstrap(decoding: redirect)
        }
        let range = try Self.edited("sklearn-iris") { v in
            Self.firstRoute(&v) { $0[path: ["match", "headers"]] = [["name": "x-odd", "range_match": ["start": 1, "end": 5]]] }
        }
        do {
            _ = try Envoy.Bootstrap(decoding: range)
            Issue.record("a range_match was accepted")
        } catch let error as EnvoyDecodingError {
            #expect(error.path == "\(route).match.headers[0].range_match")
            #expect(error.description.contains("string_match, present_match"))
        }
        let filter = try Self.edited("sklearn-iris") { v in
            v[path: ["static_resources", "clusters"]] = .array(
                v[path: ["static_resources", "clusters"]]!.array!.map { c in
                    var c = c
                    c["dns_lookup_family"] = "V4_ONLY"
                    return c
                })
        }
        #expect(
            throws: EnvoyDecodingError(path: "static_resources.clusters[0].dns_lookup_family", reason: "isvc does not represent this field")
        ) {
            try Envoy.Bootstrap(decoding: filter)
        }
        let badType = try Self.edited("sklearn-iris") { v in Self.firstRoute(&v) { $0[path: ["route", "timeout"]] = "soon" } }
        #expect(throws: EnvoyDecodingError(path: "\(route).route.timeout", reason: "\"soon\" is not a duration (like \"1.5s\")")) {
            try Envoy.Bootstrap(decoding: badType)
        }
    }

    @Test("a VirtualService match whose uri sets nothing matches every path, as istiod writes it")
    func emptyURI() {
        #expect(RouteTranslation(namespace: "default").routeMatch(["uri": [:]]).path == .prefix("/"))
    }

    @Test("a single route decodes from hand-written YAML values, oneofs checked")
    func route() throws {
        let r = try Envoy.Route(decoding: [
            "match": ["prefix": "/", "headers": [["name": "x", "present_match": true]]],
            "route": ["cluster": "c", "timeout": "1.5s"],
        ])
        #expect(r.match == Envoy.RouteMatch(.prefix("/"), headers: [Envoy.HeaderMatcher(name: "x", .present(true))]))
        #expect(r.route.destination == .cluster("c") && r.route.timeout?.seconds == 1.5)
        #expect(throws: EnvoyDecodingError.self) {
            try Envoy.Route(decoding: ["match": ["prefix": "/", "path": "/x"], "route": ["cluster": "c"]])
        }
    }
}
