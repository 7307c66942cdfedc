/// The endpoint picker's configuration as KServe hands it to the EPP (`scheduler.go`
/// `preserveSchedulerConfig`, `schedulerConfigText`): the inline config, else a config flag the
/// template already has, else KServe's default profile, as `--config-text`.
enum LLMSchedulerConfig {
    /// `schedulerConfigText` for a service without prefill and without LoRA adapters (the leading
    /// newline is part of KServe's text).
    static let defaultText = """

        apiVersion: llm-d.ai/v1alpha1
        kind: EndpointPickerConfig
        plugins:
        - type: single-profile-handler
        - type: queue-scorer
        - type: kv-cache-utilization-scorer
        - type: prefix-cache-scorer
        - type: no-hit-lru-scorer
        - type: max-score-picker
        schedulingProfiles:
        - name: default
          plugins:
          - pluginRef: queue-scorer
            weight: 2
          - pluginRef: kv-cache-utilization-scorer
            weight: 2
          - pluginRef: prefix-cache-scorer
            weight: 3
          - pluginRef: no-hit-lru-scorer
            weight: 2
          - pluginRef: max-score-picker

        """

    /// `schedulerConfigText` for a service with `prefill` (and no LoRA adapters): always disaggregate.
    static let disaggregatedText = """

        apiVersion: llm-d.ai/v1alpha1
        kind: EndpointPickerConfig
        plugins:
        - type: disagg-headers-handler
        - type: prefill-filter
        - type: decode-filter
        - type: queue-scorer
        - type: kv-cache-utilization-scorer
        - type: active-request-scorer
        - type: prefix-cache-scorer
        - type: max-score-picker
        - type: always-disagg-pd-decider
        - type: disagg-profile-handler
          parameters:
            deciders:
              prefill: always-disagg-pd-decider
        schedulingProfiles:
        - name: prefill
          plugins:
          - pluginRef: prefill-filter
          - pluginRef: prefix-cache-scorer
            weight: 3
          - pluginRef: queue-scorer
            weight: 2
          - pluginRef: kv-cache-utilization-scorer
            weight: 2
          - pluginRef: max-score-picker
        - name: decode
          plugins:
          - pluginRef: decode-filter
          - pluginRef: active-request-scorer
            weight: 2
          - pluginRef: prefix-cache-scorer
            weight: 3
          - pluginRef: max-score-picker

        """

    /// `schedulerConfigText` as KServe builds it: the P/D or the single profile, with the LoRA
    /// affinity scorer (weight 4) in each profile when the model has adapters.
    static func text(disaggregated: Bool, lora: Bool) -> String {
        var text = disaggregated ? disaggregatedText : defaultText
        guard lora else { return text }
        let entry = "  - pluginRef: lora-affinity-scorer\n    weight: 4\n"
        if disaggregated {
            text = text.replacingOccurrences(
                of: "      prefill: always-disagg-pd-decider\n",
                with: "      prefill: always-disagg-pd-decider\n- type: lora-affinity-scorer\n")
            text = text.replacingOccurrences(of: "  - pluginRef: prefill-filter\n", with: "  - pluginRef: prefill-filter\n" + entry)
            text = text.replacingOccurrences(of: "  - pluginRef: decode-filter\n", with: "  - pluginRef: decode-filter\n" + entry)
        } else {
            text = text.replacingOccurrences(
                of: "- type: max-score-picker\nschedulingProfiles:",
                with: "- type: max-score-picker\n- type: lora-affinity-scorer\nschedulingProfiles:")
            text = text.replacingOccurrences(
                of: "  plugins:\n  - pluginRef: queue-scorer", with: "  plugins:\n" + entry + "  - pluginRef: queue-scorer")
        }
        return text
    }

