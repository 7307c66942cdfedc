/// `classes_` (or another label field) of a fitted linear classifier, SVC or nearest-neighbours model.
extension SKLearnClassLabels {
    init(_ state: SKLearnFittedState, field: String = "classes_") throws(ModelError) {
        let array = try state.object.array(field)
        try self.init(array) { state.inconsistent(field, $0) }
    }
}
