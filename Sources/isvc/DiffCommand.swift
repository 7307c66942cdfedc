import ArgumentParser
import Foundation
import ISVCCore

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what a change to InferenceServices does: new revisions, canary traffic, and every changed object.",
        discussion: """
            OLD is the current state: InferenceService files (compiled first) or an earlier isvc compile output \
            (a YAML file or an --out directory). NEW is compiled with OLD's output as the previous rollout. \
            Exit status: 0 nothing changes, 1 something changes, 2 error.
            """ + "\n\n" + HelpExamples.diff)

    @Argument(help: "The current state: InferenceService YAML, or compiled output (file or directory).")
    var old: String

    @Argument(help: "The changed InferenceService YAML.")
    var new: String

    @Option(name: [.short, .customLong("namespace")], help: "Namespace for objects whose metadata has none.")
    var namespace = "default"

    @Option(help: "Deployment mode when the InferenceService does not say: knative or standard.")
    var mode: DeploymentMode?

    @Flag(help: "Treat warnings as errors.")
    var strict = false

    @Option(help: "Output format: text (coloured on a terminal) or json.")
    var format: Format = .text

    @Flag(help: "Colour the diff even when the output is not a terminal.")
    var color = false

    @Flag(help: "Only the rollout summary and the list of changed objects, no object diffs.")
    var summary = false

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    func run() throws {
        // For diff, errors in the input are exit 2; 1 means "something changes".
        if try compare() { throw ExitCode(ExitCodes.problems) }
    }

    /// Prints the report; returns whether anything changes.
    func compare() throws -> Bool {
        let diagnostics = Diagnostics(strict: strict)
        var options = Compiler.Options()
        options.defaultNamespace = namespace
        options.mode = mode
        let oldSources = try CompiledInput.sources(at: old)
        let oldObjects: [Value]
        if CompiledInput.isCompiled(oldSources) {
            oldObjects = PreviousState.load(oldSources, diagnostics: diagnostics).ordered
        } else {
            oldObjects = Compiler.compile(oldSources, options: options, diagnostics: diagnostics).plan.objects.map(\.body)
        }
        guard !diagnostics.hasErrors else {
            report(diagnostics)
            throw ExitCode(ExitCodes.unusable)
        }
        options.previous = PreviousState(objects: oldObjects.map(Quantities.normalized))
        let newSources = try CompiledInput.sources(at: new)
        let result = Compiler.compile(newSources, options: options, diagnostics: diagnostics)
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.unusable) }
        let diff = DiffReport.make(old: oldObjects, new: result.plan.objects.map(\.body))
        let text =
            format == .json
            ? JSONWriter.write(diff.json) + "\n"
            : diff.text(color: color || isatty(STDOUT_FILENO) == 1, objectDiffs: !summary)
        FileHandle.standardOutput.write(Data(text.utf8))
        return diff.changed
    }
}
