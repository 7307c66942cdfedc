import ISVCCore
import Testing

@testable import ISVCServe

/// The KPA's arithmetic against Knative's formulas (reference knative.md §5), on a driven clock.
@Suite("KPA decider")
struct KPADeciderTests {
    static func settings(
        _ annotations: [String: String] = [:], cc: Int = 0,
        configure: (inout AutoscalerConfig) -> Void = { _ in }
    ) -> KPASettings {
        var config = AutoscalerConfig()
        configure(&config)
        var full: [String: String] = [:]
        for (k, v) in annotations { full["autoscaling.knative.dev/" + k] = v }
        return KPASettings(config: config, annotations: full, containerConcurrency: cc)
    }

    /// Feeds `value` ten times a second over [from, to).
    static func feed(_ d: inout KPADecider, _ value: Double, from: Double, to: Double) {
        var t = from
        while t < to - 1e-9 {
            d.record(concurrency: value, at: t)
            t += 0.1
        }
    }

    @Test("targets, windows and bounds come from config-autoscaler and the revision's annotations")
    func targets() {
        let defaults = Self.settings()
        #expect(defaults.targetValue == 70 && defaults.totalValue == 100)
        #expect(defaults.stableWindowSeconds == 60 && defaults.panicWindowSeconds == 6 && defaults.panicThreshold == 2)
        #expect(defaults.initialScale == 1 && defaults.minScale == 0 && defaults.maxScale == 0)
        #expect(Self.settings(cc: 10).targetValue == 7)
        // The target annotation is capped at containerConcurrency.
        #expect(Self.settings(["target": "20"], cc: 10).totalValue == 10)
        #expect(Self.settings(["target": "5", "target-utilization-percentage": "50"]).targetValue == 2.5)
        let short = Self.settings(["window": "6s"])
        #expect(short.stableWindowSeconds == 6 && short.panicWindowSeconds == 1)
        #expect(Self.settings(["initial-scale": "0"]).initialScale == 1, "zero initial scale needs allow-zero-initial-scale")
        #expect(Self.settings(["initial-scale": "0"]) { $0.allowZeroInitialScale = true }.initialScale == 0)
        #expect(!Self.settings(["class": "hpa.autoscaling.knative.dev"]).isKPA)
        #expect(Self.settings(["min-scale": "2", "max-scale": "3"]).bounded(7) == 3)
        #expect(Self.settings(["min-scale": "2", "max-scale": "3"]).bounded(0) == 2)
    }

    @Test("steady load: ceil(average / target) replicas; panic mode when the panic window wants twice the ready pods")
    func steadyAndPanic() {
        var d = KPADecider(settings: Self.settings())
        Self.feed(&d, 140, from: 0, to: 60)
        let two = d.decide(readyReplicas: 2, at: 59.95)
        #expect(two.replicas == 2 && !two.panicking, "\(two)")
        #expect(abs(two.stableAverage - 140) < 1e-6)
        // With one ready pod the panic window wants 2 = 2.0 x ready: panic.
        let panic = d.decide(readyReplicas: 1, at: 59.95)
        #expect(panic.replicas == 2 && panic.panicking, "\(panic)")
    }

    @Test("a spike panics to the panic window's count, which holds until a stable window without panic")
    func panicHolds() {
        var d = KPADecider(settings: Self.settings())
        Self.feed(&d, 0, from: 0, to: 54)
        Self.feed(&d, 700, from: 54, to: 60)
        let spike = d.decide(readyReplicas: 1, at: 59.95)
        #expect(spike.panicking && spike.replicas == 10, "\(spike)")
        #expect(abs(spike.stableAverage - 70) < 1e-6, "700 for 6 of 60 s")
        // Load gone: the panic window is empty, but panic mode never scales down.
        Self.feed(&d, 0, from: 60, to: 70)
        let calm = d.decide(readyReplicas: 10, at: 69.95)
        #expect(calm.panicking && calm.replicas == 10, "\(calm)")
        // A stable window after the last over-threshold tick, panic ends and the stable average rules.
        Self.feed(&d, 0, from: 70, to: 121)
        let after = d.decide(readyReplicas: 10, at: 120.95)
        #expect(!after.panicking && after.replicas == 5, "\(after): max-scale-down-rate 2 halves at most per tick")
    }

    @Test("scale to zero: one replica while active for a stable window, inactive for the grace period, then zero")
    func scaleToZero() {
        var d = KPADecider(settings: Self.settings(["window": "6s"]) { $0.scaleToZeroGracePeriodSeconds = 6 })
        d.activated(at: 0)
        var seen: [Int] = []
        var t = 0.0
        for tick in 1...7 {
            Self.feed(&d, 0, from: t, to: Double(tick) * 2)
            t = Double(tick) * 2
            seen.append(d.decide(readyReplicas: seen.last ?? 1, at: t).replicas)
        }
        // Ticks at 2, 4, 6 (active for 6 s: inactive from here), 8, 10, 12 (grace over), 14.
        #expect(seen == [1, 1, 1, 1, 1, 0, 0], "\(seen)")
    }

    @Test("min-scale, enable-scale-to-zero false and the HPA class keep a replica")
    func keepsAReplica() {
        for s in [
            Self.settings(["window": "6s", "min-scale": "1"]),
            Self.settings(["window": "6s"]) { $0.enableScaleToZero = false },
            Self.settings(["class": "hpa.autoscaling.knative.dev"]),
        ] {
            var d = KPADecider(settings: s)
            d.activated(at: 0)
            Self.feed(&d, 0, from: 0, to: 200)
            #expect(d.decide(readyReplicas: 1, at: 199.95).replicas == 1, "\(s)")
            #expect(d.decide(readyReplicas: 1, at: 199.96).replicas == 1, "\(s)")
        }
    }
}
