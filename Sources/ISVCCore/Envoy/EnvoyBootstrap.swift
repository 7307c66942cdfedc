/// The ingress gateway's Envoy v3 configuration that istiod would push for a plan, written as a static
/// bootstrap a real Envoy loads: one listener per gateway server (`0.0.0.0_8080`) with an HTTP
/// connection manager and route config `http.<port>`, virtual hosts `host:port`, routes translated
/// from the VirtualServices in order, and `outbound|port||host` clusters with Istio's defaults and the
/// DestinationRules' overrides. Endpoints are static loopback addresses (`EnvoyOptions.endpoints`).
public enum EnvoyBootstrap {
    public static func make(_ model: GatewayModel, options: EnvoyOptions) -> Value {
        var clusters: [String: (host: String, port: Int, subset: String?)] = [:]
        var listeners: [Value] = []
        // Gateways on the same pod port share one listener (istiod merges their servers).
        let ports = model.servers.map(\.listenerPort).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        for port in ports {
            let servers = model.servers.filter { $0.listenerPort == port }
            var virtualHosts: [Value] = []
            for server in servers {
                virtualHosts += self.virtualHosts(for: server, model: model, clusters: &clusters)
                    .filter { $0["name"]?.string?.hasPrefix("blackhole:") != true }
            }
            if virtualHosts.isEmpty { virtualHosts = [["name": .string("blackhole:\(servers[0].port)"), "domains": ["*"]]] }
            listeners.append(listener(servers[0], virtualHosts: virtualHosts, options: options))
        }
        let security = SecurityFilters(requestAuthentications: model.requestAuthentications,
                                       authorizationPolicies: model.authorizationPolicies)
        for (name, c) in security.jwksClusters { clusters[name] = (c.host, c.port, nil) }
        let securityFilters = [security.jwtFilter()].compactMap { $0 } + security.rbacFilters()
        if !securityFilters.isEmpty {
            for i in listeners.indices {
                var filters = listeners[i][path: ["filter_chains"]]?.array?.first?[path: ["filters"]]?.array?.first?[path: ["typed_config", "http_filters"]]?.array ?? []
                filters.insert(contentsOf: securityFilters, at: 0)
                var chain = listeners[i]["filter_chains"]!.array![0]
                var hcm = chain["filters"]!.array![0]
                hcm[path: ["typed_config", "http_filters"]] = .array(filters)
                chain["filters"] = [hcm]
                listeners[i]["filter_chains"] = [chain]
            }
        }
        let clusterValues: [Value] = clusters.keys.sorted().map { name in
            let c = clusters[name]!
            return ClusterBuilder(destinationRules: model.destinationRules)
                .cluster(name: name, host: c.host, port: c.port, subset: c.subset,
                         endpoint: options.endpoints[name].map { ($0.address, $0.port) }
                             ?? endpoint(for: c.host, port: c.port, model: model, options: options))
        }
        return [
            "admin": ["address": ["socket_address": ["address": .string(options.adminAddress), "port_value": .int(options.adminPort)]]],
            "static_resources": ["listeners": .array(listeners), "clusters": .array(clusterValues)],
        ]
    }

    /// Where a service's cluster points: `--endpoint`, else the gateway's own local listener for the
    /// local gateway service (KServe's top-level route hops through it), else loopback on the port.
    static func endpoint(for host: String, port: Int, model: GatewayModel, options: EnvoyOptions) -> (String, Int) {
        if let e = options.endpoints[host] { return (e.address, e.port) }
        let loopback = options.listenAddress == "0.0.0.0" ? "127.0.0.1" : options.listenAddress
        if host.hasPrefix("knative-local-gateway."), let local = model.servers.first(where: { $0.gateway.hasSuffix("/knative-local-gateway") }) {
            return (loopback, local.listenerPort + options.portOffset)
        }
        return ("127.0.0.1", port)
    }

