import ArgumentParser
import Foundation
import ISVCCore
import NIOCore
import NIOPosix

@main
struct ISVC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isvc",
        abstract: "Compile, check and run KServe InferenceServices without a cluster.",
        version: Mirrored.text.trimmingCharacters(in: .newlines),
        subcommands: [Check.self, Compile.self, Diff.self, Serve.self, Version.self])

    /// ArgumentParser's main, with one change for `isvc serve`: Swift concurrency's jobs run on
    /// SwiftNIO's event loops instead of a separate thread pool, so that the gateway's request
    /// handling and its upstream connections stay on one thread per request, as an Envoy worker's
    /// do (the measurement is in bench/RESULTS.md, gateway overhead).
    static func main() async {
        if CommandLine.arguments.dropFirst().first == "serve" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Exit codes: 0 fine, 1 the input has errors, 2 the input cannot be used at all.
enum ExitCodes {
    static let problems: Int32 = 1
    static let unusable: Int32 = 2
}

struct InputOptions: ParsableArguments {
    @Argument(help: "YAML files with InferenceService, ServingRuntime and ConfigMap documents; - reads standard input.")
    var files: [String] = []

    @Option(name: .customLong("filename"), help: "A file to read (kubectl style); may repeat.")
    var filenames: [String] = []

    @Option(name: [.short, .customLong("namespace")], help: "Namespace for objects whose metadata has none.")
    var namespace = "default"

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    var allFiles: [String] { files + filenames }

    /// Reads every file; unreadable ones are reported, each of them, and end the command with exit code 2.
    func readSources(format: DiagnosticFormat = .text) throws -> [InputLoader.Source] {
        if allFiles.isEmpty {
            throw ValidationError("no input files; pass one or more YAML files, or - for standard input")
        }
        var sources: [InputLoader.Source] = []
        var unusable = false
        for path in allFiles {
            switch InputFiles.read(path) {
            case .success(let source): sources.append(source)
            case .failure(let diagnostic):
                printDiagnostic(diagnostic, format: format)
                unusable = true
            }
        }
        if unusable { throw ExitCode(ExitCodes.unusable) }
        return sources
    }
}

enum DiagnosticFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case github
}

func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}

func report(_ diagnostics: Diagnostics, format: DiagnosticFormat = .text) {
    for d in diagnostics.sorted { printDiagnostic(d, format: format) }
}

/// A diagnostic on standard error as text; GitHub annotations go to standard output, where the
/// Actions runner reads workflow commands.
func printDiagnostic(_ d: Diagnostic, format: DiagnosticFormat) {
    if format == .github { print(d.githubAnnotation) } else { printError(d.formatted) }
}
