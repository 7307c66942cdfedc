import Foundation

/// Reading the files a command names, before any YAML: a path that is not a readable UTF-8 text
/// file is an input error (`input.unreadable`, `input.not-text`), which makes the input unusable
/// rather than wrong. `isvc check`, `compile` and `serve` read their inputs here, and `isvc serve
/// --watch` reads them again here after every edit.
public enum InputFiles {
    public struct Failure: Error, Sendable, Equatable {
        public var path: String
        public var message: String
        public var rule: String
        /// `path: error: message [rule]`, as the other diagnostics print.
        public var formatted: String { "\(path): error: \(message) [\(rule)]" }
    }

    /// The text of the file at `path` ("-" is standard input, read by `standardInput`).
    public static func read(_ path: String, standardInput: () -> Data = { FileHandle.standardInput.readDataToEndOfFile() })
        -> Result<InputLoader.Source, Failure> {
        let data: Data?
        if path == "-" {
            data = standardInput()
        } else {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                return .failure(Failure(path: path, message: "is a directory, not a YAML file", rule: "input.unreadable"))
            }
            data = FileManager.default.contents(atPath: path)
        }
        let shown = path == "-" ? "<stdin>" : path
        guard let data else {
            let why = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
            return .failure(Failure(path: path, message: "cannot read the file (\(why))", rule: "input.unreadable"))
        }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            return .failure(Failure(path: shown, message: "the file is not UTF-8 text, so not YAML", rule: "input.not-text"))
        }
        return .success(InputLoader.Source(path: shown, text: text))
    }
}
