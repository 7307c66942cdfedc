import Foundation
import ISVCModels

/// Which workloads `isvc serve` answers in process: containers of KServe's sklearnserver, xgbserver
/// and lgbserver images (the built-in ClusterServingRuntimes) that give no command of their own.
public enum NativeRuntimes {
    /// The hook for `WorkloadRuntime`: nil for any other image (it then runs as a process).
    public static let hook: WorkloadRuntime.NativeRuntime = { workload, modelDirectory in
        guard let image = workload.container["image"]?.string, let kind = ModelServerKind(image: image) else { return nil }
        let name = modelName(in: workload)
        let served: ServedModel
        do {
            served = try kind.load(directory: modelDirectory, options: .init(environment: environment(of: workload)))
        } catch {
            throw WorkloadRuntime.Failure.unavailable("\(workload.name): the \(kind.rawValue) runtime cannot load the model: \(error)")
        }
        return [NativeModel(name: name, model: served)]
    }

    /// `--model_name=<name>` (or `--model_name <name>`) from the container's args, as the server
    /// registers its model; the InferenceService's name otherwise.
    static func modelName(in workload: ServePlan.Workload) -> String {
        let args = (workload.container["args"]?.array ?? []).compactMap(\.string)
        for (i, arg) in args.enumerated() {
            if arg.hasPrefix("--model_name=") { return String(arg.dropFirst("--model_name=".count)) }
            if arg == "--model_name", i + 1 < args.count { return args[i + 1] }
        }
        return workload.inferenceService.isEmpty ? workload.name : workload.inferenceService
    }

    static func environment(of workload: ServePlan.Workload) -> [String: String] {
        var env: [String: String] = [:]
        for entry in workload.container["env"]?.array ?? [] {
            if let name = entry["name"]?.string, let value = entry["value"]?.string { env[name] = value }
        }
        return env
    }
}
