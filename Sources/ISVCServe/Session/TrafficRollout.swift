import Foundation

/// Knative's gradual rollout of one Route's latest-revision target (`serving.knative.dev/rollout-duration`,
/// knative/serving `pkg/reconciler/route/traffic/rollout.go`): when the configuration gets a new
/// revision, it starts with 1 % of the target's share, taken from the newest older revision; once the
/// new revision is ready, step size and interval are set so that the rest moves within the duration
/// (at least 1 s and 1 % a step); each step moves `stepSize` to the newest revision, taken from the
/// newest older revisions first; the rollout ends when one revision has the whole share.
public struct TrafficRollout: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        public var revision: String
        public var percent: Int
    }

    /// The Route's namespace, and the target's share of the Route's traffic (percent).
    public var namespace: String
    public var percent: Int
    /// Oldest first; the last is the newest revision, which the rollout moves traffic to.
    public private(set) var revisions: [Share]
    public var durationSeconds: Int
    /// Seconds since the rollout started (the edit) when the next step is due; nil until the new
    /// revision has been seen ready.
    public private(set) var nextStep: Double?
    public private(set) var stepSize = 0
    public private(set) var stepSeconds = 0.0

    public var done: Bool { revisions.count < 2 }
    public var newest: String { revisions.last?.revision ?? "" }

    /// A rollout to `revision`, from `previous` (the target's revisions now: one in a steady state,
    /// several when a rollout was under way, which then stacks as Knative's does). nil when Knative
    /// makes none: the target has at most 1 % (the new revision takes it at once), or nothing to move from.
    public init?(to revision: String, from previous: [Share], namespace: String, percent: Int, durationSeconds: Int) {
        guard percent > 1, durationSeconds > 0, previous.contains(where: { $0.percent > 0 }),
            previous.last?.revision != revision
        else { return nil }
        self.namespace = namespace
        self.percent = percent
        self.durationSeconds = durationSeconds
        var shares = Self.adjusted(previous, to: percent)
        if let i = shares.lastIndex(where: { $0.percent > 0 }) { shares[i].percent -= 1 }
        shares.removeAll { $0.percent == 0 }
        revisions = shares + [Share(revision: revision, percent: 1)]
    }

    /// The shares scaled to a changed target percent, as Knative's `adjustPercentage`: more goes to
    /// the newest revision; less is taken from the oldest first.
    static func adjusted(_ shares: [Share], to percent: Int) -> [Share] {
        var shares = shares
        let total = shares.reduce(0) { $0 + $1.percent }
        if total < percent, !shares.isEmpty {
            shares[shares.count - 1].percent += percent - total
        } else if total > percent {
            var excess = total - percent
            for i in shares.indices where excess > 0 {
                let take = min(excess, shares[i].percent)
                shares[i].percent -= take
                excess -= take
            }
            shares.removeAll { $0.percent == 0 }
        }
        return shares
    }

    /// The target's share changed (a canary percent edited mid-rollout).
    public mutating func adjust(to percent: Int) {
        guard percent != self.percent else { return }
        revisions = Self.adjusted(revisions, to: percent)
        self.percent = percent
        if done { nextStep = nil }
    }

    /// The new revision is ready `elapsed` seconds after the rollout started: Knative's `ObserveReady`
    /// sets the steps from the time the first 1 % took.
    public mutating func observeReady(after elapsed: Double) {
        guard nextStep == nil, !done else { return }
        let minStep = max(1, (elapsed).rounded(.up))
        let duration = max(1, Double(durationSeconds) - minStep)
        var steps = max(1, duration / minStep)
        let remaining = Double(percent - 1)
        if remaining < steps { steps = remaining }
        stepSize = Int((remaining / steps).rounded(.toNearestOrAwayFromZero))
        stepSeconds = duration / steps
        nextStep = elapsed + stepSeconds
    }

    /// One step, taken at `now` seconds after the start (Knative's `stepRevisions`): `stepSize` moves
    /// to the newest revision, from the newest older revisions first; a revision left with nothing goes.
    public mutating func step(at now: Double) {
        guard let due = nextStep, now >= due, revisions.count >= 2, stepSize > 0 else { return }
        var remaining = stepSize
        var newest = revisions.removeLast()
        var i = revisions.count - 1
        while remaining > 0, i >= 0 {
            if revisions[i].percent > remaining {
                revisions[i].percent -= remaining
                remaining = 0
            } else {
                remaining -= revisions[i].percent
                revisions.remove(at: i)
            }
            i -= 1
        }
        newest.percent = min(percent, newest.percent + stepSize)
        revisions.append(newest)
        nextStep = revisions.count > 1 ? now + stepSeconds : nil
    }

    /// The shares as a log line: `3% rev-00002, 97% rev-00001`, newest first.
    public var description: String {
        revisions.reversed().map { "\($0.percent)% \($0.revision)" }.joined(separator: ", ")
    }
}
