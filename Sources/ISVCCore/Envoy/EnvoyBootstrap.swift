/// The ingress gateway's Envoy v3 configuration that istiod would push for a plan, written as a static
/// bootstrap a real Envoy loads: one listener per gateway server (`0.0.0.0_8080`) with an HTTP
/// connection manager and route config `http.<port>`, virtual hosts `host:port`, routes translated
/// from the VirtualServices in order, and `outbound|port||host` clusters with Istio's defaults and the
/// DestinationRules' overrides. Endpoints are static loopback addresses (`EnvoyOptions.endpoints`).
public enum EnvoyBootstrap {
    public static func make(_ model: GatewayModel, options: EnvoyOptions) -> Envoy.Bootstrap {
        var clusters: [String: (host: String, port: Int, subset: String?)] = [:]
        let security = SecurityFilters(
            requestAuthentications: model.requestAuthentications,
            authorizationPolicies: model.authorizationPolicies)
        let securityFilters =
            [security.jwtFilter().map(Envoy.HTTPFilter.jwtAuthn)].compactMap { $0 } + security.rbacFilters().map(Envoy.HTTPFilter.rbac)
        var listeners: [Envoy.Listener] = []
        // Gateways on the same pod port share one listener (istiod merges their servers).
        let ports = model.servers.map(\.listenerPort).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        for port in ports {
            let servers = model.servers.filter { $0.listenerPort == port }
            var virtualHosts: [Envoy.VirtualHost] = []
            for server in servers {
                virtualHosts += self.virtualHosts(for: server, model: model, clusters: &clusters)
                    .filter { !$0.name.hasPrefix("blackhole:") }
            }
            if virtualHosts.isEmpty { virtualHosts = [Envoy.VirtualHost(name: "blackhole:\(servers[0].port)", domains: ["*"], routes: [])] }
            listeners.append(listener(servers[0], virtualHosts: virtualHosts, securityFilters: securityFilters, options: options))
        }
        for (name, c) in security.jwksClusters { clusters[name] = (c.host, c.port, nil) }
        let builder = ClusterBuilder(destinationRules: model.destinationRules)
        let built: [Envoy.Cluster] = clusters.keys.sorted().map { name in
            let c = clusters[name]!
            return builder.cluster(
                name: name, host: c.host, port: c.port, subset: c.subset, http2: model.http2Ports.contains("\(c.host):\(c.port)"),
                endpoint: options.endpoints[name].map { ($0.address, $0.port) }
                    ?? endpoint(for: c.host, port: c.port, model: model, options: options))
        }
        return Envoy.Bootstrap(
            admin: Envoy.SocketAddress(address: options.adminAddress, portValue: options.adminPort),
            listeners: listeners, clusters: built)
    }

    /// Where a service's cluster points: `--endpoint`, else the gateway's own local listener for the
    /// local gateway service (KServe's top-level route hops through it), else loopback on the port.
    static func endpoint(for host: String, port: Int, model: GatewayModel, options: EnvoyOptions) -> (String, Int) {
        if let e = options.endpoints[host] { return (e.address, e.port) }
        let loopback = options.listenAddress == "0.0.0.0" ? "127.0.0.1" : options.listenAddress
        if host.hasPrefix("knative-local-gateway."),
            let local = model.servers.first(where: { $0.gateway.hasSuffix("/knative-local-gateway") })
        {
            return (loopback, local.listenerPort + options.portOffset)
        }
        return ("127.0.0.1", port)
    }

    /// A gateway listener: the security filters (JWT, then RBAC) before istiod's fault, CORS and router filters.
    static func listener(
        _ server: GatewayModel.Server, virtualHosts: [Envoy.VirtualHost], securityFilters: [Envoy.HTTPFilter],
        options: EnvoyOptions
    ) -> Envoy.Listener {
        let name = "0.0.0.0_\(server.listenerPort)"
        return Envoy.Listener(
            name: name,
            address: Envoy.SocketAddress(address: options.listenAddress, portValue: server.listenerPort + options.portOffset),
            httpConnectionManager: Envoy.HTTPConnectionManager(
                statPrefix: "outbound_\(name)",
                routeConfig: Envoy.RouteConfiguration(name: "http.\(server.listenerPort)", virtualHosts: virtualHosts),
                httpFilters: securityFilters + [.fault, .cors, .router]))
    }