    /// The flags the EPP reads its config from (Go's flag package takes both spellings).
    static let configFlags: Set<String> = [
        "--config-text", "-config-text", "--configText", "-configText",
        "--config-file", "-config-file", "--configFile", "-configFile",
    ]
    static let inlineFlags: Set<String> = ["--config-text", "-config-text", "--configText", "-configText"]

    /// Plugin types and API versions KServe's version-gated migrations (`schedulerTransform`)
    /// rewrite; isvc does not apply those migrations yet.
    static let migrated: Set<String> = [
        "prefill-header-handler", "pd-profile-handler", "model-server-protocol-metrics", "precise-prefix-cache-scorer",
    ]

    /// The inline config as the API server hands it over (`RawExtension.Raw`): a mapping as compact
    /// JSON, a string as a JSON string.
    static func inlineText(_ inline: Value) -> String {
        JSONWriter.compact(inline)
    }

    /// `mutateSchedulerConfig`, which `schedulerTransform` runs for an EPP of version 0.7.0 or later
    /// (the pod annotation `app.kubernetes.io/version`): a config text that reads as an object with a
    /// kind is written back as `sigs.k8s.io/yaml` writes it (keys sorted); any other text is kept.
    static func rewritten(_ text: String, version: String?) -> String {
        guard atLeast(version ?? "0.0.0", [0, 7, 0]), let config = parse(text), case .object(let o) = config,
            !(o["kind"]?.string ?? "").isEmpty
        else { return text }
        return YAMLWriter.sortedDocument(config)
    }

    /// A semantic version compared with `minimum` (a `v` prefix and pre-release suffix ignored).
    static func atLeast(_ version: String, _ minimum: [Int]) -> Bool {
        let core = version.drop { $0 == "v" }.split(separator: "-").first ?? ""
        let parts = core.split(separator: ".").map { Int($0) ?? 0 }
        guard parts.count == 3 else { return false }
        return parts.lexicographicallyPrecedes(minimum) == false
    }

    /// `inlineSchedulerConfigBytes` parsed: the inline config, else a `--config-text` in the main container's args.
    static func inlineConfig(_ spec: Value) -> Value? {
        if let inline = spec[path: ["router", "scheduler", "config", "inline"]], inline != .null {
            if case .string(let text) = inline { return parse(text) }
            return inline
        }
        if let pair = flag(in: spec[path: ["router", "scheduler", "template", "containers"]]?.array ?? []),
            inlineFlags.contains(pair.0)
        {
            return parse(pair.1)
        }
        return nil
    }

    /// A config written as text (KServe unmarshals it as YAML; an unreadable one has no plugins).
    static func parse(_ text: String) -> Value? {
        let documents = YAMLReader.read(text: text, file: "scheduler config", diagnostics: Diagnostics())
        return documents.first.map { Value($0.root) }
    }

    /// `configFlagFromContainers`: the first config flag and its value in container `main`'s args.
    static func flag(in containers: [Value]) -> (String, String)? {
        guard let main = containers.first(where: { $0["name"]?.string == "main" }) else { return nil }
        let args = (main["args"]?.array ?? []).compactMap(\.string)
        for i in args.indices.dropLast() where configFlags.contains(args[i]) { return (args[i], args[i + 1]) }
        return nil
    }

    static func pluginTypes(_ config: Value?) -> [String] {
        (config?["plugins"]?.array ?? []).compactMap { $0["type"]?.string }
    }

    /// `isTokenizerEnabled`: a tokenizer spec, or a token-producer or precise prefix-cache plugin.
    static func usesTokenizer(_ spec: Value) -> Bool {
        if let t = spec[path: ["router", "scheduler", "tokenizer"]], t != .null { return true }
        let types = pluginTypes(inlineConfig(spec))
        return types.contains("token-producer") || types.contains("precise-prefix-cache-scorer")
    }

    /// `hasLatencyProducerInSpec`.
    static func usesLatencyPredictor(_ spec: Value) -> Bool {
        pluginTypes(inlineConfig(spec)).contains("predicted-latency-producer")
    }
}
