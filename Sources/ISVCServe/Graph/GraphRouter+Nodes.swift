import ISVCCore

/// The four router types, as `routeStep` in KServe's `cmd/router/main.go` runs them.
extension GraphRouter {
    typealias Headers = [(name: String, value: String)]

    /// `routeStep`: one node with its input. A missing node is Go's zero value, whose empty router
    /// type fails with `invalid route type: `.
    func route(_ nodeName: String, input: [UInt8], headers: Headers, depth: Int) async -> Outcome {
        guard depth < Self.maxNodeDepth else { return .abort }
        let node = spec.nodes[nodeName] ?? GraphSpec.Node(routerType: "", steps: [])
        switch node.routerType {
        case "Splitter":
            guard let chosen = splitterChoice(node.steps) else {
                return .failure(status: 500, cause: "no route was selected by the splitter")
            }
            guard let step = chosen else { return .abort }
            return single(await execute(step, input: input, headers: headers, depth: depth))
        case "Switch":
            guard let step = switchChoice(node.steps, input: input) else {
                return .failure(status: 404, cause: "None of the routes matched with the switch condition")
            }
            return single(await execute(step, input: input, headers: headers, depth: depth))
        case "Ensemble":
            return await ensemble(node.steps, input: input, headers: headers, depth: depth)
        case "Sequence":
            return await sequence(node.steps, input: input, headers: headers, depth: depth)
        default:
            return .failure(status: 500, cause: "invalid route type: \(node.routerType)")
        }
    }

    /// `executeStep`: a `nodeName` step routes into that node, any other calls its `serviceUrl`.
    func execute(_ step: GraphSpec.Step, input: [UInt8], headers: Headers, depth: Int) async -> Outcome {
        if !step.nodeName.isEmpty { return await route(step.nodeName, input: input, headers: headers, depth: depth + 1) }
        return await call(step.serviceUrl, body: input, headers: headers)
    }

    /// `handleSplitterORSwitchNode`: the chosen step's body and status, whatever its dependency; an
    /// error below becomes 500 (a nested Switch's 404 too).
    private func single(_ outcome: Outcome) -> Outcome {
        if case .failure(_, let cause) = outcome { return .failure(status: 500, cause: cause) }
        return outcome
    }

    /// `pickupRoute`: the first step whose cumulative weight exceeds the draw. The inner nil is a step
    /// without weight reached on the way (Go dereferences nil and panics).
    func splitterChoice(_ steps: [GraphSpec.Step]) -> GraphSpec.Step?? {
        let point = Int64(random())
        var end: Int64 = 0
        for step in steps {
            guard let weight = step.weight else { return .some(nil) }
            end &+= weight
            if point < end { return step }
        }
        return nil
    }

    /// `pickupRouteByCondition`: the first step whose condition exists in the (valid JSON) input.
    func switchChoice(_ steps: [GraphSpec.Step], input: [UInt8]) -> GraphSpec.Step? {
        guard GJSON.isValid(input) else { return nil }
        return steps.first { GJSON.eval(input, Array($0.condition.utf8)).exists }
    }

    /// Sequence: each step gets the node's input, or with `data: $response` (from the second step on)
    /// the previous response; a condition is tested on the previous response (invalid JSON there, as
    /// before the first step: 500 `invalid response`; no match: the previous response with 200); a
    /// Hard step that fails ends the node with its answer; the result is the last step's.
    func sequence(_ steps: [GraphSpec.Step], input: [UInt8], headers: Headers, depth: Int) async -> Outcome {
        var previous: [UInt8] = []
        var status = 0
        for (i, step) in steps.enumerated() {
            var request = step.data == "$response" && i > 0 ? previous : input
            if step.mapPredictionsToInstances { request = Self.predictionsAsInstances(request) }
            if !step.condition.isEmpty {
                guard GJSON.isValid(previous) else { return .failure(status: 500, cause: "invalid response") }
                if !GJSON.eval(previous, Array(step.condition.utf8)).exists { return .response(body: previous, status: 200) }
            }
            switch await execute(step, input: request, headers: headers, depth: depth) {
            case .failure(_, let cause): return .failure(status: 500, cause: cause)
            case .abort: return .abort
            case .response(let body, let code):
                previous = body
                status = code
                if step.isHard && !(200...299).contains(code) { return .response(body: body, status: code) }
            }
        }
        return .response(body: previous, status: status)
    }

    /// Ensemble: every step at once with the node's input; each answer must decode as a JSON object
    /// (or null) into Go's `map[string]interface{}`, else the node fails with the decoder's error.
    /// Answers are taken in step order: a Hard step with a non-2xx status ends the node with its
    /// (re-encoded) answer; otherwise all are merged under their names (or indexes), keys sorted,
    /// with 200. An error from any step not yet taken ends the node as soon as it comes. Steps still
    /// running then are left to finish, as Go leaves its goroutines.
    func ensemble(_ steps: [GraphSpec.Step], input: [UInt8], headers: Headers, depth: Int) async -> Outcome {
        enum StepResult: Sendable {
            case decoded(GoJSONValue, status: Int)
            case failed(String)
            case abort
        }
        let (results, continuation) = AsyncStream<(Int, StepResult)>.makeStream()
        for (i, step) in steps.enumerated() {
            Task {
                let result: StepResult
                switch await execute(step, input: input, headers: headers, depth: depth) {
                case .abort: result = .abort
                case .failure(_, let cause): result = .failed(cause)
                case .response(let body, let status):
                    switch GoJSONValue.decodeObject(body) {
                    case .success(let value): result = .decoded(value, status: status)
                    case .failure(let error): result = .failed(error.message)
                    }
                }
                continuation.yield((i, result))
            }
        }
        defer { continuation.finish() }
        var iterator = results.makeAsyncIterator()
        var taken: [Int: (GoJSONValue, Int)] = [:]
        var next = 0
        var merged: [[UInt8]: GoJSONValue] = [:]
        while next < steps.count {
            while let (value, status) = taken[next] {
                let step = steps[next]
                if step.isHard && !(200...299).contains(status) { return .response(body: value.goJSON, status: status) }
                merged[Array((step.name.isEmpty ? String(next) : step.name).utf8)] = value
                next += 1
            }
            if next == steps.count { break }
            guard let (i, result) = await iterator.next() else { break }
            switch result {
            case .abort: return .abort
            case .failed(let cause): return .failure(status: 500, cause: cause)
            case .decoded(let value, let status): taken[i] = (value, status)
            }
        }
        return .response(body: GoJSONValue.object(merged).goJSON, status: 200)
    }

    /// `mapPredictionsToInstances`: Go decodes the body into `struct{ Predictions, Instances
    /// []interface{} }` (keys matched case-insensitively, the last duplicate kept) and, when that
    /// succeeds with predictions, sends `{"instances":<predictions>}` re-encoded; otherwise the body
    /// as it was.
    static func predictionsAsInstances(_ body: [UInt8]) -> [UInt8] {
        // The type only names itself in the decoder's messages, which the router does not show.
        let decoded = GoJSONValue.decodeStruct(body, type: "struct", arrayFields: ["predictions", "instances"])
        guard case .success(let fields) = decoded, let predictions = fields["predictions"], !predictions.isEmpty else { return body }
        var out = Array(#"{"instances":"#.utf8)
        GoJSONValue.array(predictions).write(into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }
}
