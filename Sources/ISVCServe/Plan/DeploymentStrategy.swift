import ISVCCore

/// A Standard-mode Deployment's `spec.strategy`, and how Kubernetes' deployment controller moves its
/// pods from the old ReplicaSet to the new one (`pkg/controller/deployment/rolling.go`, `recreate.go`).
public struct DeploymentStrategy: Sendable, Equatable {
    public var recreate: Bool
    /// `maxSurge` and `maxUnavailable` as written: an integer or a percentage (default 25%).
    public var maxSurge: String
    public var maxUnavailable: String

    public init(recreate: Bool = false, maxSurge: String = "25%", maxUnavailable: String = "25%") {
        self.recreate = recreate
        self.maxSurge = maxSurge
        self.maxUnavailable = maxUnavailable
    }

    /// From a Deployment's `spec.strategy` (RollingUpdate with 25%/25% when absent, as the API server defaults it).
    public init(_ strategy: Value?) {
        self.init(
            recreate: strategy?["type"]?.string == "Recreate",
            maxSurge: Self.text(strategy?[path: ["rollingUpdate", "maxSurge"]]) ?? "25%",
            maxUnavailable: Self.text(strategy?[path: ["rollingUpdate", "maxUnavailable"]]) ?? "25%")
    }

    static func text(_ v: Value?) -> String? {
        if let i = v?.int { return String(i) }
        return v?.string
    }

    /// An int-or-percent of `total`, as `intstr.GetScaledValueFromIntOrPercent`: a percentage rounds
    /// up for the surge and down for the unavailable pods.
    static func scaled(_ text: String, of total: Int, roundUp: Bool) -> Int {
        guard text.hasSuffix("%"), let percent = Int(text.dropLast()) else { return max(0, Int(text) ?? 0) }
        let exact = Double(percent) * Double(total) / 100
        return max(0, Int(roundUp ? exact.rounded(.up) : exact.rounded(.down)))
    }

    /// The surge and unavailable pods allowed for `replicas` (both 0 would stall: unavailable becomes 1).
    public func limits(replicas: Int) -> (surge: Int, unavailable: Int) {
        let surge = Self.scaled(maxSurge, of: replicas, roundUp: true)
        let unavailable = Self.scaled(maxUnavailable, of: replicas, roundUp: false)
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable)
    }

    /// The ReplicaSets' next sizes, from their sizes and ready pods now: the new one grows while the
    /// total stays within `replicas + surge`; the old one shrinks while `replicas - unavailable`
    /// pods stay ready (Recreate: the old one goes first, the new one comes once none is left).
    public func next(replicas: Int, new: Int, old: Int, newReady: Int, oldReady: Int) -> (new: Int, old: Int) {
        if recreate { return old > 0 || oldReady > 0 ? (0, 0) : (replicas, 0) }
        let (surge, unavailable) = limits(replicas: replicas)
        var new = new, old = old
        if new < replicas {
            let room = replicas + surge - (new + old)
            if room > 0 { new += min(room, replicas - new) }
        }
        let minAvailable = replicas - unavailable
        let maxScaledDown = (new + old) - minAvailable - (new - newReady)
        guard old > 0, maxScaledDown > 0 else { return (new, old) }
        // Old pods that are not ready go first (cleanupUnhealthyReplicas), then ready ones while
        // enough stay available (scaleDownOldReplicaSetsForRollingUpdate).
        old -= min(maxScaledDown, max(0, old - oldReady))
        let available = newReady + min(old, oldReady) - minAvailable
        if available > 0 { old -= min(old, available) }
        return (new, old)
    }
}
