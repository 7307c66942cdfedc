import Foundation
import LoopbackSupport
import Testing

@testable import ISVCCore

/// A seeded, deterministic mutation fuzzer over the fixtures: each input goes through `check` and
/// `compile` in process, within a time and memory budget, and must end in positioned diagnostics or a
/// compiled plan, never a trap, a hang or a gigabyte; `check` passing must mean `compile` succeeds.
///
/// CI runs `ISVC_FUZZ_COUNT` inputs (default 150, about 20 s in a debug build); `bench/fuzz-yaml.sh` runs a longer campaign.
/// `ISVC_FUZZ_SEED` picks another sequence. A failure names its seed and index, and writes the input to
/// the temporary directory (`isvc-fuzz-<seed>-<index>.yaml`).
@Suite("YAML fuzzing", .serialized)
struct YAMLFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let count = environment["ISVC_FUZZ_COUNT"].flatMap(Int.init) ?? 150
    static let seed = environment["ISVC_FUZZ_SEED"].flatMap(UInt64.init) ?? 19
    /// Per input, for check and compile together. The issue's budget is 10 s and 200 MB per input.
    static let timeBudget: Duration = .seconds(environment["ISVC_FUZZ_SECONDS"].flatMap(Int.init) ?? 10)
    static let memoryBudgetBytes = 200 * 1024 * 1024
    /// ISVC_FUZZ_VERBOSE=1 prints each input's time, size and error count.
    static let verbose = environment["ISVC_FUZZ_VERBOSE"] == "1"

    static let corpus: [String] = {
        var texts = Golden.fixtureNames().compactMap { Golden.read("fixtures/\($0).yaml") }
        for scenario in RolloutTests.scenarios() {
            for step in RolloutTests.steps(scenario) {
                if let t = Golden.read("fixtures/rollouts/\(scenario)/\(step).yaml") { texts.append(t) }
            }
        }
        return texts
    }()

    static let hostileValues = [
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999", "2147483648",
        "1e309", "-1e309", ".nan", ".inf", "NaN", "Infinity", "\"NaN\"", "\"Infinity\"", "-0", "0x7fffffffffffffff",
        "9223372036854775807s", "99999999999999999999h", "\"9223372036854775807\"", "2562047h47m16.854775808s", "-1s",
        "1.5s", "0s", "~", "[]", "{}", "\"\"", "*a", "&a x", "!!binary AAAA", "yes", "-1", "101", "\"-1\"",
    ]

    static let hostileAnnotations = [
        "autoscaling.knative.dev/window", "autoscaling.knative.dev/panic-window-percentage", "autoscaling.knative.dev/target",
        "autoscaling.knative.dev/panic-threshold-percentage", "autoscaling.knative.dev/target-utilization-percentage",
        "autoscaling.knative.dev/target-burst-capacity", "autoscaling.knative.dev/scale-to-zero-pod-retention-period",
        "autoscaling.knative.dev/scale-down-delay", "autoscaling.knative.dev/initial-scale", "serving.knative.dev/progress-deadline",
        "serving.knative.dev/rollout-duration", "serving.kserve.io/deploymentMode", "serving.kserve.io/autoscalerClass",
    ]

    static let configKeys = [
        ("config-autoscaler", "stable-window"), ("config-autoscaler", "panic-window-percentage"),
        ("config-autoscaler", "scale-to-zero-grace-period"), ("config-autoscaler", "scale-to-zero-pod-retention-period"),
        ("config-autoscaler", "initial-scale"), ("config-autoscaler", "container-concurrency-target-percentage"),
        ("config-autoscaler", "target-burst-capacity"), ("config-deployment", "progress-deadline"),
        ("config-defaults", "revision-timeout-seconds"), ("config-defaults", "max-revision-timeout-seconds"),
        ("config-defaults", "container-concurrency-max-limit"),
    ]

    static let integerFields = [
        "minReplicas", "maxReplicas", "scaleTarget", "containerConcurrency", "timeout",
        "canaryTrafficPercent", "trafficPercent", "priority", "weight", "percent",
    ]

    /// One mutation of `text`, picked and shaped by `rng`.
    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
        let i = Int.random(in: 0..<lines.count, using: &rng)
        switch Int.random(in: 0..<16, using: &rng) {
        case 0:  // byte flips
            var bytes = Array(text.utf8)
            guard !bytes.isEmpty else { return text }
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            return String(decoding: bytes, as: UTF8.self)
        case 1:  // line duplication, up to thousands of times
            let times = [2, 10, 1000, 5000].randomElement(using: &rng)!
            lines.insert(contentsOf: Array(repeating: lines[i], count: times), at: i)
        case 2:  // splice lines of another fixture
            let other = corpus.randomElement(using: &rng)!.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let start = Int.random(in: 0..<other.count, using: &rng)
            let end = min(other.count, start + Int.random(in: 1...20, using: &rng))
            lines.insert(contentsOf: other[start..<end], at: i)
        case 3:  // a hostile value in place of a scalar
            if let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " " + hostileValues.randomElement(using: &rng)!
            } else {
                lines[i] += " " + hostileValues.randomElement(using: &rng)!
            }
        case 4:  // a hostile integer field next to an existing line
            let indent = String(lines[i].prefix { $0 == " " })
            lines.insert("\(indent)\(integerFields.randomElement(using: &rng)!): \(hostileValues.randomElement(using: &rng)!)", at: i)
        case 5:  // a hostile annotation
            let value = hostileValues.randomElement(using: &rng)!
            let entry = "    \(hostileAnnotations.randomElement(using: &rng)!): \"\(value.replacingOccurrences(of: "\"", with: ""))\""
            if let meta = lines.firstIndex(where: { $0 == "metadata:" }) {
                lines.insert(contentsOf: ["  annotations:", entry], at: meta + 1)
            }
        case 6:  // a hostile ConfigMap in front
            let (name, key) = configKeys.randomElement(using: &rng)!
            let value = hostileValues.randomElement(using: &rng)!.replacingOccurrences(of: "\"", with: "")
            let namespace = name.hasPrefix("config-") ? "knative-serving" : "kserve"
            return
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \(name)\n  namespace: \(namespace)\ndata:\n  \(key): \"\(value)\"\n---\n"
                + text
        case 7:  // aliases: an anchor on a line's value, aliases of it elsewhere
            if let colon = lines[i].firstIndex(of: ":") {
                lines[i] = String(lines[i][...colon]) + " &a" + lines[i][lines[i].index(after: colon)...]
                for _ in 0..<Int.random(in: 1...5, using: &rng) {
                    let j = Int.random(in: 0..<lines.count, using: &rng)
                    if let c = lines[j].firstIndex(of: ":"), j != i { lines[j] = String(lines[j][...c]) + " *a" }
                }
            }
        case 8:  // a billion laughs, as a value or as a key
            var bomb = ["b0: &b0 [x, x, x, x, x, x, x, x, x, x]"]
            for level in 1...Int.random(in: 3...9, using: &rng) {
                bomb.append("b\(level): &b\(level) [" + Array(repeating: "*b\(level - 1)", count: 10).joined(separator: ", ") + "]")
            }
            if Bool.random(using: &rng) { bomb.append("? *b\(bomb.count - 1)\n: key") }
            return bomb.joined(separator: "\n") + "\n---\n" + text
        case 9:  // merge keys: a chain, or one mapping merged into many
            var out = ["m0: &m0 {k0: v}"]
            let n = [10, 100, 2000].randomElement(using: &rng)!
            for k in 1...n { out.append("m\(k): &m\(k)\n  <<: *m\(k - 1)\n  k\(k): v") }
            return out.joined(separator: "\n") + "\n---\n" + text
        case 10:  // many keys merged into a mapping
            let n = [100, 20_000].randomElement(using: &rng)!
            var out = ["base: &base"]
            for k in 0..<n { out.append("  key\(k): v") }
            out.append("merged:\n  <<: *base")
            for k in 0..<n where k % 2 == 0 { out.append("  key\(k): w") }
            return out.joined(separator: "\n") + "\n---\n" + text
        case 11:  // deep nesting
            let depth = [50, 500, 1500].randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                return String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n---\n" + text
            }
            var out = ""
            for d in 0..<min(depth, 300) { out += String(repeating: " ", count: d) + "k\(d):\n" }
            return out + String(repeating: " ", count: min(depth, 300)) + "x\n---\n" + text
        case 12:  // a long plain sequence
            let n = [1000, 1000, 20_000, 100_000].randomElement(using: &rng)!
            return "items:\n" + String(repeating: "- x\n", count: n) + "---\n" + text
        case 13:  // line ends and stream markers
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return text.replacingOccurrences(of: "\n", with: "\r\n")
            case 1: return "\u{FEFF}" + text
            case 2: return text + "\n...\n"
            default: return "%YAML 1.1\n---\n" + text
            }
        case 14:  // drop or truncate a line
            if Bool.random(using: &rng) {
                lines.remove(at: i)
            } else {
                lines[i] = String(lines[i].dropLast(Int.random(in: 0...lines[i].count, using: &rng)))
            }
        default:  // fragments of YAML syntax
            let fragments = [
                "{", "}", "[", "]", "'", "\"", "&a", "*a", "<<: *a", "? ", "- ", "!!int", "!!str", "%", "---", "...", "\t", "#",
            ]
            let at = lines[i].isEmpty ? 0 : Int.random(in: 0...lines[i].count, using: &rng)
            lines[i].insert(contentsOf: fragments.randomElement(using: &rng)!, at: lines[i].index(lines[i].startIndex, offsetBy: at))
        }
        return lines.joined(separator: "\n")
    }

    /// Resident memory now and its peak since the last reset, in bytes (Linux; nil elsewhere).
    static func memory() -> (rss: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
        }
        guard let rss = field("VmRSS"), let peak = field("VmHWM") else { return nil }
        return (rss, peak)
    }

    /// Resets the peak resident memory to the current one (Linux: writing 5 to clear_refs).
    static func resetPeak() {
        FileManager.default.createFile(atPath: "/proc/self/clear_refs", contents: nil)
        if let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
            handle.write(Data("5".utf8))
            try? handle.close()
        }
    }

    /// Runs one input; a description of what went wrong, or nil.
    static func run(_ text: String, index: Int = 0) -> String? {
        resetPeak()
        let before = memory()
        let clock = ContinuousClock()
        let start = clock.now
        let checked = Diagnostics()
        _ = Compiler.check([.init(path: "f.yaml", text: text)], options: Compiler.Options(), diagnostics: checked)
        let compiled = Diagnostics()
        let result = Compiler.compile([.init(path: "f.yaml", text: text)], options: Compiler.Options(), diagnostics: compiled)
        if !compiled.hasErrors {
            _ = PlanRenderer.yaml(result.plan)
            _ = Compiler.envoy(result, options: EnvoyOptions())
        }
        let elapsed = clock.now - start
        if verbose { print("fuzz input \(index): \(elapsed), \(text.utf8.count) bytes, \(compiled.errorCount) errors") }
        if elapsed > timeBudget { return "took \(elapsed), over the budget of \(timeBudget)" }
        if let before, let after = memory(), after.peak - before.rss > memoryBudgetBytes {
            return "took \((after.peak - before.rss) / 1_048_576) MB, over the budget of \(memoryBudgetBytes / 1_048_576) MB"
        }
        if checked.hasErrors != compiled.hasErrors {
            return "check and compile disagree: check \(checked.errorCount) errors, compile \(compiled.errorCount): "
                + (checked.all + compiled.all).filter { $0.severity == .error }.prefix(3).map(\.formatted).joined(separator: "; ")
        }
        if let unplaced = (checked.all + compiled.all).first(where: { $0.location == nil && !$0.rule.hasPrefix("input") }) {
            return "a diagnostic without a position: \(unplaced.formatted)"
        }
        return nil
    }

    @Test("mutated fixtures stay within budgets, give positioned diagnostics, and check agrees with compile")
    func fuzz() {
        var rng = SplitMix64(state: Self.seed)
        var failures = 0
        for index in 0..<Self.count {
            var text = Self.corpus.randomElement(using: &rng)!
            for _ in 0..<Int.random(in: 1...3, using: &rng) { text = Self.mutate(text, &rng) }
            guard let problem = Self.run(text, index: index) else { continue }
            failures += 1
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("isvc-fuzz-\(Self.seed)-\(index).yaml")
            try? Data(text.utf8).write(to: file)
            Issue.record("seed \(Self.seed), input \(index) (written to \(file.path)): \(problem)\n\(text.prefix(600))")
            if failures >= 5 { break }
        }
    }

    @Test("the mutator is deterministic for a seed")
    func deterministic() {
        var a = SplitMix64(state: 7), b = SplitMix64(state: 7)
        let text = Self.corpus[0]
        for _ in 0..<20 { #expect(Self.mutate(text, &a) == Self.mutate(text, &b)) }
    }
}
