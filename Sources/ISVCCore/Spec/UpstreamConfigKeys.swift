/// The ConfigMap data keys the upstream controllers read, so that isvc can tell a key it does not
/// model (a `configmap.not-read` warning) from one nobody reads (`configmap.unknown-key`). Read from
/// the sources: KServe aaac4e29 (`pkg/apis/serving/v1beta1/configmap.go`, the pod webhook, the
/// controllers), Knative Serving knative-v1.23.0 (`pkg/autoscaler/config/config.go`,
/// `pkg/deployment/config.go`, `pkg/apis/config/{features,defaults}.go`, `pkg/gc/config.go`,
/// `pkg/observability/config.go`), knative.dev/networking c7a7b772 (`pkg/config/config.go`, which
/// serving's go.mod pins) and knative.dev/pkg 521cb33b (`observability/*/config.go`).
enum UpstreamConfigKeys {
    /// inferenceservice-config's top-level keys KServe reads (`_example` is its documentation).
    static let kserve: Set<String> = [
        "explainers", "inferenceService", "ingress", "deploy", "localModel", "security", "service", "multiNode",
        "opentelemetryCollector", "autoscaler", "storageInitializer", "credentials", "agent", "logger", "batcher",
        "metricsAggregator", "router", "scheduler", "autoscaling-wva-controller-config",
    ]

    /// Knative's ConfigMaps (config-domain's keys are domain names, any of them).
    static let knative: [String: Set<String>] = [
        "config-autoscaler": [
            "pod-autoscaler-class", "enable-scale-to-zero", "allow-zero-initial-scale", "max-scale-up-rate",
            "max-scale-down-rate", "container-concurrency-target-percentage", "container-concurrency-target-default",
            "requests-per-second-target-default", "target-burst-capacity", "panic-window-percentage", "activator-capacity",
            "panic-threshold-percentage", "initial-scale", "min-scale", "max-scale", "max-scale-limit", "stable-window",
            "scale-down-delay", "scale-to-zero-grace-period", "scale-to-zero-pod-retention-period",
        ],
        "config-deployment": [
            "queue-sidecar-image", "progress-deadline", "digest-resolution-timeout", "registries-skipping-tag-resolving",
            "queue-sidecar-cpu-request", "queue-sidecar-memory-request", "queue-sidecar-ephemeral-storage-request",
            "queue-sidecar-cpu-limit", "queue-sidecar-memory-limit", "queue-sidecar-ephemeral-storage-limit",
            "queue-sidecar-token-audiences", "queue-sidecar-rootca", "queue-sidecar-tls-min-version",
            "queue-sidecar-tls-max-version", "queue-sidecar-tls-cipher-suites", "queue-sidecar-tls-curve-preferences",
            "runtime-class-name", "pod-is-always-schedulable", "default-affinity-type",
            // Older spellings, read first (the kebab-case key wins when both are set).
            "queueSidecarImage", "progressDeadline", "digestResolutionTimeout", "registriesSkippingTagResolving",
            "queueSidecarCPURequest", "queueSidecarMemoryRequest", "queueSidecarEphemeralStorageRequest",
            "queueSidecarCPULimit", "queueSidecarMemoryLimit", "queueSidecarEphemeralStorageLimit",
        ],
        "config-features": [
            "autodetect-http2", "kubernetes.podspec-persistent-volume-write", "multi-container", "multi-container-probing",
            "queueproxy.mount-podinfo", "queueproxy.resource-defaults", "secure-pod-defaults", "tag-header-based-routing",
            "kubernetes.containerspec-addcapabilities", "kubernetes.podspec-affinity", "kubernetes.podspec-dnsconfig",
            "kubernetes.podspec-dnspolicy", "kubernetes.podspec-volumes-emptydir", "kubernetes.podspec-fieldref",
            "kubernetes.podspec-hostaliases", "kubernetes.podspec-hostipc", "kubernetes.podspec-hostnetwork",
            "kubernetes.podspec-hostpid", "kubernetes.podspec-volumes-hostpath", "kubernetes.podspec-volumes-csi",
            "kubernetes.podspec-volumes-ephemeral", "kubernetes.podspec-volumes-image", "kubernetes.podspec-init-containers",
            "kubernetes.podspec-volumes-mount-propagation", "kubernetes.podspec-nodeselector",
            "kubernetes.podspec-persistent-volume-claim", "kubernetes.podspec-priorityclassname",
            "kubernetes.podspec-runtimeclassname", "kubernetes.podspec-schedulername", "kubernetes.podspec-securitycontext",
            "kubernetes.podspec-shareprocessnamespace", "kubernetes.podspec-tolerations",
            "kubernetes.podspec-topologyspreadconstraints",
        ],
        "config-defaults": [
            "init-container-name-template", "container-name-template", "allow-container-concurrency-zero",
            "enable-service-links", "revision-timeout-seconds", "max-revision-timeout-seconds", "revision-idle-timeout-seconds",
            "container-concurrency", "container-concurrency-max-limit", "revision-cpu-request", "revision-memory-request",
            "revision-ephemeral-storage-request", "revision-cpu-limit", "revision-memory-limit",
            "revision-ephemeral-storage-limit", "revision-response-start-timeout-seconds",
        ],
        "config-network": [
            "ingress-class", "certificate-class", "domain-template", "tag-template", "rollout-duration",
            "autocreate-cluster-domain-claims", "enable-mesh-pod-addressability", "default-external-scheme",
            "internal-encryption", "mesh-compatibility-mode", "namespace-wildcard-cert-selector", "auto-tls",
            "external-domain-tls", "http-protocol", "system-internal-tls", "cluster-local-domain-tls",
            "ingress.class", "certificate.class", "domainTemplate", "tagTemplate", "rolloutDuration",
            "autocreateClusterDomainClaims", "defaultExternalScheme", "autoTLS", "httpProtocol",
        ],
        "config-gc": [
            "retain-since-create-time", "retain-since-last-active-time", "min-non-active-revisions", "max-non-active-revisions",
        ],
        "config-observability": [
            "tracing-protocol", "tracing-endpoint", "tracing-sampling-rate", "metrics-protocol", "metrics-endpoint",
            "metrics-export-interval", "request-metrics-protocol", "request-metrics-endpoint",
            "request-metrics-export-interval", "runtime-profiling", "runtime-export-interval",
            "logging.enable-var-log-collection", "logging.revision-url-template", "logging.request-log-template",
            "logging.enable-request-log", "logging.enable-probe-request-log",
        ],
    ]

    /// The config-features flags isvc's checks read (`KnativeFeatureRules`); the others change
    /// nothing isvc emits.
    static let honouredFeatures: Set<String> = ["kubernetes.podspec-init-containers", "kubernetes.podspec-persistent-volume-claim"]
}
