import ISVCCore

/// One revision's autoscaling parameters, as Knative's KPA derives them from `config-autoscaler` and
/// the revision's `autoscaling.knative.dev/*` annotations (`pkg/autoscaler/config`,
/// `pkg/reconciler/autoscaling/resources/target.go`, `kpa/resources/decider.go`).
public struct KPASettings: Sendable, Equatable {
    /// `TargetValue`: concurrent requests per replica the autoscaler aims at (total x utilisation).
    public var targetValue: Double
    /// `TotalValue`: concurrent requests one replica takes (containerConcurrency, or the target default).
    public var totalValue: Double
    public var panicThreshold: Double
    public var stableWindowSeconds: Double
    public var panicWindowSeconds: Double
    public var maxScaleUpRate: Double
    public var maxScaleDownRate: Double
    public var minScale: Int
    /// 0 = no upper bound.
    public var maxScale: Int
    public var initialScale: Int
    public var enableScaleToZero: Bool
    public var scaleToZeroGracePeriodSeconds: Double
    public var scaleToZeroPodRetentionSeconds: Double
    /// False for the HPA class: replicas stay at min-scale (at least one) locally.
    public var isKPA: Bool
    /// `autoscaling.knative.dev/metric` (only `concurrency` is measured locally; see init).
    public var metric: String

    /// How often the autoscaler decides (Knative's tick interval).
    public static let tickSeconds = 2.0

    public init(config: AutoscalerConfig, annotations: [String: String], containerConcurrency: Int) {
        let p = Keys.autoscalingPrefix
        func number(_ key: String) -> Double? { annotations[p + key].flatMap(Double.init) }
        func integer(_ key: String) -> Int? { annotations[p + key].flatMap { Int($0) } }
        func seconds(_ key: String) -> Double? { annotations[p + key].flatMap(Durations.seconds).map(Double.init) }

        metric = annotations[p + "metric"] ?? "concurrency"
        isKPA = (annotations[p + "class"] ?? config.podAutoscalerClass) == Keys.kpaClass
        // Only concurrency is measured locally: an rps revision scales on Knative's concurrency target
        // (its `target`, in requests per second, does not apply).
        var total = containerConcurrency > 0 ? Double(containerConcurrency) : config.containerConcurrencyTargetDefault
        if let target = number("target"), metric != "rps" {
            total = containerConcurrency > 0 ? min(target, Double(containerConcurrency)) : target
        }
        let utilisation = (number("target-utilization-percentage") ?? config.containerConcurrencyTargetPercentage) / 100
        totalValue = total
        targetValue = max(0.01, total * utilisation)
        panicThreshold = (number("panic-threshold-percentage") ?? config.panicThresholdPercentage) / 100
        stableWindowSeconds = seconds("window") ?? Double(config.stableWindowSeconds)
        let panicPercentage = number("panic-window-percentage") ?? config.panicWindowPercentage
        panicWindowSeconds = max(1, (stableWindowSeconds * panicPercentage / 100).rounded())
        maxScaleUpRate = config.maxScaleUpRate
        maxScaleDownRate = config.maxScaleDownRate
        minScale = integer("min-scale") ?? config.minScale
        maxScale = integer("max-scale") ?? config.maxScale
        let initial = integer("initial-scale") ?? config.initialScale
        initialScale = initial == 0 && !config.allowZeroInitialScale ? 1 : initial
        enableScaleToZero = config.enableScaleToZero
        scaleToZeroGracePeriodSeconds = Double(config.scaleToZeroGracePeriodSeconds)
        scaleToZeroPodRetentionSeconds =
            seconds("scale-to-zero-pod-retention-period")
            ?? Double(config.scaleToZeroPodRetentionPeriodSeconds)
    }

    /// The replica count a bound allows: at least min-scale, at most max-scale.
    public func bounded(_ desired: Int) -> Int {
        var n = max(desired, minScale)
        if maxScale > 0 { n = min(n, maxScale) }
        return n
    }
}
