import AsyncHTTPClient
import Foundation
import NIOCore

/// `isvc serve --request FILE`: once the gateway listens, send each file's JSON body to the
/// InferenceService through the gateway (V1 `:predict` for `instances`, V2 `/infer` for `inputs`
/// tensors), or to an LLMInferenceService's route (`/v1/chat/completions` for `messages`, else
/// `/v1/completions`), print the answers, and stop.
struct ServeRequests {
    let files: [String]
    let model: String
    let host: String
    let address: String
    /// An InferenceGraph: the body goes to its router at `/` (the router ignores the path).
    var graph = false
    /// An LLMInferenceService: the path its route serves (`/<namespace>/<name>`).
    var llmPath: String? = nil

    /// Sends every request; true when all were answered 2xx.
    func run(port: Int) async -> Bool {
        var allOK = true
        for file in files {
            let body: Data
            do { body = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
                print("\(file): cannot read: \(error.localizedDescription)")
                allOK = false
                continue
            }
            let path =
                if let llmPath { llmPath + (Self.isChat(body) ? "/v1/chat/completions" : "/v1/completions") } else if graph {
                    "/"
                } else if Self.isV2(body) { "/v2/models/\(model)/infer" } else { "/v1/models/\(model):predict" }
            var request = HTTPClientRequest(url: "http://\(address):\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Host", value: host)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                let answer = try await response.body.collect(upTo: 16 << 20)
                print("POST \(path) (Host: \(host)) <- \(file)")
                print("\(response.status.code) \(String(buffer: answer))")
                if !(200..<300).contains(Int(response.status.code)) { allOK = false }
            } catch {
                print("POST \(path) <- \(file): \(error)")
                allOK = false
            }
        }
        return allOK
    }

    /// An OpenAI chat request has `messages`.
    static func isChat(_ body: Data) -> Bool {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["messages"] != nil
    }

    /// An Open Inference Protocol request has `inputs` as a list of named tensors.
    static func isV2(_ body: Data) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let inputs = object["inputs"] as? [Any]
        else { return false }
        return inputs.first is [String: Any]
    }
}
