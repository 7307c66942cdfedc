/// The annotations and labels the upstream controllers read on an InferenceService (v1beta1, Knative
/// and Standard mode), each with what isvc does with it, so that a key isvc does not model is said at
/// its position (`isvc.annotation-not-read`) while a key no controller reads passes through silently,
/// as upstream passes it. Read from the sources: KServe aaac4e29 (`pkg/constants/constants.go` and
/// the files named per key) and Knative Serving knative-v1.23.0 (`pkg/apis/{autoscaling,serving}/register.go`,
/// `pkg/apis/config/features.go`, `pkg/reconciler/revision/resources/{deploy,queue}.go`,
/// `pkg/apis/autoscaling/v1alpha1/pa_lifecycle.go`). `docs/annotations.md` is the table, written by
/// `UpstreamAnnotationsTests`.
enum UpstreamAnnotations {
    enum Kind: String, Sendable {
        case annotation, label
    }

    /// What isvc does with a key.
    enum Treatment: Sendable {
        /// Applied as upstream applies it, or upstream's effect cannot differ from isvc's output (the reason says why).
        case honoured(String)
        /// Not modelled: the key is warned at its position; the reason is the warning's.
        case notModelled(String)
        /// Read by upstream only for other kinds (LLMInferenceService, ModelMesh), or declared and never read.
        case notApplicable(String)
    }

    struct Key: Sendable {
        var key: String
        var kind: Kind = .annotation
        /// Who reads it and where: the project (kserve, knative, istio), then paths in its repository.
        var reader: String
        /// What upstream does with it, one line.
        var upstream: String
        var isvc: Treatment
        /// The modes in which upstream reads it.
        var modes: Set<DeploymentMode> = [.knative, .standard]
        /// Read from the component's merged metadata (the component's workloads, the pods KServe's pod
        /// webhook mutates, the revision template Knative reads), so `spec.<component>.annotations` reach it too.
        var component = false
        /// When isvc honours the key on the InferenceService but not in `spec.<component>.annotations`: why.
        var componentGap: String? = nil
        /// A value upstream acts on, for the tests.
        var sample = "true"
        /// The values upstream acts on (others change nothing, so they are not warned).
        var acts: @Sendable (String) -> Bool = { _ in true }

        var warning: String? {
            if case .notModelled(let reason) = isvc { return reason }
            return nil
        }

        /// Why the key is warned in `spec.<component>.annotations`, if it is.
        var componentWarning: String? { component ? componentGap ?? warning : nil }
    }

    static var all: [Key] { kserve + knative + notApplicable }

    /// The keys isvc warns about when present (on the InferenceService or in a component).
    static let notModelled: [Key] = all.filter { $0.warning != nil || $0.componentWarning != nil }

