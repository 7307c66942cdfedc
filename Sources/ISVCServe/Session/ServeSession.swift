import Foundation
import ISVCCore
import Logging

/// One `isvc serve` run over time: the compiled state the gateway serves, and the edits applied to it
/// as a cluster applies `kubectl apply`. An edit is compiled with the served state as `--previous`, so
/// Knative's revisions and KServe's canary traffic come out as in the cluster; an edit with errors is
/// reported and changes nothing (the old plan keeps serving).
public actor ServeSession {
    /// The input options `isvc compile` takes, which serve takes too.
    public struct Settings: Sendable {
        public var namespace = "default"
        public var strict = false
        public var mode: DeploymentMode?
        public init() {}
    }

    /// What an edit did.
    public enum Outcome: Sendable {
        /// The compiled objects are the same: nothing to apply.
        case unchanged
        /// The edit does not compile (or its security settings cannot be loaded); nothing changed.
        case rejected([String])
        /// Applied: the `isvc diff --summary` of the change, which workloads were kept, started and
        /// drained, and the edit's warnings.
        case applied(summary: String, GatewayServer.Applied, warnings: [String])
    }

    public nonisolated let gateway: GatewayServer
    let settings: Settings
    /// The compiled objects served now: the previous state of the next edit.
    public private(set) var objects: [Value]

    /// Compiles `sources` as `isvc compile` would, after `previous` (compiled objects) when given.
    public static func compile(_ sources: [InputLoader.Source], settings: Settings, previous: PreviousState?)
        -> (result: Compiler.Result, diagnostics: Diagnostics) {
        let diagnostics = Diagnostics(strict: settings.strict)
        var options = Compiler.Options()
        options.defaultNamespace = settings.namespace
        options.mode = settings.mode
        options.previous = previous
        return (Compiler.compile(sources, options: options, diagnostics: diagnostics), diagnostics)
    }

    /// A session serving `result` (compiled without errors) through `gateway`, built from its plan.
    public init(serving result: Compiler.Result, gateway: GatewayServer, settings: Settings) {
        self.gateway = gateway
        self.settings = settings
        objects = result.plan.objects.map(\.body)
    }

    /// Compiles the edited input against what is served and applies the difference.
    public func apply(_ sources: [InputLoader.Source]) async -> Outcome {
        let previous = PreviousState(objects: objects.map(Quantities.normalized))
        let (result, diagnostics) = Self.compile(sources, settings: settings, previous: previous)
        guard !diagnostics.hasErrors else { return .rejected(diagnostics.sorted.map(\.formatted)) }
        let next = result.plan.objects.map(\.body)
        let report = DiffReport.make(old: objects, new: next)
        guard report.changed else { return .unchanged }
        let plan = ServePlan(result)
        do {
            try await plan.security.prepare()
        } catch {
            return .rejected(["\(error)"])
        }
        let applied = await gateway.apply(plan)
        objects = next
        return .applied(summary: report.text(color: false, objectDiffs: false), applied,
                        warnings: diagnostics.sorted.map(\.formatted))
    }
}
