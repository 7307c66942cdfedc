import Foundation
import Testing

@testable import ISVCModels

/// The scikit-learn fixture models, read by the pickle reader. Expected values come from
/// `joblib.load` / `pickle.load` in the fixtures' own Python environment.
enum PickleFixtures {
    static let root = "fixtures/models"

    /// Every fixtures/models/sklearn*/model.* file (current and legacy scikit-learn versions), relative to
    /// the package root.
    static let sklearnModels: [String] = {
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return directories.filter { $0.hasPrefix("sklearn") && !$0.hasSuffix(".json") }.sorted().compactMap { directory in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(directory)")) ?? []
            return files.first { $0.hasPrefix("model.") }.map { "\(root)/\(directory)/\($0)" }
        }
    }()

    static func read(_ name: String) throws -> PickleObject {
        let path = sklearnModels.first { $0.contains("/\(name)/") } ?? "\(root)/\(name)/model.joblib"
        let value = try PickleReader.read(fileAt: path)
        guard let object = value.object else { throw FixtureError("\(name): top level is \(value.kindName)") }
        return object
    }
}

@Suite("Pickle fixtures")
struct PickleFixtureTests {
    @Test func fixturesArePresent() {
        #expect(PickleFixtures.sklearnModels.count >= 25)
    }

    @Test(arguments: PickleFixtures.sklearnModels)
    func everySKLearnFixtureReads(path: String) throws {
        let value = try PickleReader.read(fileAt: path)
        let object = try #require(value.object, "\(path): \(value.kindName)")
        #expect(object.className.hasPrefix("sklearn."))
        // A fitted estimator records n_features_in_; a Pipeline (a property there) records its steps.
        #expect(object.state?["n_features_in_"]?.intValue != nil || object.state?["steps"]?.items != nil)
    }

    @Test func svcSupportVectors() throws {
        let svc = try PickleFixtures.read("sklearn-iris-svc")
        #expect(svc.className == "sklearn.svm._classes.SVC")
        let vectors = try svc.array("support_vectors_")
        #expect(vectors.shape == [57, 4])
        #expect(vectors.dtype == "<f8")
        let values = try vectors.doubles()
        #expect(values.first == 4.5)
        #expect(values.last == 1.8)
        #expect(try svc.array("classes_").ints() == [0, 1, 2])
        #expect(try svc.array("_n_support").ints() == [6, 27, 24])
        #expect(try svc.array("_dual_coef_").shape == [2, 57])
        #expect(try svc.double("_gamma") == 0.06352827354686143)  // a numpy.float64 scalar
        #expect(try svc.array("_intercept_").doubles().first == 0.12421083450317383)
        #expect(try svc.string("kernel") == "rbf")
        #expect(svc["random_state"]?.isNone == true)
        #expect(svc["shape_fit_"].flatMap { $0.items?.compactMap(\.intValue) } == [138, 4])
    }

    @Test func stringClassLabels() throws {
        let svc = try PickleFixtures.read("sklearn-iris-svc-strings")
        let classes = try svc.array("classes_")
        #expect(classes.dtype == "<U10")
        guard case .string(let names) = classes.elements else {
            Issue.record("classes_ is \(classes.dtype), not strings")
            return
        }
        #expect(names == ["setosa", "versicolor", "virginica"])
    }

    @Test func treeNodesAreAStructuredArray() throws {
        let tree = try PickleFixtures.read("sklearn-iris-tree")
        let structure = try #require(tree["tree_"]?.object)
        #expect(structure.className == "sklearn.tree._tree.Tree")
        #expect(structure.arguments.count == 3)  // Tree(n_features, n_classes, n_outputs)
        #expect(structure.arguments.first?.intValue == 4)
        #expect(try structure.int("node_count") == 15)
        #expect(try structure.int("max_depth") == 4)
        let nodes = try structure.array("nodes")
        #expect(nodes.shape == [15])
        #expect(nodes.dtype == "|V64")
        #expect(try nodes.field("left_child").ints() == [1, -1, 3, 4, 5, -1, -1, 8, -1, -1, 11, 12, -1, -1, -1])
        #expect(try nodes.field("feature").ints() == [3, -2, 3, 2, 3, -2, -2, 3, -2, -2, 2, 0, -2, -2, -2])
        #expect(try Array(nodes.field("threshold").doubles().prefix(3)) == [0.800000011920929, -2.0, 1.75])
        #expect(try Array(nodes.field("n_node_samples").ints().prefix(3)) == [138, 47, 91])
        #expect(try nodes.field("missing_go_to_left").ints() == [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try nodes.field("missing_go_to_left").dtype == "|u1")
        let values = try structure.array("values")
        #expect(values.shape == [15, 1, 3])
        #expect(try Array(values.doubles()[3..<6]) == [1.0, 0.0, 0.0])
    }

