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
            travel the path they would in a cluster; on localhost, /v1/models/<name> and /v2/models/<name> also find the \
            InferenceService by name. Containers run as local processes from their command and args.
            """)

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

    @Option(name: .customLong("request"),
            help: "A JSON request body to send once the gateway listens (V1 instances or V2 inputs); prints the answer and stops. Repeatable.")
    var requests: [String] = []

    @Option(help: "The InferenceService --request bodies go to (default: the first by name).")
    var requestModel: String?

    @Option(help: "PEM certificate chain for the gateway's TLS listener (a Gateway server with tls.mode SIMPLE needs it).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(help: "The TLS listener's port (on the same address; the ingress gateway's HTTPS port 443 is pod port 8443).")
    var tlsPort = 8443

    @Option(help: ArgumentHelp("Tensor elements one request to an in-process model may carry (V1 instances, V2 inputs; each is held as an 8-byte number): 413 past it.",
                               valueName: "count"))
    var maxTensorElements = ProtocolServer.Limits.defaultMaxTensorElements

    func validate() throws {
        guard maxTensorElements > 0 else { throw ValidationError("--max-tensor-elements must be at least 1") }
    }

    func run() async throws {
        // A closed standard output (isvc serve | head) must not kill the server before it stops its replicas.
        signal(SIGPIPE, SIG_IGN)
        let sources = try input.readSources()
        let diagnostics = Diagnostics(strict: input.strict)
        var options = Compiler.Options()
        options.defaultNamespace = input.namespace
        if let previous {
            options.previous = PreviousState.load(try CompiledInput.sources(at: previous), diagnostics: diagnostics)
        }
        let result = Compiler.compile(sources, options: options, diagnostics: diagnostics)
        report(diagnostics)
        if diagnostics.hasErrors { throw ExitCode(ExitCodes.problems) }
        var configured = Logger(label: "isvc")
        configured.logLevel = .info
        let logger = configured
        let plan = ServePlan(result)
        let tls = try GatewayTLS.resolve(istio: result.inputs.istio, certificateChain: tlsCert, privateKey: tlsKey)
        for note in tls.notes { logger.warning("\(note)") }
        try await plan.security.prepare()
        var limits = GatewayLimits()
        limits.maxTensorElements = maxTensorElements
        let gateway = GatewayServer(plan: plan, workDirectory: URL(fileURLWithPath: workdir, isDirectory: true),
                                    native: NativeRuntimes.hook, limits: limits, logger: logger)
        for (name, host) in plan.modelHosts.sorted(by: { $0.key < $1.key }) {
            logger.info("InferenceService \(name): curl -H 'Host: \(host)' http://\(self.host):\(port)/v1/models/\(name)")
        }
        for line in plan.traffic { logger.info("\(line)") }
        var oneShot: ServeRequests?
        if !requests.isEmpty {
            guard let model = requestModel ?? plan.modelHosts.keys.sorted().first, let modelHost = plan.modelHosts[model] else {
                throw ValidationError("--request: no InferenceService named \(requestModel ?? "") in the input (have: \(plan.modelHosts.keys.sorted().joined(separator: ", ")))")
            }
            oneShot = ServeRequests(files: requests, model: model, host: modelHost, address: host)
        }
        await gateway.startWorkloads()
        let bound = AsyncStream.makeStream(of: Int.self)
        let app = gateway.application(host: host, port: port) { port in
            logger.info("gateway listening on http://\(host):\(port)")
            bound.continuation.yield(port)
        }
        let admin = gateway.adminApplication(host: host, port: adminPort) { bound in
            logger.info("metrics at http://\(host):\(bound)/metrics")
        }
        for (internalHost, internalPort) in gateway.internalPorts.sorted(by: { $0.key < $1.key }) {
            logger.info("internal address 127.0.0.1:\(internalPort) routes as \(internalHost) (given as --predictor_host)")
        }
        var services: [any Service] = [app, admin]
        if let config = tls.configuration {
            services.append(try gateway.tlsApplication(host: host, port: tlsPort, tls: config) { logger.info("gateway listening on https://\(host):\($0)") })
        }
        let group = ServiceGroup(configuration: .init(services: services + gateway.internalApplications(), gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let answered = Task { () -> Bool in
            guard let oneShot else { return true }
            var ports = bound.stream.makeAsyncIterator()
            guard let port = await ports.next() else { return false }
            let ok = await oneShot.run(port: port)
            await group.triggerGracefulShutdown()
            return ok
        }
        do {
            try await group.run()
        } catch {
            logger.error("gateway stopped: \(error)")
        }
        bound.continuation.finish()
        logger.info("stopping replicas")
        await gateway.shutdown()
        if await !answered.value { throw ExitCode.failure }
    }
}