    static let kserve: [Key] = [
        Key(
            key: "serving.kserve.io/deploymentMode", reader: "kserve pkg/apis/serving/v1beta1/inference_service_defaults.go",
            upstream: "the deployment mode: Knative (legacy Serverless), Standard (legacy RawDeployment) or ModelMesh",
            isvc: .honoured("picks the mode; ModelMesh is reported as not compiled"), sample: "Knative"),
        Key(
            key: "serving.kserve.io/autoscalerClass",
            reader: "kserve pkg/controller/v1beta1/inferenceservice/reconcilers/autoscaler/autoscaler_reconciler.go",
            upstream: "Standard mode's autoscaler: hpa (default), keda, or none/external (no autoscaler)",
            isvc: .honoured("the HorizontalPodAutoscaler, ScaledObject or none"), modes: [.standard], component: true, sample: "hpa"),
        Key(
            key: "serving.kserve.io/stop", reader: "kserve pkg/utils/utils.go (GetForceStopRuntime), reconcilers/*",
            upstream: "\"true\", in any case, deletes the InferenceService's workloads and routes and marks it Stopped",
            isvc: .honoured("nothing is emitted for it (`kserve.stopped`)"), component: true,
            componentGap:
                "a component's own stop annotation makes KServe delete that component's workloads only; isvc stops whole InferenceServices",
            acts: { $0.lowercased() == "true" }),
        Key(
            key: "serving.kserve.io/enable-tag-routing",
            reader: "kserve pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go",
            upstream: "\"true\" tags the latest revision's traffic target `latest`", isvc: .honoured("the `latest` tag and its host"),
            modes: [.knative], component: true),
        Key(
            key: "serving.kserve.io/disable-auto-update", reader: "kserve pkg/controller/v1beta1/inferenceservice/controller.go",
            upstream: "\"true\": once the InferenceService is Ready, KServe stops reconciling it",
            isvc: .notModelled(
                "once the InferenceService is Ready, KServe leaves its objects as they are; isvc always shows those of the current spec"),
            acts: { $0 == "true" }),
        Key(
            key: "serving.kserve.io/disable-localmodel", reader: "kserve pkg/apis/serving/v1beta1/inference_service_defaults.go",
            upstream: "keeps the defaulter from matching the storage URI against LocalModelCaches",
            isvc: .honoured("no effect: isvc uses no LocalModelCache (inferenceservice-config's localModel, off by default, is warned)")),
        Key(
            key: "serving.kserve.io/nodegroup", reader: "kserve pkg/apis/serving/v1beta1/inference_service_defaults.go",
            upstream: "the node group whose LocalModelCache PVC serves the model",
            isvc: .honoured("no effect: isvc uses no LocalModelCache (inferenceservice-config's localModel, off by default, is warned)"),
            sample: "gpu"),
        Key(
            key: "serving.kserve.io/gke-accelerator", reader: "kserve pkg/webhook/admission/pod/accelerator_injector.go",
            upstream: "pods with an nvidia.com/gpu limit get the nodeSelector cloud.google.com/gke-accelerator",
            isvc: .honoured("the pod template's nodeSelector"), component: true, sample: "nvidia-tesla-t4"),
        Key(
            key: "serving.kserve.io/storage-initializer-uid", reader: "kserve pkg/webhook/admission/pod/storage_initializer_injector.go",
            upstream: "an integer is the storage-initializer's runAsUser (for Istio CNI)",
            isvc: .honoured("the storage-initializer's securityContext.runAsUser"), component: true, sample: "1337"),
        Key(
            key: "serving.kserve.io/gpu-resource-types", reader: "kserve pkg/utils/utils.go",
            upstream: "extra GPU resource names for a multi-node workerSpec's checks and GPU count",
            isvc: .honoured("no effect: only a workerSpec reads it, and isvc does not compile one (`isvc.unsupported`)"),
            sample: "[\"example.com/gpu\"]"),
        Key(
            key: "serving.kserve.io/enable-metric-aggregation", reader: "kserve pkg/webhook/admission/pod/metrics_aggregate_injector.go",
            upstream: "the queue-proxy aggregates the server's and its own metrics on port 9088",
            isvc: .honoured("the queue-proxy's env and the aggr-metric port"), component: true),
        Key(
            key: "serving.kserve.io/enable-prometheus-scraping", reader: "kserve pkg/webhook/admission/pod/metrics_aggregate_injector.go",
            upstream: "the pods get prometheus.io/port and prometheus.io/path", isvc: .honoured("the pods' prometheus.io annotations"),
            component: true),
        Key(
            key: "prometheus.kserve.io/port", reader: "kserve pkg/webhook/admission/pod/metrics_aggregate_injector.go",
            upstream: "the server's metrics port the aggregating queue-proxy scrapes",
            isvc: .honoured("KSERVE_CONTAINER_PROMETHEUS_METRICS_PORT"), component: true, sample: "8081"),
        Key(
            key: "prometheus.kserve.io/path", reader: "kserve pkg/webhook/admission/pod/metrics_aggregate_injector.go",
            upstream: "the server's metrics path the aggregating queue-proxy scrapes",
            isvc: .honoured("KSERVE_CONTAINER_PROMETHEUS_METRICS_PATH"), component: true, sample: "/stats"),
        Key(
            key: "storage.kserve.io/readonly", reader: "kserve pkg/webhook/admission/pod/storage_initializer_injector.go",
            upstream: "\"false\" mounts the model volume read-write", isvc: .honoured("the model mount's readOnly"), sample: "false"),
        Key(
            key: "modelFormat", reader: "kserve pkg/apis/serving/v1beta1/inference_service_defaults.go",
            upstream: "the defaulter sets it to the model format when absent; kept off the components",
            isvc: .honoured("set and dropped the same way"), sample: "sklearn"),
        Key(
            key: "kubectl.kubernetes.io/last-applied-configuration",
            reader: "kserve pkg/constants/constants.go (ServiceAnnotationDisallowedList)",
            upstream: "kept off the components", isvc: .honoured("kept off the components"), sample: "{}"),
        Key(
            key: "serving.knative.openshift.io/enablePassthrough",
            reader: "kserve pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go",
            upstream: "moved to the Knative Service's metadata (OpenShift Serverless reads it there)",
            isvc: .honoured("moved the same way"), modes: [.knative], component: true),
        Key(
            key: "serving.knative.dev/rollout-duration", reader: "kserve ksvc_reconciler.go; knative pkg/reconciler/route",
            upstream: "moved to the Knative Service's metadata: the Route shifts traffic to a new revision over this time",
            isvc: .honoured("moved the same way; `isvc serve` shifts traffic in Knative's steps"), modes: [.knative], component: true,
            sample: "60s"),
        Key(
            key: "networking.kserve.io/visibility", kind: .label,
            reader: "kserve pkg/controller/v1beta1/inferenceservice/reconcilers/ingress/{kube_ingress,httproute}_reconciler.go",
            upstream: "cluster-local: no external Ingress or HTTPRoute", isvc: .honoured("no external route"), modes: [.standard],
            sample: "cluster-local"),
        Key(
            key: "networking.knative.dev/visibility", kind: .label,
            reader: "kserve reconcilers/ingress/ingress_reconciler.go; knative pkg/reconciler/route",
            upstream: "cluster-local: no external VirtualService host, a cluster-local Route", isvc: .honoured("cluster-local routes only"),
            modes: [.knative], sample: "cluster-local"),
        Key(
            key: "sidecar.istio.io/inject", reader: "istio sidecar injector, on the pods",
            upstream:
                "\"true\" injects the istio-proxy sidecar; with Istio CNI, KServe's pod webhook runs the storage-initializer as its user",
            isvc: .notModelled(
                "Istio's injector adds its istio-proxy sidecar to the pods; isvc does not show it, nor what KServe's pod webhook changes for it"
            ),
            component: true, acts: { $0 == "true" }),
        Key(
            key: "sidecar.istio.io/inject", kind: .label, reader: "istio sidecar injector, on the pods",
            upstream:
                "\"true\" injects the istio-proxy sidecar; with Istio CNI, KServe's pod webhook runs the storage-initializer as its user",
            isvc: .notModelled(
                "Istio's injector adds its istio-proxy sidecar to the pods; isvc does not show it, nor what KServe's pod webhook changes for it"
            ),
            component: true, acts: { $0 == "true" }),
    ]

