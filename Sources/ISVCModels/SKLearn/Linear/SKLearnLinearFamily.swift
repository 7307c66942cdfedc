/// Linear models, SVMs, nearest neighbours, scalers and Pipeline: the decoders by short class name.
/// (The decoders are `@Sendable` file-level functions: Swift 6.3.1's SILGen crashes on typed-throws
/// closure literals and on static-method references converted to the `SKLearn.Decoder` type.)
enum SKLearnLinearFamily {
    static let decoders: [String: SKLearn.Decoder] = {
        var table: [String: SKLearn.Decoder] = [:]
        for name in SKLearnLinearRegressor.classNames { table[name] = decodeLinearRegressor }
        for name in SKLearnLinearClassifier.classNames { table[name] = decodeLinearClassifier }
        for name in SKLearnSVC.classNames { table[name] = decodeSupportVectorClassifier }
        for name in SKLearnSVR.classNames { table[name] = decodeSupportVectorRegressor }
        table["KNeighborsClassifier"] = decodeKNeighborsClassifier
        table["Pipeline"] = decodePipeline
        table["StandardScaler"] = decodeStandardScaler
        table["MinMaxScaler"] = decodeMinMaxScaler
        return table
    }()
}

@Sendable private func decodeLinearRegressor(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnLinearRegressor(o))
}

@Sendable private func decodeLinearClassifier(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnLinearClassifier(o))
}

@Sendable private func decodeSupportVectorClassifier(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnSVC(o))
}

@Sendable private func decodeSupportVectorRegressor(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnSVR(o))
}

@Sendable private func decodeKNeighborsClassifier(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnKNeighborsClassifier(o))
}

@Sendable private func decodePipeline(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .estimator(try SKLearnPipeline(o))
}

@Sendable private func decodeStandardScaler(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .transformer(try SKLearnStandardScaler(o))
}

@Sendable private func decodeMinMaxScaler(_ o: PickleObject) throws(ModelError) -> SKLearn.Step {
    .transformer(try SKLearnMinMaxScaler(o))
}
