extension Compiler {
    /// What does not take (some) LLMInferenceServices yet (the gateway's Envoy config and the status
    /// take none; `isvc serve` no prefill/decode one): the result without those `leftOut` says, and a
    /// warning per service saying so, with `why`.
    public static func leavingOutLLMServices(
        _ result: Result, by what: String, diagnostics: Diagnostics, why: String = "LLMInferenceServices",
        where leftOut: (ValidatedLLMService) -> Bool = { _ in true }
    ) -> Result {
        let dropped = result.validated.llmServices.filter(leftOut)
        guard !dropped.isEmpty else { return result }
        for llm in dropped {
            diagnostics.report(
                "\(what) does not run or route \(why) yet; \(llm.namespace)/\(llm.name) is left out (isvc compile prints its objects)",
                at: llm.original.meta.name?.location ?? llm.original.location, rule: LLMRule.leftOut)
        }
        let names = Set(dropped.map { "\($0.namespace)/\($0.name)" })
        var out = result
        out.validated.llmServices.removeAll { names.contains("\($0.namespace)/\($0.name)") }
        out.plan.objects = result.plan.objects.filter {
            $0.origin.kind != "LLMInferenceService" || !names.contains("\($0.origin.namespace)/\($0.origin.name)")
        }
        return out
    }
}
