import Testing

@testable import ISVCCore

/// The upstream HTTP version of the gateway's clusters, as istiod decides it.
@Suite("Cluster upstream protocol")
struct ClusterProtocolTests {
    @Test(
        "a Service port's protocol follows appProtocol, else the name's prefix (ConvertProtocol)",
        arguments: [
            ("http2", nil, true), ("grpc-port", nil, true), ("GRPC", nil, true), ("grpc-web-x", nil, true),
            ("http2-istio", nil, true), ("h2c", nil, false), ("h2c", "kubernetes.io/h2c", true), ("http", nil, false),
            ("http-rest", nil, false), ("", nil, false), ("http2", "kubernetes.io/ws", false), ("grpc", "http", false),
            ("x", "grpc", true),
        ] as [(String, String?, Bool)])
    func portProtocol(_ name: String, _ appProtocol: String?, _ http2: Bool) {
        #expect(ServicePortProtocol.isHTTP2(name: name, appProtocol: appProtocol) == http2)
    }

    @Test("the plan's HTTP/2 ports and the local gateway's port 80")
    func http2Ports() {
        let service: Value = [
            "metadata": ["name": "r-00001", "namespace": "ns"],
            "spec": [
                "ports": [
                    ["name": "http2", "port": 81, "appProtocol": "kubernetes.io/h2c"], ["name": "http", "port": 80],
                    ["name": "grpc-dns", "port": 53, "protocol": "UDP"],
                ]
            ],
        ]
        #expect(
            ServicePortProtocol.http2Ports(services: [service], localGatewayHost: "lg.istio-system.svc.cluster.local")
                == ["r-00001.ns.svc.cluster.local:81", "lg.istio-system.svc.cluster.local:80"])
    }

    typealias Options = Envoy.HTTPProtocolOptions

    @Test("istiod's order: the port's protocol, the h2 upgrade, the pool's limits, then useClientProtocol")
    func options() {
        func options(_ pool: Value, http2: Bool) -> Options? { ClusterBuilder.httpProtocolOptions(pool: pool, http2Port: http2) }
        #expect(options([:], http2: false) == nil)
        #expect(options([:], http2: true) == Options(upstream: .http2(maxConcurrentStreams: nil)))
        // DO_NOT_UPGRADE does not undo an HTTP/2 port; UPGRADE makes an HTTP/1 port HTTP/2.
        #expect(
            options(["http": ["h2UpgradePolicy": "DO_NOT_UPGRADE"]], http2: true) == Options(upstream: .http2(maxConcurrentStreams: nil)))
        #expect(options(["http": ["h2UpgradePolicy": "UPGRADE"]], http2: false) == Options(upstream: .http2(maxConcurrentStreams: nil)))
        // maxConcurrentStreams lands on an HTTP/2 cluster only, but opens the (empty) common options either way.
        #expect(
            options(["http": ["maxConcurrentStreams": 50]], http2: false) == Options(upstream: .http1, common: .init()))
        #expect(
            options(["http": ["maxConcurrentStreams": 50]], http2: true)
                == Options(upstream: .http2(maxConcurrentStreams: 50), common: .init()))
        // The HTTP idle timeout wins over TCP's; requests per connection and the connection's lifetime.
        #expect(
            options(
                [
                    "http": ["idleTimeout": "30s", "maxRequestsPerConnection": 7],
                    "tcp": ["idleTimeout": "1h", "maxConnectionDuration": "10m"],
                ],
                http2: false)
                == Options(upstream: .http1, common: .init(idleTimeout: "30s", maxRequestsPerConnection: 7, maxConnectionDuration: "600s")))
        #expect(options(["tcp": ["idleTimeout": "1h"]], http2: false) == Options(upstream: .http1, common: .init(idleTimeout: "3600s")))
        // useClientProtocol: no upgrade, and the client's protocol even on an HTTP/2 port.
        #expect(
            options(["http": ["useClientProtocol": true, "h2UpgradePolicy": "UPGRADE"]], http2: false) == Options(upstream: .downstream))
        #expect(options(["http": ["useClientProtocol": true]], http2: true) == Options(upstream: .downstream))
    }

    @Test("every form decodes back from the Envoy config it renders")
    func roundTrip() throws {
        for o in [
            Options(upstream: .http1, common: .init(maxRequestsPerConnection: 3)), Options(upstream: .http2(maxConcurrentStreams: 9)),
            Options(upstream: .http2(maxConcurrentStreams: nil), common: .init()),
            Options(upstream: .downstream, common: .init(idleTimeout: "5s")),
        ] {
            let decoded = try EnvoyReader.read(o.value, path: "o", Options.init)
            #expect(decoded == o)
        }
    }
}
