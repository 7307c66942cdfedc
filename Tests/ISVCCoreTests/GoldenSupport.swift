import Foundation
import Testing

@testable import ISVCCore

/// Golden files: `fixtures/<case>.yaml` -> `golden/<case>/...`. `UPDATE_GOLDEN=1 swift test` rewrites
/// the files that differ and nothing else; a mismatch records an issue with a unified diff.
enum Golden {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let update = ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1"

    static func fixtureNames() -> [String] {
        let dir = root.appendingPathComponent("fixtures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    static func read(_ relative: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    static func check(_ actual: String, against relative: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let url = root.appendingPathComponent(relative)
        let expected = try? String(contentsOf: url, encoding: .utf8)
        if expected == actual { return }
        if update {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let diff = UnifiedDiff.diff(expected ?? "", actual, oldName: relative, newName: "actual")
        Issue.record(
            "\(relative) differs (UPDATE_GOLDEN=1 swift test rewrites it):\n\(expected == nil ? "(missing)\n" : "")\(diff)",
            sourceLocation: sourceLocation)
    }
}

/// The options a fixture asks for in `# isvc:` comment lines at its top, as on the command line.
struct FixtureOptions {
    var namespace = "default"
    var strict = false
    var mode: DeploymentMode?
    var emit: Set<Layer> = Set(Layer.allCases)

    init(_ text: String) {
        for line in text.split(separator: "\n") where line.hasPrefix("# isvc:") {
            let words = line.dropFirst("# isvc:".count).split(separator: " ").map(String.init)
            var i = 0
            while i < words.count {
                switch words[i] {
                case "--namespace", "-n": namespace = words[i + 1]; i += 1
                case "--strict": strict = true
                case "--mode": mode = DeploymentMode(rawValue: words[i + 1]); i += 1
                case "--emit": emit = Set(words[i + 1].split(separator: ",").compactMap { Layer(rawValue: String($0)) }); i += 1
                default: break
                }
                i += 1
            }
        }
    }
}

/// Compiles a fixture as `isvc compile` would; returns the YAML stream and the diagnostics report.
func compileFixture(_ name: String) -> (yaml: String, report: String, exitCode: Int) {
    let (result, options, diagnostics) = compiledFixture(name)
    let exitCode = diagnostics.hasErrors ? 1 : 0
    var report = diagnostics.sorted.map(\.formatted).joined(separator: "\n")
    report += (report.isEmpty ? "" : "\n") + "exit: \(exitCode)\n"
    let yaml = exitCode == 0 ? PlanRenderer.yaml(result.plan.selecting(options.emit)) : ""
    return (yaml, report, exitCode)
}

/// The ingress gateway's Envoy configuration for a fixture, as `isvc compile --emit envoy` prints it.
func envoyFixture(_ name: String) -> String {
    YAMLWriter.document(Compiler.envoy(compiledFixture(name).result, options: EnvoyOptions()))
}

/// Each InferenceService's status once ready, as `isvc compile --emit status` prints it.
func statusFixture(_ name: String) -> String {
    Compiler.status(compiledFixture(name).result).map(YAMLWriter.document).joined(separator: "---\n")
}

/// `fixtures/<name>.yaml` compiled with the options its `# isvc:` lines ask for, for the objects',
/// the Envoy and the status golden files.
private func compiledFixture(_ name: String) -> (result: Compiler.Result, options: FixtureOptions, diagnostics: Diagnostics) {
    let path = "fixtures/\(name).yaml"
    let text = Golden.read(path) ?? ""
    let options = FixtureOptions(text)
    let diagnostics = Diagnostics(strict: options.strict)
    var compilerOptions = Compiler.Options()
    compilerOptions.defaultNamespace = options.namespace
    compilerOptions.mode = options.mode
    let result = Compiler.compile([.init(path: path, text: text)], options: compilerOptions, diagnostics: diagnostics)
    return (result, options, diagnostics)
}
