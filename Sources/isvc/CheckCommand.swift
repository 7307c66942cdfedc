import ArgumentParser
import Foundation
import ISVCCore

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate InferenceServices as KServe's admission webhooks would, with file:line:column diagnostics.",
        discussion: "Exit status: 0 no errors, 1 errors in the input, 2 unusable input.\n\n" + HelpExamples.check)

    @OptionGroup var input: InputOptions

    @Option(help: "Diagnostics format: text, or github for GitHub Actions annotations.")
    var format: DiagnosticFormat = .text

    @Option(help: "Deployment mode when the InferenceService does not say: knative or standard.")
    var mode: DeploymentMode?

    @Flag(help: "Print, for each LLMInferenceService, which preset or config set each field of its merged spec.")
    var explain = false

    func run() throws {
        let sources = try input.readSources(format: format)
        let diagnostics = Diagnostics(strict: input.strict)
        var options = Compiler.Options()
        options.defaultNamespace = input.namespace
        options.mode = mode
        let inputs: Inputs
        if explain {
            let result = Compiler.compile(sources, options: options, diagnostics: diagnostics)
            inputs = result.inputs
            FileHandle.standardOutput.write(Data(Compiler.explainLLMServices(result).utf8))
        } else {
            inputs = Compiler.check(sources, options: options, diagnostics: diagnostics)
        }
        report(diagnostics, format: format)
        let errors = diagnostics.errorCount
        let warnings = diagnostics.all.count - errors
        if format == .text {
            let n = inputs.inferenceServices.count
            let llm = inputs.llmServices.count
            let llmPart = llm == 0 ? "" : ", \(llm) LLMInferenceService\(llm == 1 ? "" : "s")"
            printError(
                "isvc check: \(n) InferenceService\(n == 1 ? "" : "s")\(llmPart), \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
            )
        }
        if errors > 0 { throw ExitCode(ExitCodes.problems) }
    }
}

extension DeploymentMode: ExpressibleByArgument {}
