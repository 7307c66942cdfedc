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

    func attach(to pod: inout Value, container: String, lora: [LLMLoRA.Adapter] = []) {
        guard enabled, let scheme = Self.scheme(uri) else { return }
        let loraPairs = lora.filter { $0.scheme == "hf" || $0.scheme == "s3" }.map { ($0.uri, $0.mountPath) }
        switch scheme {
        case "pvc":
            Self.mountClaim(uri, at: Self.modelPath, volume: Self.pvcVolume, container: container, in: &pod)
            if loraPairs.isEmpty { stripInitializer(&pod) } else { download(loraPairs, to: &pod, container: container) }
        case "hf", "s3":
            if !loraPairs.isEmpty {
                download([(uri, Self.modelPath)] + loraPairs, to: &pod, container: container)
                break
            }
            var initContainer = storageInitializer(args: [uri, Self.modelPath])
            if scheme == "hf" { initContainer["env"] = Self.huggingFaceEnv }
            stripInitializer(&pod)
            pod["initContainers"] = .array((pod["initContainers"]?.array ?? []) + [initContainer])
            let volume: Value = ["name": .string(Self.downloadVolume), "emptyDir": [:]]
            Self.addMount(
                ["name": .string(Self.downloadVolume), "mountPath": .string(Self.modelPath)], to: Self.initializerName, in: &pod,
                volume: volume)
            Self.addMount(
                ["name": .string(Self.downloadVolume), "mountPath": .string(Self.modelPath), "readOnly": true], to: container, in: &pod,
                volume: volume)
        default:
            return
        }
    }

    static let huggingFaceEnv: Value = [
        ["name": "HF_HUB_ENABLE_HF_TRANSFER", "value": "1"], ["name": "HF_XET_HIGH_PERFORMANCE", "value": "1"],
        ["name": "HF_XET_NUM_CONCURRENT_RANGE_GETS", "value": "8"],
    ]

    /// `attachMultiStorageDownloads`: one storage initializer for every URI (`uri path` pairs), the
    /// download volume mounted at the paths' common parent.
    func download(_ pairs: [(String, String)], to pod: inout Value, container: String) {
        stripInitializer(&pod)
        let parent = Self.commonParent(pairs.map(\.1))
        var initContainer = storageInitializer(args: pairs.flatMap { [$0.0, $0.1] })
        if pairs.contains(where: { $0.0.hasPrefix("hf://") }) { initContainer["env"] = Self.huggingFaceEnv }
        pod["initContainers"] = .array((pod["initContainers"]?.array ?? []) + [initContainer])
        let volume: Value = ["name": .string(Self.downloadVolume), "emptyDir": [:]]
        Self.addMount(
            ["name": .string(Self.downloadVolume), "mountPath": .string(parent)], to: Self.initializerName, in: &pod, volume: volume)
        Self.addMount(
            ["name": .string(Self.downloadVolume), "mountPath": .string(parent), "readOnly": true], to: container, in: &pod, volume: volume)
    }

    /// `FindCommonParentPath`: one path is its own parent; else the shared leading components.
    static func commonParent(_ paths: [String]) -> String {
        guard paths.count > 1 else { return paths.first ?? "/" }
        let parts = paths.map { $0.split(separator: "/").map(String.init) }
        var common: [String] = []
        for i in 0..<(parts.map(\.count).min() ?? 0) {
            let level = Set(parts.map { $0[i] })
            guard level.count == 1, let only = level.first else { break }
            common.append(only)
        }
        return "/" + common.joined(separator: "/")
    }

    /// `AddModelMount` of a `pvc://claim/path` URI: the claim, read-only, its path as the subPath.
    static func mountClaim(_ uri: String, at path: String, volume: String, container: String, in pod: inout Value) {
        let rest = uri.dropFirst("pvc://".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var mount: Value = ["name": .string(volume), "mountPath": .string(path), "readOnly": true]
        let subPath = rest.dropFirst().joined(separator: "/")
        if !subPath.isEmpty { mount["subPath"] = .string(subPath) }
        addMount(
            mount, to: container, in: &pod,
            volume: ["name": .string(volume), "persistentVolumeClaim": ["claimName": .string(rest.first ?? "")]])
    }

    /// `CreateInitContainerWithConfig`: image and resources from inferenceservice-config.
    func storageInitializer(args: [String]) -> Value {
        [
            "name": .string(Self.initializerName), "image": .string(config.storageInitializerImage),
            "args": .array(args.map(Value.string)), "terminationMessagePolicy": "FallbackToLogsOnError",
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
    static func addMount(_ mount: Value, to name: String, in pod: inout Value, volume: Value) {
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
