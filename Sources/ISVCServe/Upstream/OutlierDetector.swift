import ISVCCore

/// Envoy's outlier detector for one cluster (consecutive 5xx and consecutive gateway failures; success
/// rate and failure percentage are not emitted by istiod's gateway config and not run). Pure state:
/// the caller reports each upstream answer per endpoint and advances the clock; ticks run every
/// `interval` from the detector's start, as Envoy's interval timer does, and unejections happen only
/// on ticks.
public struct OutlierDetector: Sendable {
    public struct Config: Sendable, Equatable {
        public var consecutive5xx = 5
        public var consecutiveGatewayFailure = 5
        /// Percent chance that a detected ejection is enforced (Envoy: 100 for 5xx, 0 for gateway failures).
        public var enforcing5xx = 100
        public var enforcingGatewayFailure = 0
        public var interval = 10.0
        public var baseEjectionTime = 30.0
        public var maxEjectionPercent = 10
        public var maxEjectionTime: Double
        public var alwaysEjectOneHost = false

        public init(
            consecutive5xx: Int = 5, consecutiveGatewayFailure: Int = 5, enforcing5xx: Int = 100, enforcingGatewayFailure: Int = 0,
            interval: Double = 10, baseEjectionTime: Double = 30, maxEjectionPercent: Int = 10, maxEjectionTime: Double? = nil,
            alwaysEjectOneHost: Bool = false
        ) {
            self.consecutive5xx = consecutive5xx
            self.consecutiveGatewayFailure = consecutiveGatewayFailure
            self.enforcing5xx = enforcing5xx
            self.enforcingGatewayFailure = enforcingGatewayFailure
            self.interval = max(0.001, interval)
            self.baseEjectionTime = baseEjectionTime
            self.maxEjectionPercent = maxEjectionPercent
            // Unset: Envoy's 300 s or the base ejection time, whichever is larger.
            self.maxEjectionTime = maxEjectionTime ?? max(300, baseEjectionTime)
            self.alwaysEjectOneHost = alwaysEjectOneHost
        }

        /// A typed `outlier_detection` block, with Envoy's defaults for what it leaves out.
        public init(_ o: Envoy.OutlierDetection) {
            func int(_ v: Int?, _ d: Int) -> Int { max(0, v ?? d) }
            self.init(
                consecutive5xx: int(o.consecutive5xx, 5), consecutiveGatewayFailure: int(o.consecutiveGatewayFailure, 5),
                enforcing5xx: int(o.enforcingConsecutive5xx, 100), enforcingGatewayFailure: int(o.enforcingConsecutiveGatewayFailure, 0),
                interval: o.interval?.seconds ?? 10, baseEjectionTime: o.baseEjectionTime?.seconds ?? 30,
                maxEjectionPercent: int(o.maxEjectionPercent, 10), maxEjectionTime: o.maxEjectionTime?.seconds,
                alwaysEjectOneHost: o.alwaysEjectOneHost ?? false)
        }
    }

    public enum Kind: String, Sendable {
        case consecutive5xx = "consecutive 5xx", consecutiveGatewayFailure = "consecutive gateway failures"
    }

    public enum Event: Sendable, Equatable {
        /// Ejected for `seconds` (base x times ejected, capped); `count` = how many times so far.
        case ejected(String, Kind, seconds: Double, count: Int)
        /// Detected but not ejected: `max_ejection_percent` would be exceeded (Envoy's `ejections_overflow`).
        case overflow(String, Kind)
        /// Detected, not enforced (the enforcing percentage said no).
        case notEnforced(String, Kind)
        case unejected(String)
    }

    struct Host {
        var consecutive5xx = 0
        var consecutiveGateway = 0
        var ejected = false
        var ejections = 0
        var backoff = 0
        var lastEjection: Double?
        var lastUnejection: Double?
    }

    public let config: Config
    private(set) var hosts: [String: Host] = [:]
    private(set) var activeEjections = 0
    private var nextTick: Double

    public init(config: Config, now: Double) {
        self.config = config
        nextTick = now + config.interval
    }

    public func isEjected(_ host: String) -> Bool { hosts[host]?.ejected ?? false }
    public func ejections(of host: String) -> Int { hosts[host]?.ejections ?? 0 }

