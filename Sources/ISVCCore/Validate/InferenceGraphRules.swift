/// An InferenceGraph that passed KServe's webhook, with what the controller resolves before it
/// creates anything: the deployment mode and each `serviceName` step's URL.
public struct ValidatedGraph: Sendable {
    public var graph: InferenceGraph
    public var mode: DeploymentMode
    /// `serviceUrl` per node name and step index, as the controller fills it in (`GetPredictorEndpoint`).
    public var resolvedURLs: [String: [Int: String]]

    public var name: String { graph.name }
    public var namespace: String { graph.namespace }
}

/// KServe's InferenceGraph webhook (`inference_graph_validation.go`, with its messages), the
/// controller's resolution of `serviceName` steps (`GetPredictorEndpoint`), and isvc's warnings for
/// what the router would fail on or not read.
struct InferenceGraphRules {
    let diagnostics: Diagnostics
    let inputs: Inputs
    let mode: DeploymentMode?

    static let namePattern = "^[a-z]([-a-z0-9]*[a-z0-9])?$"

    func validate(services: [ValidatedService]) -> [ValidatedGraph] {
        var byName: [String: ValidatedService] = [:]
        for s in services { byName["\(s.namespace)/\(s.name)"] = s }
        var seen: [String: SourceLocation] = [:]
        var graphs: [ValidatedGraph] = []
        for graph in inputs.inferenceGraphs {
            let key = "\(graph.namespace)/\(graph.name)"
            if let first = seen[key] {
                diagnostics.report(
                    "InferenceGraph \(key) is defined twice", at: graph.meta.name?.location ?? graph.location, rule: InputRule.duplicate,
                    notes: [Note("\(key) is first defined here", at: first)])
                continue
            }
            seen[key] = graph.meta.name?.location ?? graph.location
            let before = diagnostics.errorCount
            webhook(graph)
            references(graph)
            fields(graph)
            guard let resolvedMode = Validator.resolveMode(graph.meta, mode: mode, config: inputs.config, diagnostics: diagnostics)
            else { continue }
            if Keys.stopped(graph.meta.annotations) {
                diagnostics.report(
                    "InferenceGraph \(graph.name) has \(Keys.stop): \"true\": KServe creates nothing for it and marks it Stopped",
                    at: graph.meta.location(ofAnnotation: Keys.stop), rule: KServeRule.stopped)
            }
            if let invalid = inputs.config.router.invalid {
                diagnostics.report(
                    "InferenceGraph \(graph.name): KServe's controller refuses it: \(invalid) (inferenceservice-config data.router)",
                    at: graph.meta.name?.location ?? graph.location, rule: KServeRule.graph)
            }
            let urls = Keys.stopped(graph.meta.annotations) ? [:] : resolve(graph, services: byName)
            guard diagnostics.errorCount == before else { continue }
            graphs.append(ValidatedGraph(graph: graph, mode: resolvedMode, resolvedURLs: urls))
        }
        return graphs
    }

