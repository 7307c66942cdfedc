import Foundation
import ISVCCore

/// What `isvc serve` runs, read from the compiled plan (never from the spec): the gateway's routing
/// (the same typed Envoy configuration `--emit envoy` prints) and, per service host, the workload behind it
/// with the container to run as a local process.
public struct ServePlan: Sendable {
    /// One workload (a Knative revision or a Standard-mode Deployment).
    public struct Workload: Sendable, Equatable {
        /// The service host clusters route to (`<rev>.<ns>.svc.cluster.local`).
        public var host: String
        public var name: String
        public var namespace: String
        /// The serving container, as the Deployment's pod template has it.
        public var container: Value
        /// Whether a cluster reaches the workload over HTTP/2 (an h2c revision, a gRPC Service port):
        /// a native replica then answers gRPC too.
        public var servesGRPC = false
        /// The user port the container listens on in a pod (PORT).
        public var userPort: Int
        /// What the storage initializer downloads into /mnt/models, if anything.
        public var storageURI: String?
        /// Mount path of the model volume (default /mnt/models).
        public var modelMountPath: String
        public var containerConcurrency: Int
        public var timeoutSeconds: Int
        /// The KPA parameters of the revision (Standard mode: the HPA class, replicas at min-scale).
        public var autoscaling: KPASettings
        public var inferenceService: String
        public var component: String
        /// A Standard-mode Deployment's rollout strategy (nil for a Knative revision, which is never changed in place).
        public var strategy: DeploymentStrategy?
        /// KServe's agent sidecar in the pod, if any: its logger, batcher and puller.
        public var agent: AgentSettings? = nil
        /// KServe's InferenceGraph router, when this workload is one (run in process).
        public var graph: GraphWorkload? = nil
        /// The TrainedModels the agent's puller loads into each replica (a multi-model predictor).
        public var pulledModels: [PulledModel] = []
    }

    public var router: GatewayRouter
    /// The listeners' JWT and RBAC filters, from the same typed Envoy configuration.
    public var security: GatewaySecurity
    public var workloads: [String: Workload]
    /// InferenceService name -> external host of its top-level route, for `/v1/models/<name>` paths on localhost.
    public var modelHosts: [String: String]
    /// InferenceGraph name -> the host it is called at: its route's external host (Knative mode), or
    /// its Service's cluster host (Standard mode, which has no ingress for it).
    public var graphHosts: [String: String] = [:]
    /// One line per Knative Route: how its traffic is split between revisions (for the log at start).
    public var traffic: [String] = []
    /// What the plan holds that serve does not run, one line each (logged as warnings at start).
    public var warnings: [String] = []
    /// LLMInferenceService name -> the path its managed route serves (`/<namespace>/<name>`).
    public var llmPaths: [String: String] = [:]
    /// The InferencePools' endpoint pickers, by the cluster their routes reach.
    public var pools: [String: Pool] = [:]
    /// Whether a request's JSON body `model` goes into `X-Gateway-Model-Name` before routing (GIE's
    /// body-based routing, in front of the LLMInferenceServices' routes).
    public var bodyBasedRouting = false

    /// The in-cluster hosts containers call by `--predictor_host` (a transformer's or explainer's
    /// predictor, `<isvc>-predictor.<namespace>`), and the hosts an InferenceGraph's steps call that
    /// the cluster-local gateway serves: each gets an internal address locally.
    public var internalHosts: [String] {
        let graphSteps = workloads.values.flatMap { $0.graph?.stepHosts ?? [] }.filter {
            router.servesLocally($0) || workloads[$0]?.strategy != nil
        }
        return Set(workloads.values.flatMap { ProcessReplica.predictorHosts(in: $0.container) } + graphSteps).sorted()
    }

