import ArgumentParser
import Foundation
import ISVCCore

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every object KServe, Knative and net-istio would create from the InferenceServices.")

    @OptionGroup var input: InputOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: yaml or json.")
    var output: OutputFormat = .yaml

    @Option(help: "Write one file per object, and a kustomization.yaml, into this directory.")
    var out: String?

    @Option(help: "Layers to emit, comma-separated: all, kserve, knative, istio, kubernetes.")
    var emit: String = "all"

    @Option(help: "Deployment mode when the InferenceService does not say: knative or standard.")
    var mode: DeploymentMode?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
    }

    func layers() throws -> Set<Layer> {
        var set: Set<Layer> = []
        for part in emit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part == "all" { set.formUnion(Layer.allCases) }
            else if let layer = Layer(rawValue: part) { set.insert(layer) }
            else if part == "envoy" {
                throw ValidationError("--emit envoy is not implemented yet (the ingress gateway's Envoy config comes with Standard mode and the Istio inputs)")
            } else {
                throw ValidationError("--emit: unknown layer \"\(part)\"; use all, kserve, knative, istio or kubernetes")
            }
        }
        return set
    }

    func run() throws {
        let layers = try layers()
        let sources = try input.readSources()
        let diagnostics = Diagnostics(strict: input.strict)
        var options = Compiler.Options()
        options.defaultNamespace = input.namespace
        options.mode = mode
        let result = Compiler.compile(sources, options: options, diagnostics: diagnostics)
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
        let plan = result.plan.selecting(layers)
        if let out {
            try writeDirectory(plan, to: out)
            return
        }
        let text = output == .json ? PlanRenderer.json(plan) : PlanRenderer.yaml(plan)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func writeDirectory(_ plan: Plan, to dir: String) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            // Stale files from an earlier compile would otherwise stay listed nowhere but still be applied.
            for name in try fm.contentsOfDirectory(atPath: dir) where name.hasSuffix(".yaml") {
                try fm.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
            }
            for file in PlanRenderer.files(plan) {
                let path = (dir as NSString).appendingPathComponent(file.path)
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path))
            }
        } catch {
            printError("\(dir): error: cannot write the output directory: \(error.localizedDescription) [output.unwritable]")
            throw ExitCode(ExitCodes.unusable)
        }
    }
}
