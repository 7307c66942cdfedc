import ArgumentParser
import Foundation
import ISVCCore
import ISVCServe
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the compiled plan on this machine: a gateway that routes as the cluster's does, queue-proxies and replicas.",
        discussion: """
            Requests to http://HOST:PORT with an InferenceService's host (curl -H 'Host: sklearn-iris.default.example.com') \
            travel the path they would in a cluster; with the gateway's own address as Host (localhost, --host), /v1/models/<name> and /v2/models/<name> also find the \
            InferenceService by name. An LLMInferenceService answers on its HTTPRoute's paths for any host \
            (/<namespace>/<name>/v1/completions, ...), its pool's replicas chosen by an endpoint picker as llm-d's EPP \
            chooses them. Containers run as local processes from their command and args.
            """ + "\n\n" + HelpExamples.serve)

    @OptionGroup var input: InputOptions

    @Option(help: "The gateway's port.")
    var port = 8080

    @Option(help: "The address the gateway listens on.")
    var host = "127.0.0.1"

    @Option(help: "The admin port (on the same address): Prometheus metrics at /metrics, /healthz.")
    var adminPort = 9090

    @Option(help: "Where models are downloaded and copied (per workload).")
    var workdir = ".isvc"

    @Option(help: "An earlier isvc compile output: serve the rollout state after it (revisions, canary traffic).")
    var previous: String?

    @Option(
        name: .customLong("request"),
        help:
            "A JSON request body to send once the gateway listens (V1 instances, V2 inputs, or an OpenAI completion or chat request for an LLMInferenceService); prints the answer and stops. Repeatable."
    )
    var requests: [String] = []

    @Option(
        help:
            "The InferenceService (or InferenceGraph, or LLMInferenceService) --request bodies go to (default: the first InferenceService by name)."
    )
    var requestModel: String?

    @Option(help: "PEM certificate chain for the gateway's TLS listener (a Gateway server with tls.mode SIMPLE needs it).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "The TLS listener's port (on the same address; the ingress gateway's HTTPS port 443 is pod port 8443).")
    var tlsPort = 8443

    @Option(help: "Deployment mode when the InferenceService does not say: knative or standard.")
    var mode: DeploymentMode?

    @Flag(
        help:
            "Follow edits of the input files: compile each against what runs (as --previous) and apply the difference as the cluster would. SIGHUP applies the files once, with or without --watch."
    )
    var watch = false

    @Option(
        help: ArgumentHelp(
            "Tensor elements one request to an in-process model may carry (V1 instances, V2 inputs; each is held as an 8-byte number): 413 past it.",
            valueName: "count"))
    var maxTensorElements = ProtocolServer.Limits.defaultMaxTensorElements

    @Option(
        help: ArgumentHelp(
            "Log level: trace, debug, info, notice, warning, error or critical (debug adds a line per endpoint-picker choice, with every replica's scores).",
            valueName: "level"))
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard maxTensorElements > 0 else { throw ValidationError("--max-tensor-elements must be at least 1") }
    }

    func run() async throws {
        // A closed standard output (isvc serve | head) must not kill the server before it stops its replicas.
        signal(SIGPIPE, SIG_IGN)
        if watch, input.allFiles.contains("-") {
            throw ValidationError("--watch follows files; standard input (-) cannot be watched")
        }
        let sources = try input.readSources()
        var settings = ServeSession.Settings()
        settings.namespace = input.namespace
        settings.strict = input.strict
        settings.mode = mode
        let earlier = Diagnostics(strict: input.strict)
        let previousState = try previous.map { PreviousState.load(try CompiledInput.sources(at: $0), diagnostics: earlier) }
        report(earlier)
        if earlier.hasErrors { throw ExitCode(ExitCodes.problems) }
        let (result, diagnostics) = ServeSession.compile(sources, settings: settings, previous: previousState)
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
        var configured = Logger(label: "isvc")
        configured.logLevel = logLevel
        let logger = configured
        let plan: ServePlan
        do {
            plan = try ServePlan(result)
        } catch {
            printError("error: \(error)")
            throw ExitCode(ExitCodes.problems)
        }
        let tls = try GatewayTLS.resolve(istio: result.inputs.istio, certificateChain: tlsCert, privateKey: tlsKey)
        for note in tls.notes { logger.warning("\(note)") }
        for (name, host) in plan.modelHosts.sorted(by: { $0.key < $1.key }) {
            logger.info("InferenceService \(name): curl -H 'Host: \(host)' http://\(self.host):\(port)/v1/models/\(name)")
        }
        for (name, host) in plan.graphHosts.sorted(by: { $0.key < $1.key }) {
            logger.info("InferenceGraph \(name): curl -H 'Host: \(host)' -d @request.json http://\(self.host):\(port)/")
        }
        for (name, path) in plan.llmPaths.sorted(by: { $0.key < $1.key }) {
            logger.info(
                "LLMInferenceService \(name): curl -H 'Content-Type: application/json' http://\(self.host):\(port)\(path)/v1/completions -d '{\"model\": ..., \"prompt\": ...}' (also /v1/chat/completions, /v1/models)"
            )
        }
        for line in plan.traffic { logger.info("\(line)") }
        for line in plan.warnings { logger.warning("\(line)") }
        var oneShot: ServeRequests?
        if !requests.isEmpty {
            let model =
                requestModel ?? plan.modelHosts.keys.sorted().first ?? plan.graphHosts.keys.sorted().first
                ?? plan.llmPaths.keys.sorted().first
            if let model, let modelHost = plan.modelHosts[model] {
                oneShot = ServeRequests(files: requests, model: model, host: modelHost, address: host)
            } else if let model, let graphHost = plan.graphHosts[model] {
                oneShot = ServeRequests(files: requests, model: model, host: graphHost, address: host, graph: true)
            } else if let model, let path = plan.llmPaths[model] {
                oneShot = ServeRequests(files: requests, model: model, host: host, address: host, llmPath: path)
            } else {
                let names = (plan.modelHosts.keys.sorted() + plan.graphHosts.keys.sorted() + plan.llmPaths.keys.sorted())
                    .joined(separator: ", ")
                throw ValidationError(
                    "--request: no InferenceService, InferenceGraph or LLMInferenceService named \(requestModel ?? "") in the input (have: \(names))"
                )
            }
        }
        var listeners = ServeRun.Listeners()
        listeners.host = host
        listeners.port = port
        listeners.adminPort = adminPort
        listeners.tls = tls.configuration
        listeners.tlsPort = tlsPort
        listeners.stopsOnSignals = true
        var limits = GatewayLimits()
        limits.maxTensorElements = maxTensorElements
        let run = try await ServeRun.start(
            result, settings: settings, workDirectory: URL(fileURLWithPath: workdir, isDirectory: true),
            native: NativeRuntimes.hook, limits: limits, listeners: listeners, logger: logger)
        for (internalHost, internalPort) in run.gateway.internalPorts.sorted(by: { $0.key < $1.key }) {
            logger.info("internal address 127.0.0.1:\(internalPort) routes as \(internalHost) (given as --predictor_host)")
        }
        logger.info("gateway listening on http://\(host):\(run.bound.port)")
        if let tlsPort = run.bound.tlsPort { logger.info("gateway listening on https://\(host):\(tlsPort)") }
        if let adminPort = run.bound.adminPort { logger.info("metrics at http://\(host):\(adminPort)/metrics") }
        let edits = EditLoop(session: run.session, files: input.allFiles, logger: logger)
        let following = Task { await edits.run(watch: watch) }
        defer { following.cancel() }
        let answered = Task { () -> Bool in
            guard let oneShot else { return true }
            let ok = await oneShot.run(port: run.bound.port)
            await run.stop()
            return ok
        }
        if let error = await run.finished() { logger.error("gateway stopped: \(error)") }
        logger.info("replicas stopped")
        if await !answered.value { throw ExitCode.failure }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
