/// Arithmetic that cannot trap: inputs are hostile, and Swift's `Int(_: Double)` and `*` stop the
/// process on NaN or overflow. Validation reports out-of-range values; these keep the stages that run
/// on regardless (building components while checking, expanding) from crashing on them.
extension Int {
    /// The Double rounded toward zero, limited to Int's range; NaN is 0.
    init(saturating d: Double) {
        if d.isNaN {
            self = 0
        } else if d >= 9_223_372_036_854_775_807.0 {
            self = .max
        } else if d <= -9_223_372_036_854_775_808.0 {
            self = .min
        } else {
            self = Int(d)
        }
    }

    func saturatingMultiplied(by other: Int) -> Int {
        let (r, overflow) = multipliedReportingOverflow(by: other)
        if !overflow { return r }
        return (self < 0) == (other < 0) ? .max : .min
    }

    func saturatingAdding(_ other: Int) -> Int {
        let (r, overflow) = addingReportingOverflow(other)
        if !overflow { return r }
        return other > 0 ? .max : .min
    }
}
