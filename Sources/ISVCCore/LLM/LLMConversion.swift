/// KServe's conversion webhook from v1alpha1 to the v1alpha2 hub
/// (`v1alpha1/llm_inference_service_conversion.go`): `criticality` leaves the spec (KServe keeps it
/// in an internal annotation no child object reads), and the scheduler's pool spec moves from the
/// Inference Extension's v1alpha2 shape to its v1 shape (GIE's `ConvertTo`).
enum LLMConversion {
    /// The spec as the API server stores it: converted to v1alpha2, with the v1alpha2 CRD's defaults
    /// (the controller reads presets and services back this way, so what it merges has them).
    static func stored(_ document: LLMInferenceService) -> LLMInferenceService {
        var d = toV1alpha2(document)
        let schema =
            d.kind == .service ? EmbeddedSchemas.llmInferenceServiceV1alpha2Schema : EmbeddedSchemas.llmInferenceServiceConfigV1alpha2Schema
        if let spec = schema.properties["spec"] { d.spec = spec.defaulting(d.spec) }
        return d
    }

    static func toV1alpha2(_ document: LLMInferenceService) -> LLMInferenceService {
        guard document.apiVersion.value == "serving.kserve.io/v1alpha1" else { return document }
        var d = document
        var spec = d.spec
        spec[path: ["model", "criticality"]] = nil
        if var adapters = spec[path: ["model", "lora", "adapters"]]?.array {
            for i in adapters.indices { adapters[i]["criticality"] = nil }
            spec[path: ["model", "lora", "adapters"]] = .array(adapters)
        }
        if let pool = spec[path: ["router", "scheduler", "pool", "spec"]], case .object = pool {
            spec[path: ["router", "scheduler", "pool", "spec"]] = poolV1(pool)
        }
        d.spec = spec
        return d
    }

    /// A v1alpha2 InferencePool spec in the v1 shape.
    static func poolV1(_ pool: Value) -> Value {
        var out: Value = [:]
        if let selector = pool["selector"], selector != .null { out["selector"] = ["matchLabels": selector] }
        if let port = pool["targetPortNumber"], port != .null { out["targetPorts"] = [["number": port]] }
        if let ext = pool["extensionRef"], case .object = ext {
            var picker: Value = [:]
            for key in ["group", "kind", "name", "failureMode"] { if let v = ext[key], v != .null { picker[key] = v } }
            if let number = ext["portNumber"], number != .null { picker["port"] = ["number": number] }
            out["endpointPickerRef"] = picker
        }
        return out
    }
}