    @Test func zlibCompressedForest() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(PickleFixtures.root)/sklearn-iris-forest-zlib/model.joblib")))
        #expect(bytes.first == 0x78)
        let forest = try PickleFixtures.read("sklearn-iris-forest-zlib")
        #expect(forest.shortName == "RandomForestClassifier")
        let trees = try #require(forest["estimators_"]?.items)
        #expect(trees.count == 4)
        let first = try #require(trees.first?.object?["tree_"]?.object)
        #expect(try first.int("node_count") == 9)
        #expect(try Array(first.array("nodes").field("threshold").doubles().prefix(3)) == [0.800000011920929, -2.0, 4.75])
        #expect(try forest.array("classes_").ints() == [0, 1, 2])
    }

    @Test func fortranOrderedCoefficients() throws {
        let logreg = try PickleFixtures.read("sklearn-iris-logreg")
        let coef = try logreg.array("coef_")
        #expect(coef.shape == [3, 4])
        #expect(try Array(coef.doubles().prefix(4)) == [-0.3964128011157548, 0.9919035658936604, -2.4684957949442596, -1.0681964600647698])
        #expect(try logreg.array("intercept_").doubles().first == 9.39293147434532)
        #expect(try logreg.array("n_iter_").ints() == [89])
        #expect(try logreg.array("n_iter_").dtype == "<i4")
    }

    @Test(arguments: [2, 3, 4, 5])
    func pickleProtocolsGiveTheSameModel(protocolVersion: Int) throws {
        let reference = try PickleFixtures.read("sklearn-iris-logreg")
        let model = try PickleFixtures.read("sklearn-iris-logreg-pickle\(protocolVersion)")
        #expect(model.className == reference.className)
        for field in ["coef_", "intercept_", "classes_", "n_iter_"] {
            let a = try model.array(field), b = try reference.array(field)
            #expect(a.shape == b.shape, "\(field)")
            #expect(a.dtype == b.dtype, "\(field)")
            #expect(try a.doubles() == b.doubles(), "\(field)")
        }
        #expect(try model.string("solver") == "lbfgs")
        #expect(try model.int("max_iter") == 1000)
        #expect(try model.double("C") == 1.0)
    }

    /// Protocols 0 and 1 write the same model with GLOBAL / INST-era opcodes and `copyreg._reconstructor`.
    @Test(arguments: [0, 1])
    func oldProtocolsGiveTheSameModel(protocolVersion: Int) throws {
        let reference = try PickleFixtures.read("sklearn-iris-logreg-pickle2")
        let bytes = protocolVersion == 0 ? PickleTestVectors.logregProtocol0 : PickleTestVectors.logregProtocol1
        let model = try #require(try PickleReader.read(bytes: bytes, file: "p\(protocolVersion).pkl").object)
        #expect(model.className == reference.className)
        #expect(model.arguments.isEmpty)
        #expect(String(describing: model.state) == String(describing: reference.state))
    }

    @Test func gradientBoostingObjectArray() throws {
        let gb = try PickleFixtures.read("sklearn-iris-gb")
        let estimators = try gb.array("estimators_")
        #expect(estimators.shape == [10, 3])
        #expect(estimators.dtype == "|O")
        let trees = try #require(PickleValue.array(estimators).items)
        #expect(trees.count == 30)
        let tree = try #require(trees[1].object?["tree_"]?.object)
        #expect(try tree.int("node_count") == 5)
        #expect(try Array(tree.array("nodes").field("threshold").doubles().prefix(3)) == [0.800000011920929, -2.0, 1.75])
        let initial = try #require(gb["init_"]?.object)
        #expect(initial.className == "sklearn.dummy.DummyClassifier")
        let prior = try initial.array("class_prior_").doubles()
        #expect(prior.count == 3 && abs(prior[0] - 0.34057971) < 1e-8)
        let loss = try #require(gb["_loss"]?.object)
        #expect(loss.className == "sklearn._loss.loss.HalfMultinomialLoss")
        #expect(loss["closs"]?.object?.className == "sklearn._loss._loss.CyHalfMultinomialLoss")
    }

    @Test func pipelineSteps() throws {
        let pipeline = try PickleFixtures.read("sklearn-wine-knn-distance")
        let steps = try #require(pipeline["steps"]?.items)
        #expect(steps.count == 2)
        #expect(steps[0].items?.first?.stringValue == "minmax")
        #expect(steps[0].items?.last?.object?.className == "sklearn.preprocessing._data.MinMaxScaler")
        let knn = try #require(steps[1].items?.last?.object)
        #expect(knn.className == "sklearn.neighbors._classification.KNeighborsClassifier")
        let kdTree = try #require(knn["_tree"]?.object)
        #expect(kdTree.className == "sklearn.neighbors._kd_tree.KDTree")
        #expect(kdTree.state?.items?.count == 13)
    }

    /// Legacy fixtures (scikit-learn 1.3, numpy 1 module names) hold the same top-level classes.
    @Test func legacyFixturesMatchCurrentClasses() throws {
        let legacy = PickleFixtures.sklearnModels.filter { !$0.contains("/sklearn-") }
        for path in legacy {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            guard let dash = directory.firstIndex(of: "-") else { continue }
            let current = "sklearn" + directory[dash...]
            guard PickleFixtures.sklearnModels.contains(where: { $0.contains("/\(current)/") }) else { continue }
            let old = try #require(try PickleReader.read(fileAt: path).object)
            #expect(old.className == (try PickleFixtures.read(current)).className, "\(directory)")
        }
    }
}
