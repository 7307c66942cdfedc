import Foundation
import ISVCModels

/// Helpers for the XGBoost suites: temporary model files and edits of the fixture documents.
enum XGBoostTestSupport {
    /// One temporary directory for the files of this test process.
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-xgboost-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `bytes` to a fresh temporary file whose name ends in `name` and returns its path.
    static func write(_ bytes: [UInt8], named name: String) throws -> String {
        let url = directory.appendingPathComponent("\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        return url.path
    }

    static func load(_ bytes: [UInt8], named name: String = "model.json") throws -> XGBoostModel {
        let path = try write(bytes, named: name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try XGBoostModel.load(fileAt: path)
    }

    /// The error `XGBoostModel.load` throws for a file with these bytes, nil if it loads.
    static func loadError(_ bytes: [UInt8], named name: String = "model.json") throws -> ModelError? {
        let path = try write(bytes, named: name)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try XGBoostModel.load(fileAt: path)
            return nil
        } catch {
            return error
        }
    }

    static func fixtureBytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try FixtureExpectation(named: name).modelFile))
    }

    /// A fixture's JSON document, to edit and re-serialize.
    static func fixtureDocument(_ name: String) throws -> [String: Any] {
        guard let doc = try JSONSerialization.jsonObject(with: Data(fixtureBytes(name))) as? [String: Any] else {
            throw FixtureError("\(name): not a JSON object")
        }
        return doc
    }

    static func serialize(_ document: Any) throws -> [UInt8] {
        [UInt8](try JSONSerialization.data(withJSONObject: document))
    }

    /// Edits the first tree of a gbtree JSON document.
    static func editingFirstTree(_ document: [String: Any], _ edit: (inout [String: Any]) -> Void) throws -> [String: Any] {
        var doc = document
        guard var learner = doc["learner"] as? [String: Any], var booster = learner["gradient_booster"] as? [String: Any],
            var model = booster["model"] as? [String: Any], var trees = model["trees"] as? [[String: Any]]
        else {
            throw FixtureError("not a gbtree document")
        }
        edit(&trees[0])
        model["trees"] = trees
        booster["model"] = model
        learner["gradient_booster"] = booster
        doc["learner"] = learner
        return doc
    }

    /// Edits `learner` of a JSON document.
    static func editingLearner(_ document: [String: Any], _ edit: (inout [String: Any]) -> Void) throws -> [String: Any] {
        var doc = document
        guard var learner = doc["learner"] as? [String: Any] else { throw FixtureError("no learner") }
        edit(&learner)
        doc["learner"] = learner
        return doc
    }

    /// A description of an error for message checks.
    static func message(_ error: ModelError?) -> String {
        error.map { "\($0)" } ?? "<no error>"
    }

    static func isCorrupt(_ error: ModelError?) -> Bool {
        if case .corrupt = error { return true }
        return false
    }

    static func isUnsupported(_ error: ModelError?) -> Bool {
        if case .unsupported = error { return true }
        return false
    }
}
