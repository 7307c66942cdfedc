#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The learning objective of a Booster, as far as prediction needs it: how the saved
/// `base_score` (in the objective's output space) becomes a margin (`ProbToMargin`), and how
/// summed margins become what `Booster.predict` returns (`PredTransform`). The arithmetic is
/// float32 throughout, as in xgboost's src/objective/{regression_loss.h,regression_obj.cu,
/// multiclass_obj.cu} and src/common/math.h.
struct XGBoostObjective: Sendable {
    enum Link: Sendable {
        /// Margins are the prediction (squared error, absolute error, logitraw, ...).
        case identity
        /// Logistic: base_score is a probability, predictions are sigmoid(margin).
        case logistic
        /// Log link: base_score is a mean, predictions are exp(margin) (poisson, gamma, tweedie).
        case log
        /// Softmax over the classes of a row (multi:softprob): base_score is already a margin.
        case softprob
        /// Index of the largest margin as float32 (multi:softmax).
        case softmax
    }

    let name: String
    let link: Link

    /// The objectives isvc runs, by XGBoost's registered name.
    static func named(_ name: String, file: String) throws(ModelError) -> XGBoostObjective {
        let link: Link
        switch name {
        case "reg:squarederror", "reg:linear", "reg:squaredlogerror", "reg:absoluteerror",
            "reg:pseudohubererror", "binary:logitraw":
            link = .identity
        case "binary:logistic", "reg:logistic": link = .logistic
        case "count:poisson", "reg:gamma", "reg:tweedie": link = .log
        case "multi:softprob": link = .softprob
        case "multi:softmax": link = .softmax
        default:
            throw ModelError.unsupported(
                "\(file): XGBoost objective '\(name)' is not supported; supported objectives: binary:logistic, "
                    + "binary:logitraw, reg:squarederror, reg:squaredlogerror, reg:absoluteerror, reg:pseudohubererror, "
                    + "reg:logistic, count:poisson, reg:gamma, reg:tweedie, multi:softprob, multi:softmax")
        }
        return XGBoostObjective(name: name, link: link)
    }

    /// `ObjFunction::ProbToMargin` of one intercept value; nil when xgboost rejects the value.
    func margin(fromBaseScore score: Float) -> Float? {
        switch link {
        case .identity, .softprob, .softmax:
            return score
        case .logistic:
            // LogisticRegression::CheckIntercept, then clamp to [kRtEps, 1 - kRtEps] and Logit.
            guard score >= 0, score <= 1 else { return nil }
            let eps: Float = 1e-6
            let p = min(max(score, eps), 1 - eps)
            return -logf(1 / p - 1)
        case .log:
            // GammaDeviance::CheckIntercept requires > 0; poisson and tweedie take log as is.
            if name == "reg:gamma", !(score > 0) { return nil }
            return logf(score)
        }
    }

    /// The output of `Booster.predict` for margins laid out [rows, groups]: its shape and values.
    func transform(_ margins: inout [Float], rows: Int, groups: Int) -> (shape: [Int], values: [Float]) {
        let matrixShape = groups == 1 ? [rows] : [rows, groups]
        switch link {
        case .identity:
            return (matrixShape, margins)
        case .logistic:
            for i in margins.indices { margins[i] = Self.sigmoid(margins[i]) }
            return (matrixShape, margins)
        case .log:
            for i in margins.indices { margins[i] = expf(margins[i]) }
            return (matrixShape, margins)
        case .softprob:
            margins.withUnsafeMutableBufferPointer { m in
                for r in 0..<rows { Self.softmax(UnsafeMutableBufferPointer(rebasing: m[(r * groups)..<((r + 1) * groups)])) }
            }
            return (matrixShape, margins)
        case .softmax:
            var labels = [Float](repeating: 0, count: rows)
            margins.withUnsafeBufferPointer { m in
                for r in 0..<rows {
                    // common::FindMaxIndex: the first of equal maxima.
                    var best = 0
                    for k in 1..<max(groups, 1) where m[r * groups + k] > m[r * groups + best] { best = k }
                    labels[r] = Float(best)
                }
            }
            return ([rows], labels)
        }
    }

    /// common::Sigmoid(float).
    @inline(__always) static func sigmoid(_ x: Float) -> Float {
        let clamped = min(-x, 88.7 as Float)
        let denominator = expf(clamped) + 1 + (1e-16 as Float)
        return 1 / denominator
    }

    /// common::Softmax: float exponentials of (x - max), summed in double, divided as float.
    static func softmax(_ row: UnsafeMutableBufferPointer<Float>) {
        guard let first = row.first else { return }
        var largest = first
        for v in row.dropFirst() { largest = fmaxf(v, largest) }
        var sum = 0.0
        for i in row.indices {
            row[i] = expf(row[i] - largest)
            sum += Double(row[i])
        }
        let total = Float(sum)
        for i in row.indices { row[i] /= total }
    }
}
