/// The only globals (`module.name`) a pickle may name. isvc never imports or calls any of them: an allowed
/// class becomes a `PickleObject` holding its arguments and state, and a handful of numpy / copyreg /
/// codecs helpers are interpreted as data (see `PickleUnpickler+Calls`). Anything else — `posix.system`,
/// `builtins.eval`, `subprocess.Popen`, `importlib`, `functools.partial`, ... — stops the load at once with
/// `ModelError.forbiddenGlobal`, before any later opcode is read.
///
/// How the list was made: every global in fixtures/models/sklearn*/model.* (scikit-learn 1.9 and the legacy
/// 1.3 fixtures, collected with joblib's own unpickler), plus inert builtins and containers, numpy's array / dtype / scalar
/// constructors under both the numpy 1 (`numpy.core`) and numpy 2 (`numpy._core`) module names, and the
/// scikit-learn classes isvc runs together with the internals their pickles reference (trees, losses and
/// their Cython `__pyx_unpickle_*` helpers, neighbor trees and distance metrics, random states, `Bunch`).
/// Keep it sorted; add a name only when a real model needs it and it is data, not behavior.
enum PickleAllowList {
    static let names: Set<String> = [
        // Python 2 byte strings in protocol 2 (`_codecs.encode(str, "latin1")`), interpreted as bytes.
        "_codecs.encode",
        // Inert builtins and containers.
        "builtins.bytearray",
        "builtins.bytes",
        "builtins.complex",
        "builtins.frozenset",
        "builtins.object",
        "builtins.set",
        "builtins.slice",
        "collections.OrderedDict",
        // copyreg's object-creation forms (protocols 0 and 1, and `__reduce_ex__` fallbacks).
        "copyreg.__newobj__",
        "copyreg.__newobj_ex__",
        "copyreg._reconstructor",
        // joblib's placeholder for an array whose bytes follow in the stream.
        "joblib.numpy_pickle.NumpyArrayWrapper",
        // numpy 2 module names.
        "numpy._core.multiarray._reconstruct",
        "numpy._core.multiarray.scalar",
        "numpy._core.numeric._frombuffer",
        // numpy 1 module names.
        "numpy.core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar",
        "numpy.core.numeric._frombuffer",
        "numpy.dtype",
        "numpy.ndarray",
        // Random states (estimators keep `random_state` / `_rng`); only recorded, never seeded.
        "numpy.random._mt19937.MT19937",
        "numpy.random._pcg64.PCG64",
        "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor",
        "numpy.random._pickle.__randomstate_ctor",
        // Loss functions of gradient boosting, their links, and the Cython losses they wrap.
        "sklearn._loss._loss.CyAbsoluteError",
        "sklearn._loss._loss.CyExponentialLoss",
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss._loss.CyHalfGammaLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss",
        "sklearn._loss._loss.CyHalfPoissonLoss",
        "sklearn._loss._loss.CyHalfSquaredError",
        "sklearn._loss._loss.CyHalfTweedieLoss",
        "sklearn._loss._loss.CyHalfTweedieLossIdentity",
        "sklearn._loss._loss.CyHuberLoss",
        "sklearn._loss._loss.CyPinballLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyAbsoluteError",
        "sklearn._loss._loss.__pyx_unpickle_CyExponentialLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfBinomialLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfGammaLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfMultinomialLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfPoissonLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfSquaredError",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfTweedieLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyHalfTweedieLossIdentity",
        "sklearn._loss._loss.__pyx_unpickle_CyHuberLoss",
        "sklearn._loss._loss.__pyx_unpickle_CyPinballLoss",
        "sklearn._loss.link.HalfLogitLink",
        "sklearn._loss.link.IdentityLink",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogLink",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.AbsoluteError",
        "sklearn._loss.loss.ExponentialLoss",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfGammaLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.HalfPoissonLoss",
        "sklearn._loss.loss.HalfSquaredError",
        "sklearn._loss.loss.HalfTweedieLoss",
        "sklearn._loss.loss.HalfTweedieLossIdentity",
        "sklearn._loss.loss.HuberLoss",
        "sklearn._loss.loss.PinballLoss",
        // The initial estimator of gradient boosting.
        "sklearn.dummy.DummyClassifier",
        "sklearn.dummy.DummyRegressor",
        // Ensembles.
        "sklearn.ensemble._forest.ExtraTreesClassifier",
        "sklearn.ensemble._forest.ExtraTreesRegressor",
        "sklearn.ensemble._forest.RandomForestClassifier",
        "sklearn.ensemble._forest.RandomForestRegressor",
        "sklearn.ensemble._gb.GradientBoostingClassifier",
        "sklearn.ensemble._gb.GradientBoostingRegressor",
        // Loss functions of gradient boosting up to scikit-learn 1.3.
        "sklearn.ensemble._gb_losses.BinomialDeviance",
        "sklearn.ensemble._gb_losses.ExponentialLoss",
        "sklearn.ensemble._gb_losses.HuberLossFunction",
        "sklearn.ensemble._gb_losses.LeastAbsoluteError",
        "sklearn.ensemble._gb_losses.LeastSquaresError",
        "sklearn.ensemble._gb_losses.MultinomialDeviance",
        "sklearn.ensemble._gb_losses.QuantileLossFunction",
        // Linear models.
        "sklearn.linear_model._base.LinearRegression",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.linear_model._ridge.Ridge",
        // Distance metrics of the neighbor trees (float64 and float32 since scikit-learn 1.2, unsuffixed in
        // 1.1), and their Cython `newObj` helper.
        "sklearn.metrics._dist_metrics.ChebyshevDistance",
        "sklearn.metrics._dist_metrics.ChebyshevDistance32",
        "sklearn.metrics._dist_metrics.ChebyshevDistance64",
        "sklearn.metrics._dist_metrics.EuclideanDistance",
        "sklearn.metrics._dist_metrics.EuclideanDistance32",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.metrics._dist_metrics.ManhattanDistance",
        "sklearn.metrics._dist_metrics.ManhattanDistance32",
        "sklearn.metrics._dist_metrics.ManhattanDistance64",
        "sklearn.metrics._dist_metrics.MinkowskiDistance",
        "sklearn.metrics._dist_metrics.MinkowskiDistance32",
        "sklearn.metrics._dist_metrics.MinkowskiDistance64",
        "sklearn.metrics._dist_metrics.SEuclideanDistance",
        "sklearn.metrics._dist_metrics.SEuclideanDistance32",
        "sklearn.metrics._dist_metrics.SEuclideanDistance64",
        "sklearn.metrics._dist_metrics.newObj",
        // Nearest neighbors and their search trees.
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neighbors._ball_tree.newObj",
        "sklearn.neighbors._classification.KNeighborsClassifier",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._kd_tree.newObj",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.MinMaxScaler",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.svm._classes.SVC",
        "sklearn.svm._classes.SVR",
        // Decision trees and the Cython tree structure they hold.
        "sklearn.tree._classes.DecisionTreeClassifier",
        "sklearn.tree._classes.DecisionTreeRegressor",
        "sklearn.tree._classes.ExtraTreeClassifier",
        "sklearn.tree._classes.ExtraTreeRegressor",
        "sklearn.tree._tree.Tree",
        "sklearn.utils._bunch.Bunch",
    ]

