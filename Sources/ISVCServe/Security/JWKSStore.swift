import AsyncHTTPClient
import Foundation
import NIOCore

/// Every provider's JWKS, loaded once and cached: inline and file JWKS when first needed (or at start,
/// `load`), remote ones fetched with AsyncHTTPClient through the cluster's endpoint, as Envoy's
/// `remote_jwks` does, and kept for the provider's `cache_duration`.
actor JWKSStore {
    private var cached: [String: (set: JWKSet, until: ContinuousClock.Instant?)] = [:]
    private let providers: [String: JWTProvider]

    init(providers: [JWTProvider]) {
        var byName: [String: JWTProvider] = [:]
        for p in providers { byName[p.name] = p }
        self.providers = byName
    }

    /// Reads every inline and file JWKS now, so a bad one stops `isvc serve` at start with its reason.
    func loadLocal() async throws(SecurityConfigError) {
        for (name, provider) in providers.sorted(by: { $0.key < $1.key }) {
            switch provider.jwks {
            case .inline(let text):
                do { cached[name] = (try await JWKSet.parse(text), nil) } catch {
                    throw .badJWKS(provider: name, issuer: provider.issuer, reason: error.description)
                }
            case .file(let path):
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw .unreadableJWKS(provider: name, path: path)
                }
                do { cached[name] = (try await JWKSet.parse(text), nil) } catch {
                    throw .badJWKS(provider: name, issuer: provider.issuer, reason: error.description)
                }
            case .remote, nil:
                continue
            }
        }
    }

    /// The provider's keys: a local JWKS that does not parse has no valid key, a remote one that
    /// cannot be fetched or read is a failed fetch (Envoy's two answers).
    func keys(for provider: JWTProvider) async throws(JWTFailure) -> JWKSet {
        if let entry = cached[provider.name], entry.until.map({ ContinuousClock.now < $0 }) ?? true { return entry.set }
        switch provider.jwks {
        case .inline(let text):
            guard let set = try? await JWKSet.parse(text) else { throw .noValidKeys }
            cached[provider.name] = (set, nil)
            return set
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), let set = try? await JWKSet.parse(text) else {
                throw .noValidKeys
            }
            cached[provider.name] = (set, nil)
            return set
        case .remote(let uri, let endpoint, let timeout, let cacheSeconds):
            guard let text = await Self.fetch(uri, endpoint: endpoint, timeoutSeconds: timeout),
                let set = try? await JWKSet.parse(text)
            else { throw .jwksFetchFailed }
            cached[provider.name] = (set, ContinuousClock.now + .milliseconds(Int64(cacheSeconds * 1000)))
            return set
        case nil:
            throw .noValidKeys
        }
    }

    /// The client for JWKS fetches: a refused connection fails at once, as Envoy's fetch does, instead
    /// of being retried until the timeout. Lives as long as the process, like `HTTPClient.shared`.
    static let client: HTTPClient = {
        var config = HTTPClient.Configuration()
        config.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }()

    /// GET the JWKS: to the cluster's endpoint with the URI's Host, as Envoy sends it through the
    /// cluster (plain HTTP, as the emitted cluster has no TLS); 200 with a body, or nothing.
    static func fetch(_ uri: String, endpoint: (host: String, port: Int)?, timeoutSeconds: Double) async -> String? {
        guard let url = URL(string: uri), let host = url.host else { return nil }
        let target = endpoint ?? (host, url.port ?? (url.scheme == "https" ? 443 : 80))
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var request = HTTPClientRequest(url: "http://\(target.host):\(target.port)\(path)")
        request.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        // Fetched once per cache period: no connection is kept open to the issuer.
        request.headers.add(name: "Connection", value: "close")
        do {
            let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(max(timeoutSeconds, 0.001) * 1000)))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status.code == 200 else { return nil }
            return String(buffer: body)
        } catch {
            return nil
        }
    }
}