    /// Keys KServe declares for other kinds, or declares and never reads: no controller acts on them
    /// on an InferenceService, so they pass through unwarned.
    static let notApplicable: [Key] =
        [
            "serving.kserve.io/exp-dra-device-class", "serving.kserve.io/exp-dra-cel-selector",
            "serving.kserve.io/exp-dra-device-count", "serving.kserve.io/exp-dra-container-name",
        ].map {
            Key(
                key: $0, reader: "kserve pkg/validation/managed_dra.go", upstream: "managed DRA resource claims, LLMInferenceService only",
                isvc: .notApplicable("not read on an InferenceService"))
        } + [
            Key(
                key: "serving.kserve.io/inferencepool-migrated", reader: "kserve pkg/constants/constants.go",
                upstream: "declared for LLMInferenceService, read nowhere", isvc: .notApplicable("not read on an InferenceService")),
            Key(
                key: "serving.kserve.io/enable-served-by-header", reader: "kserve pkg/constants/constants.go",
                upstream: "declared for LLMInferenceService, read nowhere", isvc: .notApplicable("not read on an InferenceService")),
            Key(
                key: "serving.kserve.io/routing-group", kind: .label, reader: "kserve pkg/controller/v1alpha2/llmisvc/router.go",
                upstream: "an LLMInferenceService's traffic-splitting group", isvc: .notApplicable("not read on an InferenceService")),
        ]
        + ["serving.kserve.io/metrics", "serving.kserve.io/targetUtilizationPercentage"].map {
            Key(
                key: $0, reader: "kserve pkg/constants/constants.go", upstream: "declared, read nowhere",
                isvc: .notApplicable("no controller reads it: spec.<component>.scaleMetric and scaleTarget set the autoscaler"))
        }
        + ["serving.kserve.io/logger-secret-name", "serving.kserve.io/logger-secret-path", "serving.kserve.io/logger-secret-file"].map {
            Key(
                key: $0, reader: "kserve pkg/constants/constants.go", upstream: "declared, read nowhere",
                isvc: .notApplicable("no controller reads it: spec.<component>.logger.storage sets the logger's credentials"))
        }
}
