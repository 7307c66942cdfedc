/// An InferenceGraph's status once its router is ready, as KServe's controller writes it: in Knative
/// mode the Knative Service's URL and conditions, in Standard mode the raw reconciler's URL (the
/// domain template's host, though no Ingress routes to it) and Ready; then `Stopped` False.
enum GraphStatus {
    static func object(_ g: ValidatedGraph, config: ClusterConfig) -> Value {
        var status: [String: Value]
        let stopped: Value = ["type": "Stopped", "status": "False"]
        if g.mode == .standard {
            let meta = g.graph.meta
            let host = StandardIngress(config: config).host(
                g.name, namespace: g.namespace, annotations: meta.annotations, labels: meta.labels)
            status = [
                "url": .string("http://\(host)"),
                "conditions": [["type": "Ready", "status": "True"], stopped],
                "observedGeneration": 1,
            ]
        } else {
            let host = KnativeNetworking(config: config).urlHost(
                route: g.name, namespace: g.namespace,
                labels: g.graph.meta.labels.merging([Keys.knService: g.name]) { $1 })
            let scheme = host.hasSuffix(".svc.cluster.local") ? "http" : config.urlScheme
            status = [
                "url": .string("\(scheme)://\(host)"),
                "conditions": [
                    ["type": "ConfigurationsReady", "status": "True"], ["type": "Ready", "status": "True"],
                    ["type": "RoutesReady", "status": "True"], stopped,
                ],
            ]
        }
        return [
            "apiVersion": "serving.kserve.io/v1alpha1", "kind": "InferenceGraph",
            "metadata": ["name": .string(g.name), "namespace": .string(g.namespace)],
            "status": .object(status),
        ]
    }
}