    /// The webhook's checks, each with KServe's message.
    func webhook(_ graph: InferenceGraph) {
        let name = graph.name
        func refuse(_ message: String, at: SourceLocation) {
            diagnostics.report(message, at: at, rule: KServeRule.graph)
        }
        if name.range(of: Self.namePattern, options: .regularExpression) == nil {
            refuse(
                "The InferenceGraph \"\(name)\" is invalid: a InferenceGraph name must consist of lower case alphanumeric characters or '-', "
                    + "and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                at: graph.meta.name?.location ?? graph.meta.location)
        }
        if !graph.nodes.contains(where: { $0.name.value == "root" }) {
            refuse(
                "root node not found, InferenceGraph needs a node with name 'root' as the root node of the graph", at: graph.nodesLocation)
        }
        for node in graph.nodes {
            var names: Set<String> = []
            for (i, step) in node.steps.enumerated() {
                let stepName = step.name?.value ?? ""
                if !stepName.isEmpty, !names.insert(stepName).inserted {
                    refuse(
                        "Node \"\(node.name.value)\" of InferenceGraph \"\(name)\" contains more than one step with name \"\(stepName)\"",
                        at: step.name?.location ?? step.location)
                }
                let targets = [step.nodeName, step.serviceName, step.serviceURL].filter { !($0?.value ?? "").isEmpty }
                if targets.isEmpty {
                    refuse(
                        "Step \(i) (\"\(stepName)\") in node \"\(node.name.value)\" of InferenceGraph \"\(name)\" does not specify an inference target",
                        at: step.location)
                } else if targets.count > 1 {
                    refuse(
                        "Step \(i) (\"\(stepName)\") in node \"\(node.name.value)\" of InferenceGraph \"\(name)\" specifies more than one of nodeName, serviceName, serviceUrl",
                        at: targets[1]?.location ?? step.location)
                }
            }
            guard node.routerType?.value == "Splitter" else { continue }
            var total = 0
            var missing = false
            for step in node.steps {
                guard let weight = step.weight else {
                    refuse(
                        "InferenceGraph[\(name)] Node[\(node.name.value)] Route[\(step.serviceName?.value ?? "")] missing the 'Weight'",
                        at: step.location)
                    missing = true
                    break
                }
                total = total.addingReportingOverflow(weight.value).partialValue
            }
            if !missing, total != 100 {
                refuse(
                    "InferenceGraph[\(name)] Node[\(node.name.value)] splitter node: the sum of traffic weights for all routing targets should be 100",
                    at: node.name.location)
            }
        }
    }

    /// Node references the webhook does not check: a missing node fails the step at run time
    /// ("invalid route type"), a cycle recurses until the router dies.
    func references(_ graph: InferenceGraph) {
        let nodes = Dictionary(graph.nodes.map { ($0.name.value, $0) }, uniquingKeysWith: { a, _ in a })
        for node in graph.nodes {
            for step in node.steps {
                guard let target = step.nodeName, !target.value.isEmpty, nodes[target.value] == nil else { continue }
                var message =
                    "InferenceGraph \(graph.name): step \"\(step.name?.value ?? "")\" of node \"\(node.name.value)\" names node \"\(target.value)\", which the graph does not have; KServe accepts it and the router answers 500 (invalid route type) when the step runs"
                if let guess = Suggestion.closest(to: target.value, in: Array(nodes.keys)) { message += " (did you mean \"\(guess)\"?)" }
                diagnostics.report(message, at: target.location, rule: ISVCRule.graphNode)
            }
        }
        // Depth-first from every node; a node met again on the current path closes a cycle.
        var state: [String: Int] = [:]  // 1 on the path, 2 done
        func visit(_ name: String, path: [String]) {
            state[name] = 1
            for step in nodes[name]?.steps ?? [] {
                guard let next = step.nodeName?.value, nodes[next] != nil else { continue }
                if state[next] == 1 {
                    let cycle = (path.drop { $0 != next } + [name, next]).joined(separator: " -> ")
                    diagnostics.report(
                        "InferenceGraph \(graph.name): nodes call each other in a cycle (\(cycle)); the router would recurse until it fails",
                        at: step.nodeName?.location ?? step.location, rule: ISVCRule.graphNode)
                } else if state[next] == nil {
                    visit(next, path: path + [name])
                }
            }
            state[name] = 2
        }
        for node in graph.nodes where state[node.name.value] == nil { visit(node.name.value, path: []) }
    }

    /// Fields the router reads only for some router types (cmd/router/main.go): elsewhere they do nothing.
    func fields(_ graph: InferenceGraph) {
        for node in graph.nodes {
            guard let type = node.routerType?.value else { continue }
            for (i, step) in node.steps.enumerated() {
                func unread(_ field: String, _ at: SourceLocation?, _ why: String) {
                    diagnostics.report(
                        "InferenceGraph \(graph.name): node \"\(node.name.value)\" step \(i): \(field) \(why)",
                        at: at ?? step.location, rule: ISVCRule.graphField)
                }
                if type != "Sequence" {
                    if let d = step.data {
                        unread("data", d.location, "is read by Sequence nodes only; this \(type) node sends every step the node's input")
                    }
                    if step.mapPredictionsToInstances { unread("mapPredictionsToInstances", nil, "is read by Sequence nodes only") }
                }
                if type != "Splitter", let w = step.weight { unread("weight", w.location, "is read by Splitter nodes only") }
                if type == "Splitter" || type == "Ensemble", let c = step.condition {
                    unread("condition", c.location, "is read by Sequence and Switch nodes only")
                }
                if type == "Switch" || type == "Splitter", let d = step.dependency, d.value == "Hard" {
                    unread(
                        "dependency Hard", d.location,
                        "only changes a log line in a \(type) node: the chosen step's answer is returned either way")
                }
                if type == "Switch", (step.condition?.value ?? "").isEmpty {
                    unread("condition", nil, "is missing, so this Switch step never matches (an empty GJSON path finds nothing)")
                }
                if type == "Sequence", let d = step.data {
                    if d.value != "$request" && d.value != "$response" {
                        unread("data", d.location, "\"\(d.value)\" is neither $request nor $response; the router sends the node's input")
                    } else if d.value == "$response" && i == 0 {
                        unread(
                            "data", d.location, "$response on the first step has no previous response; the router sends the node's input")
                    }
                }
                if type == "Sequence", i == 0, let c = step.condition, !c.value.isEmpty {
                    unread(
                        "condition", c.location,
                        "on the first step is tested against no previous response: the router answers 500 (invalid response) to every request"
                    )
                }
            }
        }
    }
}
