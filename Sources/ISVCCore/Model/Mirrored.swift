/// The upstream sources whose behaviour `isvc`'s output mirrors: the commits the reference notes and
/// the CRD schemas (schemas/SOURCES.md) were read at, and the Envoy release the emitted configs are
/// checked with. `isvc version` prints them.
public enum Mirrored {
    public struct Source: Sendable {
        public var project: String
        public var version: String
        public var repository: String
        public var commit: String
    }

    public static let isvc = "0.1.0"

    public static let sources: [Source] = [
        Source(project: "KServe", version: "v0.20.0-rc0-104", repository: "kserve/kserve", commit: "aaac4e294dae"),
        Source(project: "Knative Serving", version: "knative-v1.23.0-5", repository: "knative/serving", commit: "98e5ef90aa70"),
        Source(project: "net-istio", version: "knative-v1.22.0-7", repository: "knative-extensions/net-istio", commit: "bdbf4dac4ecb"),
        Source(project: "Istio (istiod)", version: "1.31.0-alpha.0-109", repository: "istio/istio", commit: "86c9f01fd735"),
        Source(project: "Envoy", version: "1.40.0", repository: "envoyproxy/envoy", commit: "9e5580933739"),
        Source(project: "Gateway API", version: "monthly-2026.06-120", repository: "kubernetes-sigs/gateway-api", commit: "4564255ac2c3"),
        Source(project: "KEDA", version: "v2.20.1-117", repository: "kedacore/keda", commit: "8b4f083ca8c8"),
    ]

    /// What `isvc version` and `isvc --version` print.
    public static var text: String {
        let width = sources.map(\.project.count).max() ?? 0
        let versionWidth = sources.map(\.version.count).max() ?? 0
        var out = "isvc \(isvc)\nits output mirrors (read at these commits):\n"
        for s in sources {
            out +=
                "  " + s.project.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                + s.version.padding(toLength: versionWidth, withPad: " ", startingAt: 0) + "  \(s.repository) \(s.commit)\n"
        }
        out += "Envoy configs are loaded by Envoy 1.40.0 in CI; Kubernetes objects are checked against Kubernetes 1.31's schemas.\n"
        out += "The CRD schemas' sources: schemas/SOURCES.md.\n"
        return out
    }
}
