/// Rules of KServe's InferenceService validating webhook and controller, and what KServe's
/// reconciler does silently with an input (warnings).
public enum KServeRule: String, RuleFamily {
    case name = "kserve.name"
    case exactlyOne = "kserve.exactly-one"
    case modelFormat = "kserve.model-format"
    case modelContainerName = "kserve.model-container-name"
    case storageUri = "kserve.storage-uri"
    case storageUris = "kserve.storage-uris"
    case storageUriExclusive = "kserve.storage-uri-exclusive"
    case transformerStorageUri = "kserve.transformer-storage-uri"
    case blockedEnv = "kserve.blocked-env"
    case customProtocol = "kserve.custom-protocol"
    case deploymentMode = "kserve.deployment-mode"
    case deploymentStrategy = "kserve.deployment-strategy"
    case replicas = "kserve.replicas"
    case containerConcurrency = "kserve.container-concurrency"
    case autoscalerClass = "kserve.autoscaler-class"
    case scaleMetric = "kserve.scale-metric"
    case scaleTarget = "kserve.scale-target"
    case autoscalingMetric = "kserve.autoscaling-metric"
    case initialScale = "kserve.initial-scale"
    case scaleAnnotation = "kserve.scale-annotation"
    case standardScaleToZero = "kserve.standard-scale-to-zero"
    case stopped = "kserve.stopped"
    case canary = "kserve.canary"
    case canaryMode = "kserve.canary-mode"
    case canaryFirstDeployment = "kserve.canary-first-deployment"
    case logger = "kserve.logger"
    case loggerAnnotation = "kserve.logger-annotation"
    case trainedModel = "kserve.trained-model"
    case trainedModelNotServed = "kserve.trained-model-not-served"
    case graph = "kserve.graph"
    case graphTarget = "kserve.graph-target"

    public var definition: RuleDefinition {
        switch self {
        case .name: .error("metadata.name is present and a DNS-1035 label, as KServe requires")
        case .exactlyOne: .error("a component specifies exactly one implementation (a model, a framework, or containers)")
        case .modelFormat: .error("a predictor's model names its modelFormat")
        case .modelContainerName: .error("a predictor's model does not set a container name")
        case .storageUri: .error("storageUri has a scheme KServe's storage initializer downloads from, or is a path")
        case .storageUris: .error("storageUris have URIs and absolute mount paths with a common parent and no '..'")
        case .storageUriExclusive: .error("storageUri and storageUris are not both set")
        case .transformerStorageUri: .error("a transformer's container does not set STORAGE_URI")
        case .blockedEnv: .error("a container does not set PYTHONPATH")
        case .customProtocol: .error("a custom container's PROTOCOL env var is one KServe knows")
        case .deploymentMode: .error("the deployment-mode annotation is a mode KServe knows")
        case .deploymentStrategy: .error("deploymentStrategy is set only in Standard (RawDeployment) mode")
        case .replicas: .error("minReplicas and maxReplicas are non-negative, ordered, and fit in an int32")
        case .containerConcurrency: .error("containerConcurrency is not negative")
        case .autoscalerClass: .error("the autoscalerClass annotation is one KServe supports")
        case .scaleMetric: .error("scaleMetric is one the autoscaler class supports")
        case .scaleTarget: .error("scaleTarget is in range for its metric and fits in an int32")
        case .autoscalingMetric: .error("autoScaling.metrics are complete and of a type the autoscaler class supports")
        case .initialScale: .warning("an initial-scale annotation KServe drops (not a number, or 0 without allow-zero-initial-scale)")
        case .scaleAnnotation: .warning("a min-scale or max-scale annotation on the InferenceService, which KServe drops")
        case .standardScaleToZero: .warning("minReplicas 0 in Standard mode with an HPA, which keeps one replica")
        case .stopped: .warning("the stop annotation is set, so KServe creates nothing for the InferenceService")
        case .canary: .error("spec.canary predictors are named, distinct, and within traffic and replica limits")
        case .canaryMode: .error("a canary list is used only in Standard mode")
        case .logger: .error("a logger has a mode (all, request or response) and, with storage, its path, parameters and key")
        case .loggerAnnotation: .warning("an annotation named in logger.metadataAnnotations exists, or the webhook leaves it out")
        case .graph:
            .error(
                "an InferenceGraph passes KServe's webhook: its name, a root node, unique step names, one target per step, Splitter weights that sum to 100"
            )
        case .graphTarget:
            .error(
                "an InferenceGraph step's serviceName is an InferenceService in the input that KServe can give a URL (else the controller waits and creates nothing)"
            )
        case .trainedModel: .error("a TrainedModel's name and storageUri pass KServe's TrainedModel webhook")
        case .trainedModelNotServed:
            .warning(
                "a TrainedModel's InferenceService exists, serves several models and has the memory for it, or the controller leaves it out"
            )
        case .canaryFirstDeployment: .warning("canaryTrafficPercent on a first deployment, where it has no effect")
        }
    }
}
