/// KServe's built-in ClusterServingRuntimes (v0.20.0 release), parsed once on first use.
public enum BuiltInRuntimes {
    public static let file = "<built-in runtimes>"

    public static let all: [ServingRuntime] = {
        let diagnostics = Diagnostics()
        let documents = YAMLReader.read(text: yaml, file: file, diagnostics: diagnostics)
        precondition(!diagnostics.hasErrors, "the embedded runtimes do not parse: \(diagnostics.all)")
        return documents.map { ServingRuntime(document: $0, clusterScoped: true, builtIn: true) }
    }()
}
