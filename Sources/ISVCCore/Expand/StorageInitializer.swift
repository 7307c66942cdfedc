import Foundation

/// KServe's pod mutating webhook, storage part (`storage_initializer_injector.go`): for the annotation
/// `internal.serving.kserve.io/storage-initializer-sourceuri`, an init container that downloads the
/// model into an emptyDir mounted read-only at /mnt/models in the server container; `pvc://` mounts the
/// claim directly. In a cluster this mutates the Pods; `isvc` shows it in the Deployment's pod template.
struct StorageInitializer {
    let config: ClusterConfig

    /// The default ClusterStorageContainer's URI formats (v0.20.0): a match gives its image and pull policy.
    static let defaultContainerPrefixes = ["gs://", "s3://", "hdfs://", "hf://", "webhdfs://"]
    static let defaultContainerRegexes = [
        "https://(.+?).blob.core.windows.net/(.+)", "https://(.+?).file.core.windows.net/(.+)", "https?://(.+)/(.+)",
    ].map { try! NSRegularExpression(pattern: $0) }

    static func matchesDefaultContainer(_ uri: String) -> Bool {
        if defaultContainerPrefixes.contains(where: { uri.hasPrefix($0) }) { return true }
        let range = NSRange(uri.startIndex..., in: uri)
        return defaultContainerRegexes.contains { $0.firstMatch(in: uri, range: range) != nil }
    }