    /// joblib < 0.10 wrote arrays to separate files; those pickles cannot be loaded from one file.
    private static let oldJoblibWrappers: Set<String> = [
        "joblib.numpy_pickle.NDArrayWrapper",
        "joblib.numpy_pickle.ZNDArrayWrapper",
        "joblib.numpy_pickle_compat.NDArrayWrapper",
        "joblib.numpy_pickle_compat.ZNDArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.NDArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper",
    ]

    /// Python 2 module names that Python 3's unpickler renames for protocols 0-2 (`_compat_pickle`).
    private static let python2Modules = ["__builtin__": "builtins", "copy_reg": "copyreg"]

    /// The full name of an allowed global; otherwise `forbiddenGlobal` (nothing is imported either way).
    static func check(module: String, name: String, protocol version: Int, file: String) throws(ModelError) -> String {
        let module = version < 3 ? python2Modules[module] ?? module : module
        let full = "\(module).\(name)"
        if names.contains(full) { return full }
        if oldJoblibWrappers.contains(full) {
            throw ModelError.unsupported(
                "\(file): written by joblib older than 0.10, which kept arrays in separate files; re-dump the model with a current joblib")
        }
        throw ModelError.forbiddenGlobal(file: file, name: String(full.prefix(200)))
    }
}
