import ArgumentParser
import Foundation
import ISVCCore

/// Reading an earlier `isvc compile` output: a YAML stream, or a directory written by `--out`.
enum CompiledInput {
    /// The YAML files at `path`: the file itself, or the `.yaml`/`.yml` files of a directory in name order.
    static func sources(at path: String) throws -> [InputLoader.Source] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            printError("\(path): error: cannot read (no such file or directory) [input.unreadable]")
            throw ExitCode(ExitCodes.unusable)
        }
        var paths = [path]
        if isDir.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            paths = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && $0 != "kustomization.yaml" }
                .sorted().map { (path as NSString).appendingPathComponent($0) }
        }
        return try paths.map { p in
            guard let data = FileManager.default.contents(atPath: p), let text = String(data: data, encoding: .utf8),
                  !data.contains(0) else {
                printError("\(p): error: cannot read the file as UTF-8 text [input.unreadable]")
                throw ExitCode(ExitCodes.unusable)
            }
            return InputLoader.Source(path: p, text: text)
        }
    }

    /// True when the files hold compiled objects rather than InferenceServices to compile.
    static func isCompiled(_ sources: [InputLoader.Source]) -> Bool {
        !sources.contains { $0.text.range(of: #"(?m)^kind:\s*InferenceService\s*$"#, options: .regularExpression) != nil }
    }
}
