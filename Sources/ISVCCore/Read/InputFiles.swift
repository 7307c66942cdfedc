import Foundation

/// Reading the files a command names, before any YAML: a path that is not a readable UTF-8 text
/// file is an input error (`InputRule.unreadable`, `.notText`), a diagnostic on the whole file that
/// makes the input unusable rather than wrong. `isvc check`, `compile` and `serve` read their inputs here, and `isvc serve
/// --watch` reads them again here after every edit.
public enum InputFiles {
    /// The text of the file at `path` ("-" is standard input, read by `standardInput`).
    public static func read(
        _ path: String, standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() }
    )
        -> Result<InputLoader.Source, Diagnostic>
    {
        let data: Data?
        if path == "-" {
            data = standardInput()
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return .failure(Diagnostic(InputRule.unreadable, "is a directory, not a YAML file", at: .wholeFile(path)))
            }
            data = FileManager.default.contents(atPath: path)
        }
        let shown = path == "-" ? "<stdin>" : path
        guard let data else {
            let why = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            return .failure(Diagnostic(InputRule.unreadable, "cannot read the file (\(why))", at: .wholeFile(path)))
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            return .failure(Diagnostic(InputRule.notText, "the file is not UTF-8 text, so not YAML", at: .wholeFile(shown)))
        }
        return .success(InputLoader.Source(path: shown, text: text))
    }

    /// The YAML files at `path`: the file itself, or the `.yaml`/`.yml` files of a directory (as
    /// `isvc compile --out` writes one) in name order, without its kustomization.yaml.
    public static func readTree(_ path: String) -> Result<[InputLoader.Source], Diagnostic> {
        var isDirectory: ObjCBool = false
        guard path != "-", FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return read(path).map { [$0] }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        var sources: [InputLoader.Source] = []
        for name in names.sorted() where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && name != "kustomization.yaml" {
            switch read((path as NSString).appendingPathComponent(name)) {
            case .success(let source): sources.append(source)
            case .failure(let diagnostic): return .failure(diagnostic)
            }
        }
        return .success(sources)
    }

    /// The kinds a user writes and isvc compiles; compiled output has none of them.
    static let inputKinds: Set<String> = ["InferenceService", "InferenceGraph", "LLMInferenceService", "LLMInferenceServiceConfig"]

    /// Whether the documents are compiled objects rather than inputs to compile: no document's kind
    /// is one isvc compiles (`inputKinds`). Documents that do not parse count as compiled; reading
    /// them again reports why.
    public static func isCompiledOutput(_ sources: [InputLoader.Source]) -> Bool {
        let scratch = Diagnostics()
        return !sources.contains { source in
            YAMLReader.read(text: source.text, file: source.path, diagnostics: scratch)
                .contains { inputKinds.contains($0.root["kind"]?.string ?? "") }
        }
    }
}
