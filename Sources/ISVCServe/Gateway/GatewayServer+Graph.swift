import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1

/// An InferenceGraph's router runs in this process; its steps leave it as KServe's router sends them
/// from inside the mesh: a host of this run through the cluster-local gateway's internal listener for
/// it (an `https` URL goes as `http`, as the router downgrades it beside an Istio sidecar), 127.0.0.1
/// over the keep-alive loopback client, any other host with AsyncHTTPClient.
extension GatewayServer {
    static let graphClient = HTTPClient(eventLoopGroupProvider: .singleton)

    /// Sends one step of the graph `workload` and counts it in `/metrics`.
    func sendGraphStep(_ call: GraphRouter.StepCall, timeout: Duration, from workload: String) async throws -> (status: Int, body: [UInt8])
    {
        let host = URLComponents(string: call.url)?.host ?? ""
        do {
            let answer = try await sendGraphStep(call, timeout: timeout)
            metrics.graphStep(workload: workload, host: host, code: String(answer.status))
            return answer
        } catch {
            metrics.graphStep(workload: workload, host: host, code: "error")
            logger.warning("\(workload): InferenceGraph step \(call.url) failed: \(error)")
            throw error
        }
    }

    func sendGraphStep(_ call: GraphRouter.StepCall, timeout: Duration) async throws -> (status: Int, body: [UInt8]) {
        guard let url = URLComponents(string: call.url), let host = url.host, !host.isEmpty else {
            throw GraphRouter.StepCallError.transport(url: call.url, "unsupported URL")
        }
        let path =
            (url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath) + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
        var loopback: (port: Int, host: String)?
        if let port = internalPorts[host] {
            loopback = (port, url.port.map { "\(host):\($0)" } ?? host)
        } else if host == "127.0.0.1", url.scheme == "http" {
            loopback = (url.port ?? 80, url.port.map { "\(host):\($0)" } ?? host)
        }
        if let (port, hostHeader) = loopback {
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: hostHeader)
            for (name, value) in call.headers where !Self.named(name, "host") && !Self.named(name, "content-length") {
                headers.add(name: name, value: value)
            }
            headers.add(name: "Content-Length", value: String(call.body.count))
            let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
            do {
                let answer = try await client.execute(port: port, head: head, body: ByteBuffer(bytes: call.body), timeout: timeout)
                return (answer.status, Array(answer.body.readableBytesView))
            } catch {
                throw GraphRouter.StepCallError.transport(url: call.url, "\(error)")
            }
        }
        var request = HTTPClientRequest(url: call.url)
        request.method = .POST
        for (name, value) in call.headers where !Self.named(name, "host") { request.headers.add(name: name, value: value) }
        request.body = .bytes(call.body)
        do {
            let response = try await Self.graphClient.execute(request, timeout: .init(timeout))
            let body = try await response.body.collect(upTo: Self.maxBodyBytes)
            return (Int(response.status.code), Array(body.readableBytesView))
        } catch {
            throw GraphRouter.StepCallError.transport(url: call.url, "\(error)")
        }
    }

    /// A request to an InferenceGraph's router: `/readyz` answers the router's readiness, every other
    /// path and method runs the graph with the request's body and headers.
    static func answer(_ router: GraphRouter, decision: GatewayRouter.Decision, body: ByteBuffer) async -> UpstreamAnswer {
        let path = decision.request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        if path == GraphRouter.readinessPath {
            return UpstreamAnswer(status: .ok, headers: [:], body: ByteBuffer())
        }
        let answer = await router.handle(headers: decision.request.headers, body: Array(body.readableBytesView))
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let n = HTTPField.Name(name) { fields.append(HTTPField(name: n, value: value)) }
        }
        guard !answer.sendsNoResponse else {
            // The Go router panics here and its connection drops: Envoy answers as for a reset upstream.
            return UpstreamAnswer(
                status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "upstream connect error or disconnect/reset before headers. reset reason: connection termination"))
        }
        return UpstreamAnswer(status: .init(code: answer.status), headers: fields, body: ByteBuffer(bytes: answer.body))
    }
}
