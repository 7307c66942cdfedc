import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// KServe's agent as a model puller (`pkg/agent`): each TrainedModel of the workload's model config
/// is downloaded into `<model dir>/<name>/` (the storage initializer's schemes that serve can fetch),
/// then loaded into the replica: a native runtime loads it in process under its own name; a model
/// server process gets the Open Inference Protocol's repository call
/// `POST /v2/repository/models/<name>/load` with `{}`, as the agent sends it.
extension WorkloadRuntime {
    /// Downloads every model; one that cannot be fetched is logged and skipped, as the agent skips
    /// the load of a failed download.
    static func pull(_ models: [PulledModel], into directory: URL, store: ModelStore, workload: String, logger: Logger) async throws {
        for model in models {
            do {
                _ = try await store.provide(model.storageURI, at: directory.appendingPathComponent(model.name))
                logger.info("\(workload): the agent's puller downloaded TrainedModel \(model.name) from \(model.storageURI)")
            } catch {
                logger.error("\(workload): the agent's puller cannot download TrainedModel \(model.name): \(error)")
            }
        }
    }

    /// The models a native runtime serves in process: the workload's own model, or with a puller each
    /// TrainedModel that was downloaded, under its name; nil when no native runtime serves the image.
    static func loadNative(_ native: NativeRuntime, _ workload: ServePlan.Workload, _ directory: URL) throws -> [any InferenceModel]? {
        guard !workload.pulledModels.isEmpty || workload.agent?.puller == true else { return try native(workload, directory) }
        var models: [any InferenceModel] = []
        // No model yet: whether a native runtime serves the image at all (one that does fails to load an empty directory).
        if workload.pulledModels.isEmpty {
            do {
                if try native(workload, directory) == nil { return nil }
            } catch {
                // A native runtime, with nothing to load yet.
            }
        }
        for pulled in workload.pulledModels {
            let dir = directory.appendingPathComponent(pulled.name)
            guard FileManager.default.fileExists(atPath: dir.path) else { continue }
            var named = workload
            named.container["args"] = ["--model_name", .string(pulled.name)]
            guard let loaded = try native(named, dir) else { return nil }
            models += loaded
        }
        return models
    }

    /// The agent's load calls to a model server process (whose /mnt/models holds the downloads).
    func loadPulledModels(port: Int) async {
        for model in workload.pulledModels {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v2/repository/models/\(model.name)/load")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: "{}"))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                let body = try await response.body.collect(upTo: 1 << 20)
                if response.status.code == 200 {
                    logger.info("\(workload.name): the agent's puller loaded TrainedModel \(model.name)")
                } else {
                    logger.warning(
                        "\(workload.name): loading TrainedModel \(model.name) answered \(response.status.code): \(String(buffer: body))")
                }
            } catch {
                logger.warning("\(workload.name): loading TrainedModel \(model.name) failed: \(error)")
            }
        }
    }
}
