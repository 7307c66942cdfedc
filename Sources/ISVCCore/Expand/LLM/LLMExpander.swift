/// What KServe's LLMInferenceService controller creates for one service, in its reconcile order:
/// the workload (certificate Secret, vLLM Deployment, workload Service), then the router (the
/// managed endpoint picker and its pool, then the HTTPRoute). A stopped service has none.
extension Expander {
    public static func expand(_ llm: ValidatedLLMService, config: ClusterConfig) -> [PlanObject] {
        if Keys.stopped(llm.meta.annotations) { return [] }
        var out: [PlanObject] = []
        func add(_ body: Value, note: String? = nil) {
            out.append(PlanObject(createdBy: .kserve, origin: llm.ref, note: note, body: body))
        }
        let workload = LLMWorkloadObjects(service: llm, config: config)
        add(workload.certificateSecret(), note: "its key and certificate are generated in the cluster and not shown")
        for body in workload.sidecarAccess() { add(body) }
        add(workload.mainDeployment())
        if let prefill = llm.spec.prefill { add(workload.prefillDeployment(prefill)) }
        add(workload.workloadService())
        if let scheduler = llm.spec.managedScheduler {
            for body in LLMSchedulerObjects(service: llm, scheduler: scheduler).objects() { add(body) }
        }
        if let route = LLMRouteObjects(service: llm, config: config).httpRoute() { add(route) }
        return out
    }
}
