import Foundation
import ISVCCore

/// A TrainedModel that KServe's agent pulls into a multi-model replica: read from the model config
/// ConfigMap (`modelconfig-<isvc>-0`, key `models.json`) that the pod mounts as `model-config`, as the
/// TrainedModel controller writes it.
public struct PulledModel: Sendable, Equatable {
    public var name: String
    public var storageURI: String
    public var framework: String

    /// The models of the ConfigMap that the pod template's `model-config` volume names.
    static func models(podSpec: Value, namespace: String, objects: [PlanObject]) -> [PulledModel] {
        let volume = podSpec["volumes"]?.array?.first { $0["name"]?.string == "model-config" }
        guard let name = volume?[path: ["configMap", "name"]]?.string,
            let config = objects.first(where: { $0.kind == "ConfigMap" && $0.name == name && $0.namespace == namespace }),
            let text = config.body[path: ["data", "models.json"]]?.string,
            let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        else { return [] }
        return list.compactMap { entry in
            guard let model = entry["modelName"] as? String, let spec = entry["modelSpec"] as? [String: Any] else { return nil }
            return PulledModel(
                name: model, storageURI: spec["storageUri"] as? String ?? "", framework: spec["framework"] as? String ?? "")
        }
    }
}