    /// Throws when the gateway's Envoy config holds something serve cannot run as Envoy would.
    public init(_ result: Compiler.Result) throws(UnsupportedEnvoyConfig) {
        let config = result.validated.config
        let envoy = Compiler.envoyBootstrap(result, options: EnvoyOptions())
        router = try GatewayRouter(bootstrap: envoy, localGatewayHost: config.localGatewayHost)
        security = GatewaySecurity(bootstrap: envoy)
        warnings = Self.clusterWarnings(envoy, localGatewayHost: config.localGatewayHost)
        var workloads: [String: Workload] = [:]
        let objects = result.plan.objects
        // An LLMInferenceService's Deployments are read apart (`addLLMServices`).
        for d in objects where d.kind == "Deployment" && d.origin.kind != "LLMInferenceService" {
            let body = d.body
            let labels = body[path: ["metadata", "labels"]]?.object ?? [:]
            let revision = labels[Keys.knRevision]?.string
            let serviceName = revision ?? d.name
            let template = body[path: ["spec", "template", "spec"]] ?? [:]
            let containers = template["containers"]?.array ?? []
            // Sidecars are not the model server: Knative's queue-proxy and KServe's agent.
            let sidecars: Set<String> = ["queue-proxy", "agent"]
            let candidates = containers.filter { !sidecars.contains($0["name"]?.string ?? "") }
            let serving = candidates.first { $0["ports"]?.array?.isEmpty == false } ?? candidates.first ?? [:]
            let port = serving["ports"]?.array?.first?["containerPort"]?.int ?? 8080
            let initArgs = template["initContainers"]?.array?.first { $0["name"]?.string == "storage-initializer" }?["args"]?.array?
                .compactMap(\.string)
            let annotations = body[path: ["spec", "template", "metadata", "annotations"]]?.object ?? [:]
            let sourceURI = initArgs?.first ?? annotations[Keys.storageInitializerSourceURI]?.string
            // Knative's limits are in the revision; Standard mode has none (unlimited, KServe's 60s route timeout).
            let rev = revision.flatMap { r in objects.first { $0.kind == "Revision" && $0.name == r && $0.namespace == d.namespace } }
            let revAnnotations = rev?.body[path: ["metadata", "annotations"]]?.object ?? [:]
            var scaling: [String: String] = [:]
            for (k, v) in revAnnotations { if let v = v.string { scaling[k] = v } }
            if revision == nil {
                // The Deployment's replicas; with an HPA (or KEDA's ScaledObject) on it, which sets
                // none, the autoscaler's minimum, as the pods a cluster keeps at rest.
                let scaler = objects.first {
                    ($0.kind == "HorizontalPodAutoscaler" || $0.kind == "ScaledObject") && $0.namespace == d.namespace
                        && $0.body[path: ["spec", "scaleTargetRef", "name"]]?.string == d.name
                }
                let minimum = scaler?.body[path: ["spec", "minReplicas"]]?.int ?? scaler?.body[path: ["spec", "minReplicaCount"]]?.int
                scaling = [
                    Keys.autoscalingClass: "hpa.autoscaling.knative.dev",
                    Keys.minScale: String(body[path: ["spec", "replicas"]]?.int ?? max(1, minimum ?? 1)),
                ]
            }
            let containerConcurrency = rev?.body[path: ["spec", "containerConcurrency"]]?.int ?? 0
            workloads["\(serviceName).\(d.namespace).svc.cluster.local"] = Workload(
                host: "\(serviceName).\(d.namespace).svc.cluster.local", name: serviceName, namespace: d.namespace,
                container: serving, userPort: port, storageURI: sourceURI,
                modelMountPath: initArgs.map { $0.count > 1 ? $0[1] : "/mnt/models" } ?? "/mnt/models",
                containerConcurrency: containerConcurrency,
                timeoutSeconds: rev?.body[path: ["spec", "timeoutSeconds"]]?.int ?? 60,
                autoscaling: KPASettings(config: config.autoscaler, annotations: scaling, containerConcurrency: containerConcurrency),
                inferenceService: labels[Keys.inferenceService]?.string ?? "",
                component: labels[Keys.component]?.string ?? "",
                strategy: revision == nil ? DeploymentStrategy(body[path: ["spec", "strategy"]]) : nil,
                agent: containers.lazy.compactMap { AgentSettings(container: $0) }.first,
                graph: GraphWorkload(container: serving),
                pulledModels: PulledModel.models(podSpec: template, namespace: d.namespace, objects: objects))
        }
        // HTTP/2 clusters: the workloads they reach answer gRPC.
        for cluster in router.clusters.values where cluster.http2Upstream {
            workloads[GatewayRouter.serviceHost(ofCluster: cluster.name)]?.servesGRPC = true
        }
        self.workloads = workloads
        (modelHosts, graphHosts) = Self.hosts(result, router: router)
        addLLMServices(objects, autoscaler: config.autoscaler)
        for route in objects where route.kind == "Route" && route.body["apiVersion"]?.string == "serving.knative.dev/v1" {
            let targets = (route.body[path: ["spec", "traffic"]]?.array ?? []).map { t -> String in
                // latestRevision: true means the configuration's newest revision.
                let newest = objects.filter {
                    $0.kind == "Revision" && $0.namespace == route.namespace
                        && $0.body[path: ["metadata", "labels", Keys.knConfiguration]]?.string
                            == (t["configurationName"]?.string ?? route.name)
                }
                .map(\.name).max()
                let revision = t["revisionName"]?.string ?? newest.map { "\($0) (latest)" } ?? "latest"
                let tag = t["tag"]?.string.map { " (tag \($0))" } ?? ""
                return "\(t["percent"]?.int ?? 0)% \(revision)\(tag)"
            }
            traffic.append("route \(route.namespace)/\(route.name): " + targets.joined(separator: ", "))
        }
    }
}

extension ServePlan {
    /// Where each InferenceService (and each TrainedModel, on its InferenceService's host) and each
    /// InferenceGraph is called: its route's external host; a Standard-mode graph, which has no
    /// ingress, at its Service's cluster host.
    static func hosts(_ result: Compiler.Result, router: GatewayRouter) -> (models: [String: String], graphs: [String: String]) {
        func external(_ prefixes: [String]) -> String? {
            let candidates = router.knownHosts.filter { host in prefixes.contains { host.hasPrefix($0) } }
            return candidates.first(where: { !$0.hasSuffix(".svc.cluster.local") }) ?? candidates.first
        }
        var models: [String: String] = [:]
        for service in result.validated.services {
            models[service.name] = external(["\(service.name).\(service.namespace).", "\(service.name)-\(service.namespace)."])
        }
        for model in result.inputs.trainedModels {
            if let parent = model.inferenceService?.value, let host = models[parent], models[model.name] == nil {
                models[model.name] = host
            }
        }
        var graphs: [String: String] = [:]
        for g in result.validated.graphs {
            graphs[g.name] =
                g.mode == .knative ? external(["\(g.name).\(g.namespace)."]) : "\(g.name).\(g.namespace).svc.cluster.local"
        }
        return (models, graphs)
    }
}
