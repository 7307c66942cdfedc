import Hummingbird
import HummingbirdHTTP2
import HummingbirdTLS
import ISVCCore
import Logging
import NIOSSL

/// TLS on the gateway, as an Istio Gateway server with `tls.mode: SIMPLE` asks: the gateway
/// terminates TLS with a certificate and key (given on the command line: the Gateway's
/// `credentialName` names a Kubernetes Secret, and its file paths are paths in the gateway's pod)
/// and routes the decrypted requests as its plain listener does.
public enum GatewayTLS {
    /// A Gateway server that carries a `tls` block with a mode.
    public struct Server: Sendable, Equatable {
        public var gateway: String
        public var name: String
        public var port: Int
        public var mode: String
        public var hosts: [String]
        public var minProtocolVersion: String?
    }

    /// The TLS servers of the input's Gateway objects (`httpsRedirect`-only blocks have no mode and are left out).
    public static func servers(in istio: [Value]) -> [Server] {
        var out: [Server] = []
        for gw in istio where gw["kind"]?.string == "Gateway" {
            let name = "\(gw[path: ["metadata", "namespace"]]?.string ?? "default")/\(gw[path: ["metadata", "name"]]?.string ?? "")"
            for (i, server) in (gw[path: ["spec", "servers"]]?.array ?? []).enumerated() {
                guard let mode = server[path: ["tls", "mode"]]?.string else { continue }
                out.append(
                    Server(
                        gateway: name, name: server["name"]?.string ?? server[path: ["port", "name"]]?.string ?? "servers[\(i)]",
                        port: server[path: ["port", "number"]]?.int ?? 0, mode: mode,
                        hosts: server["hosts"]?.array?.compactMap(\.string) ?? [],
                        minProtocolVersion: server[path: ["tls", "minProtocolVersion"]]?.string))
            }
        }
        return out
    }

    /// What `isvc serve` does about TLS for the input and the files given: a Gateway server with
    /// `tls.mode: SIMPLE` needs both files (an error otherwise); files without such a server still get
    /// a TLS listener, with a note; other modes are noted as not served. Nil: no TLS listener.
    public static func resolve(
        istio: [Value], certificateChain: String?, privateKey: String?
    )
        throws(SecurityConfigError) -> (configuration: TLSConfiguration?, notes: [String])
    {
        let servers = Self.servers(in: istio)
        var notes = servers.filter { $0.mode != "SIMPLE" }.map {
            "Gateway \($0.gateway) server \($0.name): tls.mode \($0.mode) is not served locally (only SIMPLE)"
        }
        let simple = servers.filter { $0.mode == "SIMPLE" }
        switch (certificateChain, privateKey) {
        case (nil, nil):
            if let s = simple.first { throw .tlsFilesMissing(gateway: s.gateway, server: s.name) }
            return (nil, notes)
        case (let chain?, let key?):
            if simple.isEmpty { notes.append("no Gateway server has tls.mode SIMPLE; serving TLS anyway, as --tls-cert asks") }
            return (
                try configuration(certificateChain: chain, privateKey: key, minProtocolVersion: simple.first?.minProtocolVersion), notes
            )
        default:
            throw .tlsHalfGiven
        }
    }

    /// The server TLS configuration from PEM files: the certificate chain and its private key; TLS 1.2
    /// at least (Istio's default `minProtocolVersion`), or 1.3 when the Gateway server asks for it.
    public static func configuration(
        certificateChain: String, privateKey: String,
        minProtocolVersion: String? = nil
    ) throws(SecurityConfigError) -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateChain) } catch {
            throw .unreadableTLSFile(path: certificateChain, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw .unreadableTLSFile(path: certificateChain, reason: "no certificate in the file") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: privateKey, format: .pem) } catch {
            throw .unreadableTLSFile(path: privateKey, reason: "\(error)")
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        config.minimumTLSVersion = minProtocolVersion == "TLSV1_3" ? .tlsv13 : .tlsv12
        return config
    }
}

extension GatewayServer {
    /// The gateway's TLS listener on `host:port`: the same routing and security filters as the plain
    /// listener, with `https` as the request scheme; HTTP/2 or HTTP/1.1 as ALPN chooses (`h2`,
    /// `http/1.1`; HTTP/1.1 when the client offers neither).
    public func tlsApplication(
        host: String, port: Int, tls: TLSConfiguration,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let responder = CallbackResponder<GatewayRequestContext> { request, context in
            await self.respond(to: request, scheme: "https", downstream: context.channel)
        }
        return Application(
            responder: responder,
            server: try .http2Upgrade(tlsConfiguration: tls, configuration: .init(streamConfiguration: GatewayServer.http1())),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}
