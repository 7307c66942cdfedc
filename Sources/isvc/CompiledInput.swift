import ArgumentParser
import Foundation
import ISVCCore

/// Reading an earlier `isvc compile` output: a YAML stream, or a directory written by `--out`.
enum CompiledInput {
    /// The YAML files at `path`; an unreadable one is reported and ends the command with exit code 2.
    static func sources(at path: String, format: DiagnosticFormat = .text) throws -> [InputLoader.Source] {
        switch InputFiles.readTree(path) {
        case .success(let sources): return sources
        case .failure(let diagnostic):
            printDiagnostic(diagnostic, format: format)
            throw ExitCode(ExitCodes.unusable)
        }
    }

    /// True when the files hold compiled objects rather than InferenceServices to compile.
    static func isCompiled(_ sources: [InputLoader.Source]) -> Bool {
        InputFiles.isCompiledOutput(sources)
    }
}