    /// The virtual hosts of one gateway server: every host of every VirtualService bound to the
    /// gateway, with the VirtualServices' routes for it in order (several VirtualServices for one
    /// host append; catch-all routes go last); hosts with identical routes share one virtual host.
    /// A route that matches every request (istiod's `IsCatchAllRoute`).
    static func isCatchAll(_ r: Envoy.Route) -> Bool { r.match.isCatchAll }

    /// istiod's route `hash_policy`: the consistent hash of the destinations' DestinationRule, when
    /// every destination of the route has the same one.
    static func hashPolicy(_ http: Value, translation: RouteTranslation, model: GatewayModel) -> [Envoy.HashPolicy]? {
        let builder = ClusterBuilder(destinationRules: model.destinationRules)
        let policies = (http["route"]?.array ?? []).map { d -> [Envoy.HashPolicy]? in
            let dest = d["destination"] ?? [:]
            return builder.hashPolicy(host: translation.fqdn(dest["host"]?.string ?? ""), subset: dest["subset"]?.string)
        }
        guard let first = policies.first, let policy = first, policies.allSatisfy({ $0 == policy }) else { return nil }
        return policy
    }

    static func virtualHosts(
        for server: GatewayModel.Server, model: GatewayModel,
        clusters: inout [String: (host: String, port: Int, subset: String?)]
    ) -> [Envoy.VirtualHost] {
        var hostRoutes: [(host: String, routes: [Envoy.Route])] = []
        for vs in model.virtualServices {
            let ns = vs[path: ["metadata", "namespace"]]?.string ?? "default"
            let translation = RouteTranslation(
                namespace: ns,
                gatewayAPI: vs[path: ["metadata", "annotations", "isvc.gateway-api"]] == "true")
            let gateways = (vs[path: ["spec", "gateways"]]?.array?.compactMap(\.string) ?? ["mesh"]).map(translation.qualify)
            let matchGateways = (vs[path: ["spec", "http"]]?.array ?? []).flatMap {
                ($0["match"]?.array ?? []).compactMap { $0["gateways"]?.array }
            }
            .flatMap { $0.compactMap(\.string) }.map(translation.qualify)
            guard gateways.contains(server.gateway) || matchGateways.contains(server.gateway) else { continue }
            var routes: [Envoy.Route] = []
            for http in vs[path: ["spec", "http"]]?.array ?? [] {
                // istiod stops generating a VirtualService's routes after its first catch-all.
                if routes.contains(where: isCatchAll) { break }
                var translated = translation.routes(for: http, gateway: server.gateway, vsGateways: gateways)
                if let i = translated.firstIndex(where: isCatchAll) { translated = Array(translated[...i]) }
                if let hash = hashPolicy(http, translation: translation, model: model) {
                    for i in translated.indices { translated[i].route.hashPolicy = hash }
                }
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
                    clusters[RouteTranslation.clusterName(host: h, port: port, subset: mirror["subset"]?.string)] = (
                        h, port, mirror["subset"]?.string
                    )
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
        var vhosts: [(name: String, domains: [String], routes: [Envoy.Route])] = []
        for (host, routes) in hostRoutes {
            // Several VirtualServices for one host: catch-all routes move after the others (SortVHostRoutes).
            let sorted = routes.filter { !isCatchAll($0) } + routes.filter(isCatchAll)
            if let i = vhosts.firstIndex(where: { $0.routes == sorted }) {
                vhosts[i].domains.append(host)
            } else {
                vhosts.append(("", [host], sorted))
            }
        }
        if vhosts.isEmpty {
            return [Envoy.VirtualHost(name: "blackhole:\(server.port)", domains: ["*"], routes: [])]
        }
        // Collapsed hosts are sorted and the first names the virtual host; virtual hosts sort by name.
        return vhosts.map { v -> Envoy.VirtualHost in
            let domains = v.domains.sorted()
            return Envoy.VirtualHost(name: "\(domains[0]):\(server.port)", domains: domains, routes: v.routes)
        }.sorted { $0.name < $1.name }
    }
}
