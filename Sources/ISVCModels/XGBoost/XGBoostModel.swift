/// An XGBoost Booster loaded from a file written by `Booster.save_model` (JSON, or UBJSON as
/// .ubj/.bst), predicting what `Booster.predict(DMatrix(rows))` returns, which is what KServe's
/// xgbserver answers: float32 values, shape [N] for one output per row, [N, K] for
/// multi:softprob with K classes (or K targets).
///
/// Boosters with the gbtree or dart booster are supported, with numerical and categorical splits.
public struct XGBoostModel: Estimator {
    public var modelName: String { "Booster" }
    public var featureCount: Int? { numFeature }

    /// The Booster's `feature_names` (empty when it was trained without names). Booster.predict
    /// refuses a DMatrix without names when these are set; KServe's xgbserver builds its DMatrix
    /// from a plain array, so such a model fails there. isvc predicts by position regardless.
    public let featureNames: [String]

    let numFeature: Int
    let objective: XGBoostObjective
    /// Output groups per row: max(num_class, num_target, 1).
    let groupCount: Int
    /// The starting margin of each group: `base_score` through the objective's ProbToMargin.
    let baseMargin: [Float]
    let forest: XGBoostForest

    public static func load(fileAt path: String) throws(ModelError) -> XGBoostModel {
        try XGBoostModel(document: XGBoostModelFile.read(fileAt: path), file: path)
    }

    /// Decodes a model from the bytes of a saved model (JSON or UBJSON); `file` names it in errors.
    static func decode(_ bytes: [UInt8], file: String) throws(ModelError) -> XGBoostModel {
        try XGBoostModel(document: XGBoostModelFile.decode(bytes, file: file), file: file)
    }

    init(document: XGBoostValue, file: String) throws(ModelError) {
        let learner = try XGBoostField(root: document, file: file).member("learner")
        featureNames = try learner.optionalMember("feature_names")?.elements().map { field throws(ModelError) in try field.string() } ?? []
        let parameters = try learner.member("learner_model_param")
        numFeature = try parameters.member("num_feature").integerParameter(in: 0...Int(Int32.max))
        let classes = try parameters.member("num_class").integerParameter(in: 0...1_000_000)
        let targets = try parameters.optionalMember("num_target")?.integerParameter(in: 1...1_000_000) ?? 1
        groupCount = max(classes, targets, 1)

        objective = try XGBoostObjective.named(learner.member("objective").member("name").string(), file: file)
        if objective.link == .softprob || objective.link == .softmax, classes < 1 || targets != 1 {
            throw parameters.corrupt("\(objective.name) needs num_class >= 1 and one target (num_class \(classes), num_target \(targets))")
        }

        let baseScoreField = try parameters.member("base_score")
        let scores = try Self.baseScores(baseScoreField, groups: groupCount)
        var margins: [Float] = []
        for score in scores {
            guard let margin = objective.margin(fromBaseScore: score) else {
                throw baseScoreField.corrupt("base_score \(score) is not valid for \(objective.name)")
            }
            margins.append(margin)
        }
        baseMargin = margins

        let booster = try learner.member("gradient_booster")
        let decoder = XGBoostTreeDecoder(featureCount: numFeature, groupCount: groupCount)
        switch try booster.member("name").string() {
        case "gbtree":
            forest = try decoder.forest(model: booster.member("model"), weights: nil)
        case "dart":
            let weights = try booster.member("weight_drop").floats()
            forest = try decoder.forest(model: booster.member("gbtree").member("model"), weights: weights)
        case "gblinear":
            throw ModelError.unsupported("\(file): XGBoost boosters of type gblinear are not supported (only gbtree and dart)")
        case let other:
            throw ModelError.unsupported("\(file): XGBoost booster '\(other)' is not supported (only gbtree and dart)")
        }
    }

    /// `base_score` as LearnerModelParamLegacy parses it: a float32 ("5E-1", xgboost < 3.1) or an
    /// array of them ("[6.247756E-1]"); one value is used for every group.
    static func baseScores(_ field: XGBoostField, groups: Int) throws(ModelError) -> [Float] {
        var text = XGBoostField.trimmed(try field.string())
        if text.hasPrefix("(") || text.hasPrefix("[") { text.removeFirst() }
        if text.hasSuffix(")") || text.hasSuffix("]") { text.removeLast() }
        var scores: [Float] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = XGBoostField.trimmed(String(part))
            guard let v = Float(item), v.isFinite, item.allSatisfy({ "0123456789+-.eE".contains($0) }) else {
                throw field.corrupt("'\(text.prefix(80))' is not a number or a list of finite numbers")
            }
            scores.append(v)
        }
        if scores.count == 1 { return Array(repeating: scores[0], count: groups) }
        guard scores.count == groups else {
            throw field.corrupt("has \(scores.count) values for \(groups) outputs")
        }
        return scores
    }

    public func predict(_ x: Matrix) throws(ModelError) -> Prediction {
        // XGBoost refuses more columns than the booster has features, and takes fewer as missing.
        guard x.columns <= numFeature else {
            throw ModelError.badInput(
                "Number of columns does not match number of features in booster: "
                    + "the booster has \(numFeature) features, the request \(x.columns) columns")
        }
        let rows = x.rows, groups = groupCount, columns = x.columns
        var margins = [Float](repeating: 0, count: rows * groups)
        var features = [Float](repeating: .nan, count: numFeature)
        var invalid: Int?
        x.values.withUnsafeBufferPointer { input in
            features.withUnsafeMutableBufferPointer { features in
                margins.withUnsafeMutableBufferPointer { margins in
                    for r in 0..<rows {
                        // DMatrix(numpy float64) keeps float32 values; NaN is missing, inf is refused.
                        for c in 0..<columns {
                            let v = Float(input[r * columns + c])
                            if v.isInfinite { invalid = r }
                            features[c] = v
                        }
                        if invalid != nil { return }
                        let out = UnsafeMutableBufferPointer(rebasing: margins[(r * groups)..<((r + 1) * groups)])
                        for g in 0..<groups { out[g] = baseMargin[g] }
                        forest.accumulate(features: UnsafeBufferPointer(features), into: out)
                    }
                }
            }
        }
        if let invalid {
            throw ModelError.badInput(
                "row \(invalid): input data contains `inf` or a value too large for float32, "
                    + "which XGBoost refuses while `missing` is not set to `inf`")
        }
        let (shape, values) = objective.transform(&margins, rows: rows, groups: groups)
        return Prediction(shape: shape, values: .float32(values))
    }
}
