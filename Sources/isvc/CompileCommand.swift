import ArgumentParser
import Foundation
import ISVCCore

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every object KServe, Knative and net-istio would create from the InferenceServices.",
        discussion: HelpExamples.compile)

    @OptionGroup var input: InputOptions

    @Option(name: [.short, .customLong("output")], help: "Output format: yaml or json.")
    var output: OutputFormat = .yaml

    @Option(help: "Write one file per object, and a kustomization.yaml, into this directory.")
    var out: String?

    @Option(
        help:
            "Layers to emit, comma-separated: all, kserve, knative, istio, kubernetes; or alone: envoy (the gateway's Envoy config), status (each InferenceService's status once ready)."
    )
    var emit: String = "all"

    @Option(help: "Deployment mode when the InferenceService does not say: knative or standard.")
    var mode: DeploymentMode?

    @Option(
        help:
            "An earlier isvc compile output (a YAML file or an --out directory): the state of the last rollout, for revisions and canary traffic."
    )
    var previous: String?

    @Option(help: "With --emit envoy: the address the gateway listeners bind.")
    var envoyListen = "0.0.0.0"

    @Option(help: "With --emit envoy: added to the listener ports 8080 (external) and 8081 (local gateway).")
    var envoyPortOffset = 0

    @Option(help: "With --emit envoy: the admin port (on 127.0.0.1).")
    var envoyAdminPort = 9901

    @Option(
        name: .customLong("endpoint"),
        help:
            "With --emit envoy: HOST=ADDR:PORT points the clusters of a service host (or one cluster, by its outbound|port|subset|host name) at an address; may repeat."
    )
    var endpoints: [String] = []

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case yaml
        case json
    }

    func envoyOptions() throws -> EnvoyOptions {
        var o = EnvoyOptions()
        o.listenAddress = envoyListen
        o.portOffset = envoyPortOffset
        o.adminPort = envoyAdminPort
        for e in endpoints {
            let parts = e.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let colon = parts[1].lastIndex(of: ":"), let port = Int(parts[1][parts[1].index(after: colon)...])
            else {
                throw ValidationError(
                    "--endpoint \(e): expected HOST=ADDR:PORT, for example sklearn-iris-predictor-00001.default.svc.cluster.local=127.0.0.1:9000"
                )
            }
            o.endpoints[String(parts[0])] = (String(parts[1][..<colon]), port)
        }
        return o
    }

    /// An --endpoint that names no cluster of the config would be silently unused: say so.
    func warnUnmatchedEndpoints(_ config: Value) {
        let clusters = config[path: ["static_resources", "clusters"]]?.array?.compactMap { $0["name"]?.string } ?? []
        let names = Set(clusters).union(clusters.compactMap { $0.split(separator: "|").last.map(String.init) })
        for e in endpoints {
            let host = String(e.split(separator: "=", maxSplits: 1)[0])
            guard !names.contains(host) else { continue }
            let known = Set(clusters.compactMap { $0.split(separator: "|").last.map(String.init) }).sorted()
            FileHandle.standardError.write(
                Data(
                    """
                    isvc compile: warning: --endpoint \(e): no cluster of the config has the host or name \(host); \
                    the hosts are: \(known.joined(separator: ", "))

                    """.utf8))
        }
    }

    func layers() throws -> Set<Layer> {
        var set: Set<Layer> = []
        for part in emit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if part == "all" {
                set.formUnion(Layer.allCases)
            } else if let layer = Layer(rawValue: part) {
                set.insert(layer)
            } else if part == "envoy" || part == "status" {
                if emit != part {
                    throw ValidationError(
                        "--emit \(part) prints the \(part == "envoy" ? "Envoy configuration" : "status") alone; do not combine it with other layers"
                    )
                }
            } else {
                throw ValidationError(
                    "--emit: unknown layer \"\(part)\"; use all, kserve, knative, istio or kubernetes, or envoy or status alone")
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
        if let previous {
            let prior = PreviousState.load(try CompiledInput.sources(at: previous), diagnostics: diagnostics)
            if diagnostics.hasErrors {
                report(diagnostics)
                throw ExitCode(ExitCodes.problems)
            }
            options.previous = prior
        }
        if emit == "envoy" {
            try emitEnvoy(sources, options: options, diagnostics: diagnostics)
            return
        }
        if emit == "status" {
            let result = Compiler.leavingOutLLMServices(
                Compiler.compile(sources, options: options, diagnostics: diagnostics), by: "isvc compile --emit status",
                diagnostics: diagnostics)
            report(diagnostics)
            if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
            let statuses = Compiler.status(result)
            let text =
                output == .json
                ? JSONWriter.write(["apiVersion": "v1", "kind": "List", "items": .array(statuses)]) + "\n"
                : statuses.map { s in
                    "# status of InferenceService \(s[path: ["metadata", "namespace"]]?.string ?? "")/"
                        + "\(s[path: ["metadata", "name"]]?.string ?? "") once ready, as KServe's controller sets it\n"
                        + YAMLWriter.document(s)
                }.joined(separator: "---\n")
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let envoyFlags = [
            (!endpoints.isEmpty, "--endpoint"), (envoyListen != "0.0.0.0", "--envoy-listen"),
            (envoyPortOffset != 0, "--envoy-port-offset"), (envoyAdminPort != 9901, "--envoy-admin-port"),
        ]
        if let flag = envoyFlags.first(where: \.0)?.1 {
            throw ValidationError("\(flag) applies to the Envoy config only: add --emit envoy")
        }
        if let out {
            let result = Compiler.compile(sources, options: options, diagnostics: diagnostics)
            report(diagnostics)
            if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
            try writeDirectory(result.plan.selecting(layers), to: out)
            return
        }
        try stream(sources, layers: layers, options: options, diagnostics: diagnostics)
    }

    /// `--emit envoy`: the gateway's Envoy bootstrap, as YAML or JSON.
    func emitEnvoy(_ sources: [InputLoader.Source], options: Compiler.Options, diagnostics: Diagnostics) throws {
        let envoy = try envoyOptions()
        let result = Compiler.leavingOutLLMServices(
            Compiler.compile(sources, options: options, diagnostics: diagnostics), by: "isvc compile --emit envoy", diagnostics: diagnostics
        )
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
        let config = Compiler.envoy(result, options: envoy)
        warnUnmatchedEndpoints(config)
        let text =
            output == .json
            ? JSONWriter.write(config) + "\n"
            : "# Envoy v3 bootstrap of the ingress gateway, as istiod would configure it (generated by isvc compile --emit envoy)\n"
                + YAMLWriter.document(config)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The plan to standard output: InferenceServices are expanded and rendered in parallel
    /// batches and written in order, a megabyte at a time.
    func stream(_ sources: [InputLoader.Source], layers: Set<Layer>, options: Compiler.Options, diagnostics: Diagnostics) throws {
        let allLayers = layers == Set(Layer.allCases)
        let json = output == .json
        var count = 0
        let stdout = FileHandle.standardOutput
        var buffer: [UInt8] = []
        Compiler.compile(
            sources, options: options, diagnostics: diagnostics,
            render: { object in
                guard allLayers || !object.layers.isDisjoint(with: layers) else { return nil }
                var bytes: [UInt8] = []
                if json {
                    // The separator is added when written: only the writer knows which item is first.
                    bytes.append(contentsOf: JSONWriter.write(object.body, indent: 4).utf8)
                    bytes.append(0)
                } else {
                    PlanRenderer.appendYAML(object, to: &bytes)
                }
                return bytes
            },
            write: { bytes in
                if json {
                    for item in bytes.split(separator: 0, omittingEmptySubsequences: true) {
                        buffer.append(contentsOf: (count == 0 ? PlanRenderer.jsonHeader + "\n    " : ",\n    ").utf8)
                        buffer.append(contentsOf: item)
                        count += 1
                    }
                } else {
                    buffer.append(contentsOf: bytes)
                }
                if buffer.count > 1 << 20 {
                    stdout.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            })
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
        if json {
            if count == 0 { buffer.append(contentsOf: PlanRenderer.jsonHeader.utf8) }
            buffer.append(contentsOf: PlanRenderer.jsonFooter(empty: count == 0).utf8)
        }
        stdout.write(Data(buffer))
    }

    func writeDirectory(_ plan: Plan, to dir: String) throws {
        if let problem = OutputDirectory.write(plan, to: dir) {
            printDiagnostic(problem, format: .text)
            throw ExitCode(ExitCodes.unusable)
        }
    }
}
