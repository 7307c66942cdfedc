import Foundation

/// Storage URI rules: the schemes KServe's controller accepts, and the `storageUris` mount paths.
struct StorageURIRules {
    let diagnostics: Diagnostics

    static let prefixes = [
        "gs://", "s3://", "pvc://", "file://", "https://", "http://", "hdfs://", "webhdfs://",
        "oci://", "oci+native://", "oci+fetch://", "hf://",
    ]

    func checkScheme(_ uri: Located<String>) {
        let u = uri.value
        if Self.prefixes.contains(where: { u.hasPrefix($0) }) { return }
        if !u.contains("://") { return }  // an absolute or relative local path
        diagnostics.report(
            "StorageURI not supported: storageUri, must be one of: [\(Self.prefixes.joined(separator: ", "))] or match https://{}.blob.core.windows.net/{}/{} or be an absolute or relative local path. StorageUri [\(u)] is not supported",
            at: uri.location, rule: KServeRule.storageUri)
    }

    func checkMountPaths(_ uris: [StorageURISpec]) {
        var paths: [String] = []
        for s in uris {
            let m = s.mountPath
            if s.uri.value.isEmpty {
                diagnostics.report("storage URI cannot be empty", at: s.uri.location, rule: KServeRule.storageUris)
            }
            if m.value == "/" {
                diagnostics.report("storage path cannot be empty", at: m.location, rule: KServeRule.storageUris)
            } else if !m.value.hasPrefix("/") {
                diagnostics.report("storage path must be absolute: \(m.value)", at: m.location, rule: KServeRule.storageUris)
            } else if m.value.contains("..") {
                diagnostics.report(
                    "storage path cannot contain '..' for security reasons: \(m.value)", at: m.location, rule: KServeRule.storageUris)
            } else if !s.uri.value.hasPrefix("pvc://") {
                paths.append(m.value)
            }
        }
        if paths.count > 1, Self.commonParent(paths) == "/" {
            diagnostics.report(
                "storage paths must have a common parent directory. Current paths: [\(paths.joined(separator: " "))] have no common parent beyond root",
                at: uris[0].mountPath.location, rule: KServeRule.storageUris)
        }
    }

    static func commonParent(_ paths: [String]) -> String {
        let split = paths.map { $0.split(separator: "/").map(String.init) }
        var common: [String] = []
        for (i, part) in (split.first ?? []).enumerated() {
            if split.allSatisfy({ $0.count > i && $0[i] == part }) { common.append(part) } else { break }
        }
        // A path shared as a whole by all is a file or the directory itself; its parent is the mount.
        if split.allSatisfy({ $0.count == common.count }) { common = Array(common.dropLast()) }
        return "/" + common.joined(separator: "/")
    }
}