    func inject(into spec: inout [String: Value], annotations: [String: String], note: inout String?) {
        guard let uri = annotations[Keys.storageInitializerSourceURI], !uri.isEmpty else { return }
        if uri.hasPrefix("oci://") || uri.hasPrefix("oci+") {
            note = "the OCI modelcar sidecar KServe's pod webhook adds is not shown"
            return
        }
        let readOnly = annotations[Keys.storageReadonly] != "false"
        var containers = spec["containers"]?.array ?? []
        var volumes = spec["volumes"]?.array ?? []
        let targets = containers.indices.filter {
            let n = containers[$0]["name"]?.string
            return n == "kserve-container" || n == "transformer-container"
        }
        if uri.hasPrefix("pvc://") {
            let rest = uri.dropFirst("pvc://".count)
            let claim = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            let subPath = rest.split(separator: "/", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            for i in targets {
                var mount: Value = ["name": "kserve-pvc-source", "mountPath": "/mnt/models", "readOnly": .bool(readOnly)]
                if !subPath.isEmpty { mount["subPath"] = .string(subPath) }
                addMount(&containers[i], mount)
            }
            if !volumes.contains(where: { $0["name"]?.string == "kserve-pvc-source" }) {
                volumes.append(["name": "kserve-pvc-source", "persistentVolumeClaim": ["claimName": .string(claim)]])
            }
        } else {
            for i in targets {
                addMount(&containers[i], ["name": "kserve-provision-location", "mountPath": "/mnt/models", "readOnly": .bool(readOnly)])
            }
            var initContainer: [String: Value] = [
                "name": "storage-initializer",
                "image": .string(config.storageInitializerImage),
                "args": [.string(uri), "/mnt/models"],
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "resources": config.storageInitializerResources,
                "volumeMounts": [["name": "kserve-provision-location", "mountPath": "/mnt/models"]],
            ]
            if Self.matchesDefaultContainer(uri) {
                // The default ClusterStorageContainer is merged over the init container.
                initContainer["image"] = .string(config.storageInitializerImage)
                initContainer["imagePullPolicy"] = "IfNotPresent"
            }
            var env: [Value] = []
            if !config.caBundleConfigMapName.isEmpty {
                env.append(["name": "CA_BUNDLE_CONFIGMAP_NAME", "value": .string(config.caBundleConfigMapName)])
                env.append(["name": "CA_BUNDLE_VOLUME_MOUNT_POINT", "value": .string(config.caBundleVolumeMountPath)])
            }
            env += [
                ["name": "HF_HUB_ENABLE_HF_TRANSFER", "value": "1"], ["name": "HF_XET_HIGH_PERFORMANCE", "value": "1"],
                ["name": "HF_XET_NUM_CONCURRENT_RANGE_GETS", "value": "8"],
            ]
            initContainer["env"] = .array(env)
            var initContainers = spec["initContainers"]?.array ?? []
            initContainers.append(.object(initContainer))
            spec["initContainers"] = .array(initContainers)
            if !volumes.contains(where: { $0["name"]?.string == "kserve-provision-location" }) {
                volumes.append(["name": "kserve-provision-location", "emptyDir": [:]])
            }
            // A custom container's STORAGE_URI is rewritten to the local path.
            for i in targets {
                guard case .object(var c) = containers[i], var env = c["env"]?.array else { continue }
                for j in env.indices where env[j]["name"]?.string == "STORAGE_URI" && !(env[j]["value"]?.string ?? "").isEmpty {
                    env[j]["value"] = "/mnt/models"
                }
                c["env"] = .array(env)
                containers[i] = .object(c)
            }
        }
        spec["containers"] = .array(containers)
        spec["volumes"] = .array(volumes)
        note = note ?? "pod template as KServe's pod webhook mutates its pods (storage-initializer)"
    }

    /// `storageUris` (several URIs): KServe's controller puts the init container straight into the
    /// Knative Service's pod spec. PVC URIs are mounted directly; the others are downloaded by one
    /// init container into an emptyDir named after the paths' common parent.
    func injectMultiple(_ uris: [StorageURISpec], into spec: inout [String: Value], readOnly: Bool) {
        guard !uris.isEmpty else { return }
        var containers = spec["containers"]?.array ?? []
        var volumes = spec["volumes"]?.array ?? []
        let targets = containers.indices.filter {
            let n = containers[$0]["name"]?.string
            return n == "kserve-container" || n == "transformer-container"
        }
        func volumeName(_ path: String) -> String {
            path.trimmingCharacters(in: CharacterSet(charactersIn: "/")).replacingOccurrences(of: "/", with: "-")
        }
        var downloads: [StorageURISpec] = []
        for u in uris {
            if u.uri.value.hasPrefix("pvc://") {
                let rest = u.uri.value.dropFirst("pvc://".count)
                let claim = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
                let name = volumeName(u.mountPath.value)
                for i in targets {
                    addMount(&containers[i], ["name": .string(name), "mountPath": .string(u.mountPath.value), "readOnly": .bool(readOnly)])
                }
                if !volumes.contains(where: { $0["name"]?.string == name }) {
                    volumes.append(["name": .string(name), "persistentVolumeClaim": ["claimName": .string(claim)]])
                }
            } else {
                downloads.append(u)
            }
        }
        if !downloads.isEmpty {
            let paths = downloads.map(\.mountPath.value)
            let parent = paths.count == 1 ? paths[0] : StorageURIRules.commonParent(paths)
            let name = volumeName(parent)
            for i in targets {
                addMount(&containers[i], ["name": .string(name), "mountPath": .string(parent), "readOnly": .bool(readOnly)])
            }
            var args: [Value] = []
            for u in downloads { args += [.string(u.uri.value), .string(u.mountPath.value)] }
            var initContainer: [String: Value] = [
                "name": "storage-initializer",
                "image": .string(config.storageInitializerImage),
                "args": .array(args),
                "terminationMessagePolicy": "FallbackToLogsOnError",
                "resources": config.storageInitializerResources,
                "volumeMounts": [["name": .string(name), "mountPath": .string(parent)]],
                "env": [
                    ["name": "HF_HUB_ENABLE_HF_TRANSFER", "value": "1"], ["name": "HF_XET_HIGH_PERFORMANCE", "value": "1"],
                    ["name": "HF_XET_NUM_CONCURRENT_RANGE_GETS", "value": "8"],
                ],
            ]
            if downloads.allSatisfy({ Self.matchesDefaultContainer($0.uri.value) }) {
                initContainer["imagePullPolicy"] = "IfNotPresent"
            }
            var initContainers = spec["initContainers"]?.array ?? []
            initContainers.append(.object(initContainer))
            spec["initContainers"] = .array(initContainers)
            if !volumes.contains(where: { $0["name"]?.string == name }) {
                volumes.append(["name": .string(name), "emptyDir": [:]])
            }
        }
        spec["containers"] = .array(containers)
        spec["volumes"] = .array(volumes)
    }

    func addMount(_ container: inout Value, _ mount: Value) {
        guard case .object(var c) = container else { return }
        var mounts = c["volumeMounts"]?.array ?? []
        if !mounts.contains(where: { $0["name"] == mount["name"] }) { mounts.append(mount) }
        c["volumeMounts"] = .array(mounts)
        container = .object(c)
    }
}
