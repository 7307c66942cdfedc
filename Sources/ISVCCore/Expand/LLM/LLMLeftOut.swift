extension Compiler {
    /// What does not take LLMInferenceServices yet (`isvc serve`, the gateway's Envoy config, the
    /// status): the result without them, and a warning per service saying so.
    public static func leavingOutLLMServices(_ result: Result, by what: String, diagnostics: Diagnostics) -> Result {
        guard !result.validated.llmServices.isEmpty else { return result }
        for llm in result.validated.llmServices {
            diagnostics.report(
                "\(what) does not run or route LLMInferenceServices yet; \(llm.namespace)/\(llm.name) is left out (isvc compile prints its objects)",
                at: llm.original.meta.name?.location ?? llm.original.location, rule: LLMRule.leftOut)
        }
        var out = result
        out.validated.llmServices = []
        out.plan.objects = result.plan.objects.filter { $0.origin.kind != "LLMInferenceService" }
        return out
    }
}
