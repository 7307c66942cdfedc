import ISVCCore
import Testing

@testable import ISVCServe

/// What serve says at start about the gateway's clusters it does not run as Envoy would.
@Suite("Serve plan: cluster warnings")
struct ServePlanWarningTests {
    static func plan(_ yaml: String) throws -> ServePlan {
        let d = Diagnostics()
        let result = Compiler.compile([.init(path: "plan.yaml", text: yaml)], options: .init(), diagnostics: d)
        #expect(!d.hasErrors, "\(d.all.map(\.formatted))")
        return try ServePlan(result)
    }

    static let grpc = """
        apiVersion: serving.kserve.io/v1beta1
        kind: InferenceService
        metadata:
          name: custom-model-grpc
        spec:
          predictor:
            containers:
              - name: kserve-container
                image: kserve/custom-model-grpc:latest
                command: [python3, -m, server]
                ports:
                  - name: h2c
                    containerPort: 8081
        """

    @Test("an h2c revision's HTTP/2 cluster needs no warning: serve speaks h2c to it")
    func http2() throws {
        #expect(try Self.plan(Self.grpc).warnings.isEmpty)
    }

    @Test("an HTTP/1 plan has nothing to say; connection-pool limits from a DestinationRule are named")
    func limits() throws {
        let rest = Self.grpc.replacingOccurrences(of: "  - name: h2c\n", with: "  - name: http1\n")
        #expect(try Self.plan(rest).warnings.isEmpty)
        let dr = """
            ---
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: pool
              namespace: default
            spec:
              host: custom-model-grpc-predictor-00001
              trafficPolicy:
                connectionPool:
                  http:
                    idleTimeout: 30s
                    useClientProtocol: true
            """
        let warnings = try Self.plan(rest + "\n" + dr).warnings
        #expect(
            warnings == [
                "cluster outbound|80||custom-model-grpc-predictor-00001.default.svc.cluster.local: Envoy speaks the client's HTTP version to its endpoints, serve always HTTP/1.1; serve does not apply idle_timeout 30s"
            ])
    }
}
