import Foundation
import ISVCModels
import Testing

/// The model directory as KServe's servers load it, and every fixture through that path.
@Suite("Model servers: model directories")
struct ModelServerKindTests {
    static let kinds: [String: ModelServerKind] = ["sklearn": .sklearn, "xgboost": .xgboost, "lightgbm": .lightgbm]

    static var allFixtures: [String] {
        ["sklearn", "xgboost", "lightgbm"].flatMap { FixtureExpectation.names(kind: $0) }
    }

    @Test("every fixture loads from its directory and predicts as its library", arguments: allFixtures)
    func fixture(name: String) throws {
        let f = try FixtureExpectation(named: name)
        let kind = try #require(Self.kinds[f.kind])
        let served = try kind.load(directory: f.directory)
        #expect(differences(try served.predict(f.rows), f.predict) == [])
        if let proba = f.predictProba {
            let withProba = try kind.load(directory: f.directory, options: .init(predictProbabilities: true))
            #expect(differences(try withProba.predict(f.rows), proba) == [], "PREDICT_PROBA")
            #expect(withProba.outputRowShape == [proba.shape[1]])
        } else if kind == .sklearn {
            // PREDICT_PROBA on a model without predict_proba falls back to predict, as hasattr() does.
            let fallback = try kind.load(directory: f.directory, options: .init(predictProbabilities: true))
            #expect(differences(try fallback.predict(f.rows), f.predict) == [])
        }
        #expect(served.outputRowShape == Array(f.predict.shape.dropFirst()))
    }

    @Test("KServe's file rules: one file with the server's endings; others ignored; none or two are errors")
    func directoryRules() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("isvc-models-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        try Data("notes".utf8).write(to: dir.appendingPathComponent("README.md"))
        #expect(throws: ModelError.self) { try ModelServerKind.sklearn.modelFile(in: dir) }
        do {
            _ = try ModelServerKind.sklearn.modelFile(in: dir)
        } catch {
            #expect(error.description.contains("loads one file ending in .joblib, .pkl, .pickle (found: README.md)"))
        }
        let model = FixtureExpectation.root.appendingPathComponent("sklearn-iris-svc/model.joblib")
        try fm.copyItem(at: model, to: dir.appendingPathComponent("model.joblib"))
        #expect(try ModelServerKind.sklearn.modelFile(in: dir).lastPathComponent == "model.joblib")
        try fm.createDirectory(at: dir.appendingPathComponent("old.pkl"), withIntermediateDirectories: true)
        #expect(try ModelServerKind.sklearn.modelFile(in: dir).lastPathComponent == "model.joblib", "directories are not model files")
        try fm.copyItem(at: model, to: dir.appendingPathComponent("copy.pickle"))
        do {
            _ = try ModelServerKind.sklearn.modelFile(in: dir)
            Issue.record("two model files were accepted")
        } catch {
            #expect(error.description.hasPrefix("More than one model file is detected, Only one is allowed within model_dir: "))
        }
        // xgbserver takes .json too, so a stray JSON file is a second model for it.
        #expect(throws: ModelError.self) { try ModelServerKind.xgboost.modelFile(in: FixtureExpectation.root) }
    }

    @Test(
        "images of KServe's built-in runtimes, with any registry and tag",
        arguments: [
            ("kserve/sklearnserver:v0.20.0", ModelServerKind.sklearn), ("docker.io/kserve/xgbserver:latest", .xgboost),
            ("kserve/lgbserver@sha256:0123", .lightgbm), ("registry:5000/kserve/sklearnserver", .sklearn),
        ])
    func images(image: String, kind: ModelServerKind) {
        #expect(ModelServerKind(image: image) == kind)
    }

    @Test(
        "other images are not native",
        arguments: ["kserve/huggingfaceserver:v0.20.0", "seldonio/mlserver:1.6", "kserve/sklearnserver-gpu", "python:3.11"])
    func otherImages(image: String) {
        #expect(ModelServerKind(image: image) == nil)
    }

    @Test("load errors name the model file")
    func errorsNameTheFile() throws {
        let dir = FixtureExpectation.root.appendingPathComponent("hostile")
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("isvc-models-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: work) }
        try fm.copyItem(at: dir.appendingPathComponent("os-system.pkl"), to: work.appendingPathComponent("model.pkl"))
        do {
            _ = try ModelServerKind.sklearn.load(directory: work)
            Issue.record("a pickle calling posix.system loaded")
        } catch {
            #expect(error.description.contains("model.pkl"))
            #expect(error.description.contains("posix.system"))
        }
        #expect(!fm.fileExists(atPath: "isvc-pickle-was-executed"))
    }
}