    static func listener(_ server: GatewayModel.Server, virtualHosts: [Value], options: EnvoyOptions) -> Value {
        let name = "0.0.0.0_\(server.listenerPort)"
        return [
            "name": .string(name),
            "address": ["socket_address": ["address": .string(options.listenAddress),
                                           "port_value": .int(server.listenerPort + options.portOffset)]],
            "filter_chains": [[
                "filters": [[
                    "name": "envoy.filters.network.http_connection_manager",
                    "typed_config": [
                        "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                        "stat_prefix": .string("outbound_\(name)"),
                        "use_remote_address": true,
                        "forward_client_cert_details": "SANITIZE_SET",
                        "route_config": [
                            "name": .string("http.\(server.listenerPort)"),
                            "virtual_hosts": .array(virtualHosts),
                            "validate_clusters": false,
                            "ignore_port_in_host_matching": true,
                            "max_direct_response_body_size_bytes": 1_048_576,
                        ],
                        "http_filters": [
                            ["name": "envoy.filters.http.fault",
                             "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"]],
                            ["name": "envoy.filters.http.cors",
                             "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"]],
                            ["name": "envoy.filters.http.router",
                             "typed_config": ["@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"]],
                        ],
                    ],
                ]],
            ]],
        ]
    }

    /// The virtual hosts of one gateway server: every host of every VirtualService bound to the
    /// gateway, with the VirtualServices' routes for it in order (several VirtualServices for one
    /// host append; catch-all routes go last); hosts with identical routes share one virtual host.
    static func virtualHosts(for server: GatewayModel.Server, model: GatewayModel,
                             clusters: inout [String: (host: String, port: Int, subset: String?)]) -> [Value] {
        var hostRoutes: [(host: String, routes: [Value])] = []
        for vs in model.virtualServices {
            let ns = vs[path: ["metadata", "namespace"]]?.string ?? "default"
            let translation = RouteTranslation(namespace: ns)
            let gateways = (vs[path: ["spec", "gateways"]]?.array?.compactMap(\.string) ?? ["mesh"]).map(translation.qualify)
            let matchGateways = (vs[path: ["spec", "http"]]?.array ?? []).flatMap { ($0["match"]?.array ?? []).compactMap { $0["gateways"]?.array } }
                .flatMap { $0.compactMap(\.string) }.map(translation.qualify)
            guard gateways.contains(server.gateway) || matchGateways.contains(server.gateway) else { continue }
            var routes: [Value] = []
            for http in vs[path: ["spec", "http"]]?.array ?? [] {
                let translated = translation.routes(for: http, gateway: server.gateway, vsGateways: gateways)
                routes += translated
                for d in http["route"]?.array ?? [] {
                    let dest = d["destination"] ?? [:]
                    let host = translation.fqdn(dest["host"]?.string ?? "")
                    let port = dest[path: ["port", "number"]]?.int ?? 80
                    let subset = dest["subset"]?.string
                    if !translated.isEmpty {
                        clusters[RouteTranslation.clusterName(host: host, port: port, subset: subset)] = (host, port, subset)
                    }
                }
                if let mirror = http["mirror"], let host = mirror["host"]?.string, !translated.isEmpty {
                    let h = translation.fqdn(host), port = mirror[path: ["port", "number"]]?.int ?? 80
                    clusters[RouteTranslation.clusterName(host: h, port: port, subset: mirror["subset"]?.string)] = (h, port, mirror["subset"]?.string)
                }
            }
            guard !routes.isEmpty else { continue }
            for host in vs[path: ["spec", "hosts"]]?.array?.compactMap(\.string) ?? [] where host != "mesh" && server.admits(host) {
                let h = host.lowercased()
                if let i = hostRoutes.firstIndex(where: { $0.host == h }) {
                    hostRoutes[i].routes += routes
                } else {
                    hostRoutes.append((h, routes))
                }
            }
        }
        // Catch-all routes (no match beyond "/") move after the others of their host.
        func isCatchAll(_ r: Value) -> Bool {
            r[path: ["match", "prefix"]] == "/" && r[path: ["match", "headers"]] == nil && r[path: ["match", "query_parameters"]] == nil
        }
        var vhosts: [(name: String, domains: [String], routes: [Value])] = []
        for (host, routes) in hostRoutes {
            let sorted = routes.filter { !isCatchAll($0) } + routes.filter(isCatchAll)
            if let i = vhosts.firstIndex(where: { $0.routes == sorted }) {
                vhosts[i].domains.append(host)
            } else {
                vhosts.append(("\(host):\(server.port)", [host], sorted))
            }
        }
        if vhosts.isEmpty {
            return [["name": .string("blackhole:\(server.port)"), "domains": ["*"]]]
        }
        return vhosts.map { v in
            ["name": .string(v.name), "domains": .array(v.domains.map { .string($0) }), "routes": .array(v.routes)]
        }
    }
}
