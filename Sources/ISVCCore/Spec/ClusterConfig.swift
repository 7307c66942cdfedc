import Foundation

/// What the cluster's ConfigMaps say: KServe's `inferenceservice-config` and Knative's `config-domain`,
/// `config-autoscaler`, `config-deployment`. The defaults are those of a KServe quick-start cluster.
public struct ClusterConfig: Sendable {
    // inferenceservice-config / ingress
    public var ingressGateway = "knative-serving/knative-ingress-gateway"
    public var kserveIngressGateway = "kserve/kserve-ingress-gateway"
    public var localGateway = "knative-serving/knative-local-gateway"
    public var localGatewayService = "knative-local-gateway.istio-system.svc.cluster.local"
    public var knativeLocalGatewayService: String?
    public var ingressDomain = "example.com"
    public var ingressClassName = "istio"
    public var domainTemplate = "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}"
    public var urlScheme = "http"
    public var disableIstioVirtualHost = false
    public var disableIngressCreation = false
    public var enableGatewayApi = false
    public var additionalIngressDomains: [String] = []
    public var pathTemplate: String?
    /// `ingress.disableHTTPRouteTimeout`: the HTTPRoutes' rules get no request timeout.
    public var disableHTTPRouteTimeout = false
    /// `ingress.enableLLMInferenceServiceTLS`: LLMInferenceService workloads and the EPP serve HTTPS.
    public var enableLLMInferenceServiceTLS = false
    /// `ingress.modelBasedRoutingHeaderName`: the header the LLM HTTPRoutes match the model on.
    public var modelBasedRoutingHeaderName = "X-Gateway-Model-Name"
    /// `ingress.modelBasedRoutingMode`: enabled, forced or disabled (anything else reads as enabled).
    public var modelBasedRoutingMode = "enabled"
    // inferenceservice-config / deploy
    public var defaultDeploymentMode = "Knative"
    // inferenceservice-config / storageInitializer
    public var storageInitializerImage = "kserve/storage-initializer:v0.20.0"
    public var storageInitializerResources: Value = [
        "requests": ["cpu": "100m", "memory": "100Mi"],
        "limits": ["cpu": "1", "memory": "1Gi"],
    ]
    public var caBundleConfigMapName = ""
    public var caBundleVolumeMountPath = "/etc/ssl/custom-certs"
    // inferenceservice-config / inferenceService
    public var defaultResources: Value = [
        "requests": ["cpu": "1", "memory": "2Gi"],
        "limits": ["cpu": "1", "memory": "2Gi"],
    ]
    public var serviceAnnotationDisallowedList: [String] = []
    public var serviceLabelDisallowedList: [String] = []
    // inferenceservice-config / agent, logger, batcher
    public var agent = AgentConfig()
    /// inferenceservice-config / router: the InferenceGraph router's image, resources and headers.
    public var router = RouterConfig()
    /// inferenceservice-config / metricsAggregator: the pod webhook's defaults for pods without the annotations.
    public var enableMetricAggregation = "false"
    public var enablePrometheusScraping = "false"
    public var logger = LoggerConfig()
    public var autoMountServiceAccountToken = true

    // Knative config-domain: domain -> label selector (nil selector = the default domain).
    public var domains: [(domain: String, selector: [String: String])] = [("example.com", [:])]
    /// config-network's `domain-template` and `tag-template`.
    public var knativeDomainTemplate = ClusterConfig.defaultDomainTemplate
    public var knativeTagTemplate = ClusterConfig.defaultTagTemplate
    static let defaultDomainTemplate = try! GoTemplate("{{.Name}}.{{.Namespace}}.{{.Domain}}")
    static let defaultTagTemplate = try! GoTemplate("{{.Tag}}-{{.Name}}")
    // Knative config-autoscaler
    public var autoscaler = AutoscalerConfig()
    // Knative config-deployment
    public var queueSidecarImage = "gcr.io/knative-releases/knative.dev/serving/cmd/queue:v1.23.0"
    public var progressDeadlineSeconds = 600
    public var queueSidecarResources: Value = ["requests": ["cpu": "25m"]]
    // Knative config-defaults
    public var revisionTimeoutSeconds = 300
    public var maxRevisionTimeoutSeconds = 600
    public var containerConcurrencyMaxLimit = 1000

    /// Knative `config-features` flags (`kubernetes.podspec-*`): "enabled", "disabled" or "allowed".
    public var knativeFeatures: [String: String] = [:]

    public init() {}

    /// The service that KServe's top-level VirtualService routes to.
    public var localGatewayHost: String { knativeLocalGatewayService ?? localGatewayService }
}

public struct AutoscalerConfig: Sendable {
    public var initialScale = 1
    public var allowZeroInitialScale = false
    public var enableScaleToZero = true
    public var containerConcurrencyTargetPercentage = 70.0
    public var containerConcurrencyTargetDefault = 100.0
    public var requestsPerSecondTargetDefault = 200.0
    public var targetBurstCapacity = 211.0
    public var stableWindowSeconds = 60
    public var panicWindowPercentage = 10.0
    public var panicThresholdPercentage = 200.0
    public var maxScaleUpRate = 1000.0
    public var maxScaleDownRate = 2.0
    public var scaleToZeroGracePeriodSeconds = 30
    public var scaleToZeroPodRetentionPeriodSeconds = 0
    public var minScale = 0
    public var maxScale = 0
    public var podAutoscalerClass = "kpa.autoscaling.knative.dev"

    public init() {}
}

/// inferenceservice-config's `agent` key: the agent sidecar's image and resources (the pod webhook
/// takes both from here for every agent, logger, batcher or puller).
public struct AgentConfig: Sendable, Equatable {
    public var image = "kserve/agent:v0.20.0"
    public var cpuRequest = "100m"
    public var cpuLimit = "1"
    public var memoryRequest = "100Mi"
    public var memoryLimit = "1Gi"
}

/// inferenceservice-config's `router` key, as the InferenceGraph controller reads it (`getRouterConfigs`).
public struct RouterConfig: Sendable, Equatable {
    public var image = "kserve/router:v0.20.0"
    public var cpuRequest = "100m"
    public var cpuLimit = "1"
    public var memoryRequest = "100Mi"
    public var memoryLimit = "1Gi"
    public var imagePullPolicy = "IfNotPresent"
    public var imagePullSecrets: [String] = []
    /// `headers.propagate`: nil when the key is absent (then the router gets no PROPAGATE_HEADERS).
    public var propagateHeaders: [String]?
    /// Why the controller refuses every InferenceGraph with this configuration (a quantity that does not parse).
    public var invalid: String?
}

/// inferenceservice-config's `logger` key, as the pod webhook reads it (`getLoggerConfigs`). Its image
/// and resources are checked but not used: the agent's are.
public struct LoggerConfig: Sendable, Equatable {
    public var defaultURL = "http://default-broker"
    public var caBundle = ""
    public var caCertFile = ""
    public var tlsSkipVerify = false
    public var marshallerURL = ""
    public var batchSize = 0
    public var batchInterval = ""
    /// Where the agent stores records instead of sending CloudEvents; the predictor's logger replaces it.
    public var storage: LoggerSpec.Storage?
}
