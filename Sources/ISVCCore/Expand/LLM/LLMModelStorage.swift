/// How the LLMInferenceService controller gets the model into container `main` at /mnt/models
/// (`workload_storage.go` `attachModelArtifacts`): `hf://` and `s3://` through a storage-initializer
/// init container and an emptyDir, `pvc://` as a read-only mount of the claim. Other schemes are
/// refused before expansion (rule llm.model-uri).
struct LLMModelStorage {
    let uri: String
    let enabled: Bool
    let config: ClusterConfig

    static let modelPath = "/mnt/models"
    static let downloadVolume = "kserve-provision-location"
    static let pvcVolume = "kserve-pvc-source"
    static let initializerName = "storage-initializer"

    /// The schemes the controller handles, and those isvc compiles.
    static let schemes = ["hf", "s3", "pvc", "oci", "oci+native"]
    static let compiled = ["hf", "s3", "pvc"]

    static func scheme(_ uri: String) -> String? {
        guard let r = uri.range(of: "://") else { return nil }
        return String(uri[..<r.lowerBound])
    }

    func attach(to pod: inout Value, container: String) {
        guard enabled, let scheme = Self.scheme(uri) else { return }
        switch scheme {
        case "pvc":
            let rest = uri.dropFirst("pvc://".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            let claim = rest.first ?? ""
            var mount: Value = ["name": .string(Self.pvcVolume), "mountPath": .string(Self.modelPath), "readOnly": true]
            let subPath = rest.dropFirst().joined(separator: "/")
            if !subPath.isEmpty { mount["subPath"] = .string(subPath) }
            addMount(
                mount, to: container, in: &pod,
                volume: ["name": .string(Self.pvcVolume), "persistentVolumeClaim": ["claimName": .string(claim)]])
            stripInitializer(&pod)
        case "hf", "s3":
            var initContainer = storageInitializer()
            if scheme == "hf" {
                initContainer["env"] = [
                    ["name": "HF_HUB_ENABLE_HF_TRANSFER", "value": "1"], ["name": "HF_XET_HIGH_PERFORMANCE", "value": "1"],
                    ["name": "HF_XET_NUM_CONCURRENT_RANGE_GETS", "value": "8"],
                ]
            }
            stripInitializer(&pod)
            pod["initContainers"] = .array((pod["initContainers"]?.array ?? []) + [initContainer])
            let volume: Value = ["name": .string(Self.downloadVolume), "emptyDir": [:]]
            addMount(
                ["name": .string(Self.downloadVolume), "mountPath": .string(Self.modelPath)], to: Self.initializerName, in: &pod,
                volume: volume)
            addMount(
                ["name": .string(Self.downloadVolume), "mountPath": .string(Self.modelPath), "readOnly": true], to: container, in: &pod,
                volume: volume)
        default:
            return
        }
    }

    /// `CreateInitContainerWithConfig`: image and resources from inferenceservice-config.
    func storageInitializer() -> Value {
        [
            "name": .string(Self.initializerName), "image": .string(config.storageInitializerImage),
            "args": [.string(uri), .string(Self.modelPath)], "terminationMessagePolicy": "FallbackToLogsOnError",
            "resources": config.storageInitializerResources,
        ]
    }

    /// `extractAndStripStorageInitializer` (a user's own storage-initializer is not merged in yet:
    /// the webhook rule llm.unsupported refuses it).
    func stripInitializer(_ pod: inout Value) {
        guard let inits = pod["initContainers"]?.array else { return }
        let kept = inits.filter { $0["name"]?.string != Self.initializerName }
        pod["initContainers"] = kept.isEmpty ? nil : .array(kept)
    }

    /// `AddModelMount`: the mount on the named container (regular ones first, then init ones),
    /// unless one of the volume is already there, and the volume once.
    func addMount(_ mount: Value, to name: String, in pod: inout Value, volume: Value) {
        var added = false
        for key in ["containers", "initContainers"] where !added {
            guard var list = pod[key]?.array, let i = list.firstIndex(where: { $0["name"]?.string == name }) else { continue }
            var mounts = list[i]["volumeMounts"]?.array ?? []
            if !mounts.contains(where: { $0["name"] == mount["name"] }) {
                var m = mount
                if key == "initContainers" { m["readOnly"] = nil }
                mounts.append(m)
                list[i]["volumeMounts"] = .array(mounts)
                pod[key] = .array(list)
                added = true
            }
            break
        }
        guard added else { return }
        var volumes = pod["volumes"]?.array ?? []
        if !volumes.contains(where: { $0["name"] == volume["name"] }) {
            volumes.append(volume)
            pod["volumes"] = .array(volumes)
        }
    }
}
