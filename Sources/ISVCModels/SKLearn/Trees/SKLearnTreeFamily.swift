/// Decision trees, forests and gradient boosting: the decoders by scikit-learn class name.
enum SKLearnTreeFamily {
    static let decoders: [String: SKLearn.Decoder] = [
        "DecisionTreeClassifier": classifier,
        "ExtraTreeClassifier": classifier,
        "RandomForestClassifier": classifier,
        "ExtraTreesClassifier": classifier,
        "DecisionTreeRegressor": regressor,
        "ExtraTreeRegressor": regressor,
        "RandomForestRegressor": regressor,
        "ExtraTreesRegressor": regressor,
        "GradientBoostingClassifier": { object throws(ModelError) in
            .estimator(try SKLearnGradientBoostingClassifier(decoding: object))
        },
        "GradientBoostingRegressor": { object throws(ModelError) in
            .estimator(try SKLearnGradientBoostingRegressor(decoding: object))
        },
    ]

    private static let classifier: SKLearn.Decoder = { object throws(ModelError) in
        .estimator(try SKLearnForestClassifier(decoding: object))
    }

    private static let regressor: SKLearn.Decoder = { object throws(ModelError) in
        .estimator(try SKLearnForestRegressor(decoding: object))
    }
}