    /// The cluster's endpoints now: new ones are watched, removed ones forgotten (with their ejection).
    public mutating func sync(hosts names: [String]) {
        let wanted = Set(names)
        for gone in hosts.keys where !wanted.contains(gone) {
            if hosts[gone]?.ejected == true { activeEjections -= 1 }
            hosts[gone] = nil
        }
        for name in names where hosts[name] == nil { hosts[name] = Host() }
    }

    /// One upstream answer from `host` (a status code; local failures as Envoy maps them: connect
    /// failure 503, timeout 504). `roll` answers an enforcement percentage (true = enforce).
    public mutating func record(
        host name: String, status: Int, now: Double,
        roll: (Int) -> Bool = { Int.random(in: 0..<100) < $0 }
    ) -> [Event] {
        var events = advance(to: now)
        guard var h = hosts[name] else { return events }
        var detected: [Kind] = []
        if (500...599).contains(status) {
            if [502, 503, 504].contains(status) {
                h.consecutiveGateway += 1
                if h.consecutiveGateway == config.consecutiveGatewayFailure { detected.append(.consecutiveGatewayFailure) }
            } else {
                h.consecutiveGateway = 0
            }
            h.consecutive5xx += 1
            if h.consecutive5xx == config.consecutive5xx { detected.append(.consecutive5xx) }
        } else {
            h.consecutive5xx = 0
            h.consecutiveGateway = 0
        }
        hosts[name] = h
        for kind in detected {
            // An ejected host's further failures are ignored (and its counter is not reset).
            guard hosts[name]?.ejected == false else { continue }
            events.append(eject(name, kind: kind, now: now, roll: roll))
            if kind == .consecutive5xx { hosts[name]?.consecutive5xx = 0 } else { hosts[name]?.consecutiveGateway = 0 }
        }
        return events
    }

    mutating func eject(_ name: String, kind: Kind, now: Double, roll: (Int) -> Bool) -> Event {
        // Envoy since 1.27: eject only if the ejected share after this one stays within the maximum
        // (or, with always_eject_one_host, when nothing is ejected yet).
        let maxPercent = Double(min(100, config.maxEjectionPercent))
        let share = 100.0 * Double(activeEjections + 1) / Double(max(1, hosts.count))
        var allowed = share <= maxPercent
        if config.alwaysEjectOneHost { allowed = allowed || activeEjections == 0 }
        guard allowed else { return .overflow(name, kind) }
        guard roll(kind == .consecutive5xx ? config.enforcing5xx : config.enforcingGatewayFailure) else { return .notEnforced(name, kind) }
        var h = hosts[name]!
        activeEjections += 1
        h.ejected = true
        h.ejections += 1
        h.lastEjection = now
        if Double(h.backoff) * config.baseEjectionTime < config.maxEjectionTime + config.baseEjectionTime { h.backoff += 1 }
        hosts[name] = h
        return .ejected(name, kind, seconds: ejectionTime(h), count: h.ejections)
    }

    func ejectionTime(_ h: Host) -> Double {
        min(config.baseEjectionTime * Double(h.backoff), config.maxEjectionTime)
    }

    /// Runs the interval ticks due by `now`: unejects hosts whose time is up, and lowers the backoff of
    /// hosts healthy for a whole interval since their unejection.
    public mutating func advance(to now: Double) -> [Event] {
        var events: [Event] = []
        var ticks = 0
        while nextTick <= now {
            let t = nextTick
            for name in hosts.keys.sorted() {
                guard var h = hosts[name], h.ejected, let last = h.lastEjection, ejectionTime(h) <= t - last else { continue }
                h.ejected = false
                h.consecutive5xx = 0
                h.consecutiveGateway = 0
                h.lastUnejection = t
                hosts[name] = h
                activeEjections -= 1
                events.append(.unejected(name))
            }
            for name in hosts.keys {
                guard var h = hosts[name], !h.ejected, let last = h.lastUnejection, t - last >= config.interval, h.backoff > 0 else {
                    continue
                }
                h.backoff -= 1
                hosts[name] = h
            }
            nextTick += config.interval
            ticks += 1
            // A long quiet spell: skip ahead (nothing changes after the backoffs are spent).
            if ticks > 10_000, nextTick <= now {
                nextTick = now + config.interval
                break
            }
        }
        return events
    }
}
