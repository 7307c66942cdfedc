import Foundation

/// The loss of a fitted GradientBoosting* model as far as prediction needs it: its link between
/// probabilities and raw predictions (sklearn/_loss/link.py).
enum SKLearnBoostingLoss: Sendable, Equatable {
    /// Regression losses (squared_error, absolute_error, huber, quantile): IdentityLink.
    case identity
    /// log_loss with two classes (HalfBinomialLoss): LogitLink, proba = expit(raw).
    case binomial
    /// exponential (ExponentialLoss): HalfLogitLink, proba = expit(2 raw).
    case exponential
    /// log_loss with more classes (HalfMultinomialLoss): MultinomialLogit, proba = softmax(raw).
    case multinomial

    /// The loss scikit-learn predicts with: the pickled `_loss` object's class, else the `loss`
    /// parameter (with the class count for log_loss).
    static func decode(_ estimator: PickleObject, classifier: Bool, classCount: Int) throws(ModelError) -> SKLearnBoostingLoss {
        let owner = estimator.shortName
        // scikit-learn < 1.4 pickles its own losses from sklearn.ensemble._gb_losses.
        let regression: Set<String> = [
            "HalfSquaredError", "AbsoluteError", "HuberLoss", "PinballLoss",
            "LeastSquaresError", "LeastAbsoluteError", "HuberLossFunction", "QuantileLossFunction",
        ]
        let legacy = ["BinomialDeviance": "HalfBinomialLoss", "MultinomialDeviance": "HalfMultinomialLoss"]
        if let loss = estimator["_loss"]?.object {
            let name = legacy[loss.shortName] ?? loss.shortName
            if !classifier && regression.contains(name) { return .identity }
            if classifier && classCount == 2 && name == "HalfBinomialLoss" { return .binomial }
            if classifier && classCount == 2 && name == "ExponentialLoss" { return .exponential }
            if classifier && classCount > 2 && name == "HalfMultinomialLoss" { return .multinomial }
            let task = classifier ? "\(classCount) classes" : "regression"
            throw SKLearnTreeError.unsupported(owner, "_loss \(loss.className) is not supported for \(task)")
        }
        let name = estimator["loss"]?.stringValue ?? "?"
        if !classifier && ["squared_error", "absolute_error", "huber", "quantile"].contains(name) { return .identity }
        if classifier && name == "log_loss" { return classCount == 2 ? .binomial : .multinomial }
        if classifier && classCount == 2 && name == "exponential" { return .exponential }
        throw SKLearnTreeError.unsupported(owner, "loss '\(name)' is not supported")
    }
}

/// scipy.special.logit as scipy's xsf computes it (log1p form near 0.5).
func sklearnLogit(_ p: Double) -> Double {
    if p < 0.3 || p > 0.65 { return log(p / (1 - p)) }
    let s = 2 * (p - 0.5)
    return log1p(s) - log1p(-s)
}
