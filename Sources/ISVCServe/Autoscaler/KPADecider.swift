/// Knative's KPA for one revision, as a pure state machine over seconds (so tests drive the clock):
/// concurrency samples averaged into 1 s buckets, stable and panic window averages, the desired
/// replica count of `pkg/autoscaler/scaling/autoscaler.go` (`Scale`), and the scale-to-zero steps of
/// `pkg/reconciler/autoscaling/kpa/scaler.go` (active for a stable window, then inactive for the grace
/// period, before zero).
public struct KPADecider: Sendable {
    public let settings: KPASettings

    /// One decision, with the numbers behind it for the log line.
    public struct Decision: Sendable, Equatable {
        public var replicas: Int
        public var stableAverage: Double
        public var panicAverage: Double
        public var panicking: Bool
        /// Why the count is what it is, when not simply the autoscaler's wish ("min-scale", "scale-to-zero grace", ...).
        public var reason: String?
    }

    // 1 s buckets: second -> (sum of samples, sample count).
    private var buckets: [Int: (sum: Double, count: Int)] = [:]
    private var firstSample: Double?
    private var panicSince: Double?
    private var maxPanicPods = 0
    // Scale to zero: when the revision became active (had ready replicas and traffic) and inactive.
    private var activeSince: Double?
    private var inactiveSince: Double?

    public init(settings: KPASettings) {
        self.settings = settings
    }

    /// Records the revision's concurrency (requests in replicas' queue-proxies plus those held by the activator).
    public mutating func record(concurrency: Double, at now: Double) {
        let second = Int(now.rounded(.down))
        buckets[second, default: (0, 0)].sum += concurrency
        buckets[second, default: (0, 0)].count += 1
        if firstSample == nil { firstSample = now }
        let oldest = second - Int(settings.stableWindowSeconds) - 1
        if buckets.count > Int(settings.stableWindowSeconds) + 2 {
            buckets = buckets.filter { $0.key >= oldest }
        }
    }

    /// Knative's `WindowAverage`: the mean of the 1 s buckets of the last `window` seconds, over the
    /// seconds since the first sample when that is shorter.
    public func average(window: Double, at now: Double) -> Double {
        guard let firstSample else { return 0 }
        let last = Int(now.rounded(.down))
        let span = min(Int(window), max(1, last - Int(firstSample.rounded(.down)) + 1))
        var total = 0.0
        for second in (last - span + 1)...last {
            if let b = buckets[second], b.count > 0 { total += b.sum / Double(b.count) }
        }
        return total / Double(span)
    }

    /// The autoscaler's tick: how many replicas the revision should have, given those ready now.
    public mutating func decide(readyReplicas: Int, at now: Double) -> Decision {
        let s = settings
        let stable = average(window: s.stableWindowSeconds, at: now)
        let panic = average(window: s.panicWindowSeconds, at: now)
        guard s.isKPA else {
            return Decision(
                replicas: max(s.bounded(readyReplicas), max(s.minScale, 1)), stableAverage: stable, panicAverage: panic,
                panicking: false, reason: "hpa class: replicas stay at min-scale")
        }
        let ready = Double(max(1, readyReplicas))
        let maxUp = Int((s.maxScaleUpRate * ready).rounded(.up))
        let maxDown = Int((ready / s.maxScaleDownRate).rounded(.down))
        let stablePods = Int((stable / s.targetValue).rounded(.up))
        let panicPods = Int((panic / s.targetValue).rounded(.up))
        let desiredStable = min(max(stablePods, maxDown), maxUp)
        let desiredPanic = min(max(panicPods, maxDown), maxUp)
        let overThreshold = Double(panicPods) / ready >= s.panicThreshold
        if overThreshold {
            panicSince = now
        } else if let since = panicSince, since + s.stableWindowSeconds < now {
            panicSince = nil
            maxPanicPods = 0
        }
        var desired = desiredStable
        if panicSince != nil {
            desired = max(desiredStable, desiredPanic, maxPanicPods)
            maxPanicPods = desired
        }
        var decision = Decision(replicas: desired, stableAverage: stable, panicAverage: panic, panicking: panicSince != nil)
        let bounded = s.bounded(desired)
        if bounded != desired { decision.reason = bounded > desired ? "min-scale \(s.minScale)" : "max-scale \(s.maxScale)" }
        decision.replicas = bounded
        if bounded > 0 {
            inactiveSince = nil
            if activeSince == nil, readyReplicas > 0 { activeSince = now }
            return decision
        }
        return scaleToZero(decision, readyReplicas: readyReplicas, at: now)
    }

    /// Marks the revision active (a replica became ready for traffic) as the PodAutoscaler's Active condition does.
    public mutating func activated(at now: Double) {
        activeSince = activeSince ?? now
        inactiveSince = nil
    }

    private mutating func scaleToZero(_ wish: Decision, readyReplicas: Int, at now: Double) -> Decision {
        var d = wish
        let s = settings
        if !s.enableScaleToZero {
            d.replicas = 1
            d.reason = "enable-scale-to-zero is false"
            return d
        }
        if readyReplicas == 0 { activeSince = nil; return d }
        guard let active = activeSince else {
            // Still activating: keep what is starting.
            d.replicas = 1
            d.reason = "activating"
            return d
        }
        guard let inactive = inactiveSince else {
            if now - active >= s.stableWindowSeconds {
                inactiveSince = now
                d.reason = "no traffic for the stable window: revision inactive, scale to zero after the grace period"
            } else {
                d.reason = "active for less than the stable window"
            }
            d.replicas = 1
            return d
        }
        if now - inactive >= max(s.scaleToZeroGracePeriodSeconds, s.scaleToZeroPodRetentionSeconds) {
            activeSince = nil
            inactiveSince = nil
            d.reason = "inactive for the scale-to-zero grace period"
            return d
        }
        d.replicas = 1
        d.reason = "inactive, within the scale-to-zero grace period"
        return d
    }
}
