import Foundation
import ISVCModels
import LoopbackSupport
import Testing

@testable import ISVCServe

/// Seeded, deterministic mutations of valid V1 and V2 bodies (JSON and the binary tensor extension)
/// fed to the protocol handler and its decoders in process. A crash stops the test run; every answer
/// must be a JSON body with a 2xx or 4xx status (a 5xx only for the native model's own input errors,
/// KServe's InferenceError). `ISVC_FUZZ_COUNT` sets the number of mutated bodies (default 1500, for
/// CI), `ISVC_FUZZ_SEED` the seed; `bench/fuzz-protocol.sh` runs a longer campaign.
@Suite("Protocol fuzzing")
struct ProtocolFuzzTests {
    struct Body {
        var path: String
        var bytes: [UInt8]
        /// The JSON header's length for a binary-extension body.
        var headerLength: Int?
    }

    static var count: Int { ProcessInfo.processInfo.environment["ISVC_FUZZ_COUNT"].flatMap { Int($0) } ?? 1500 }
    static var seed: UInt64 { ProcessInfo.processInfo.environment["ISVC_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x15FC_0019 }

    static let server = ProtocolHostileTests.server

    static func float32(_ values: [Float]) -> [UInt8] {
        var out: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }

    /// Valid bodies for the doubler (`scale`) and the iris SVC.
    static let seeds: [Body] = {
        var seeds: [Body] = []
        for model in ["scale", "iris"] {
            seeds.append(
                Body(
                    path: "/v1/models/\(model):predict", bytes: Array(#"{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}"#.utf8))
            )
            seeds.append(
                Body(
                    path: "/v1/models/\(model):predict",
                    bytes: Array(#"{"inputs": [[1, 2, 3, 4]], "parameters": {"x": [true, null, "s"]}}"#.utf8)))
            seeds.append(
                Body(
                    path: "/v2/models/\(model)/infer",
                    bytes: Array(
                        #"""
                        {"id": "a1", "inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "data": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}],
                         "outputs": [{"name": "output-0", "parameters": {"binary_data": false}}]}
                        """#.utf8)))
            seeds.append(
                Body(
                    path: "/v2/models/\(model)/infer",
                    bytes: Array(
                        #"""
                        {"inputs": [{"name": "x", "shape": [1, 4], "datatype": "INT64", "data": [1, -2, 3, 4000000000]},
                         {"name": "b", "shape": [2], "datatype": "BOOL", "data": [true, false]},
                         {"name": "s", "shape": [2], "datatype": "BYTES", "data": ["ab", "\u00e9\n"]}],
                         "parameters": {"binary_data_output": true}}
                        """#.utf8)))
            let header =
                #"{"inputs": [{"name": "input-0", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": 32}}], "outputs": [{"name": "output-0", "parameters": {"binary_data": true}}]}"#
            seeds.append(
                Body(
                    path: "/v2/models/\(model)/infer", bytes: Array(header.utf8) + float32([6.8, 2.8, 4.8, 1.4, 6.0, 3.4, 4.5, 1.6]),
                    headerLength: header.utf8.count))
            let bytesHeader =
                #"{"inputs": [{"name": "h", "shape": [1, 4], "datatype": "FP16", "parameters": {"binary_data_size": 8}}, {"name": "s", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": 11}}]}"#
            seeds.append(
                Body(
                    path: "/v2/models/\(model)/infer",
                    bytes: Array(bytesHeader.utf8) + [0, 0x3c, 0, 0xc0, 0, 0x3c, 0, 0xc0, 2, 0, 0, 0, 97, 98, 1, 0, 0, 0, 99],
                    headerLength: bytesHeader.utf8.count))
        }
        return seeds
    }()

    /// Tokens that have broken parsers and size arithmetic before.
    static let tokens: [String] = [
        "1e400", "-1e400", "1e30", "-1", "0", "-0", "1.5", "4611686018427387904", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "18446744073709551616", "NaN", "Infinity", "-Infinity", "null", "true", "false", "\"\"", "\"x\"",
        "[]", "{}", "[[[[[[[[", "]]]]", "\"\\ud800\"", "\"\\u0000\"", "1e-400", "0.1e-99999", "00", "1.", ".5", "+1",
        "\"binary_data_size\"", "\"shape\"", "\"data\"", "\"datatype\"", "\"BYTES\"", "\"FP16\"", "\"BOOL\"", "\"UINT64\"",
    ]

    static func mutate(_ seed: Body, _ rng: inout SplitMix64) -> Body {
        var body = seed
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            var b = body.bytes
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: if !b.isEmpty { b[at] = UInt8.random(in: 0...255, using: &rng) }
            case 1: if !b.isEmpty { b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng) }
            case 2: b.insert(Array("[]{}\",:-.0123456789eE+ \\".utf8).randomElement(using: &rng)!, at: at)
            case 3: if !b.isEmpty { b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...16, using: &rng))) }
            case 4:
                if !b.isEmpty {
                    let end = min(b.count, at + Int.random(in: 1...64, using: &rng)); b.insert(contentsOf: b[at..<end], at: at)
                }
            case 5, 6:
                // Replace a number (or the token at this place) by a hostile one.
                var end = at
                while end < b.count,
                    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[end]) || b[end] == UInt8(ascii: ".")
                        || b[end] == UInt8(ascii: "-") || b[end] == UInt8(ascii: "e")
                { end += 1 }
                b.replaceSubrange(at..<max(at, end), with: Array(tokens.randomElement(using: &rng)!.utf8))
            case 7: b = Array(b.prefix(at))
            case 8:
                // Splice another seed's tail.
                let other = seeds.randomElement(using: &rng)!.bytes
                b = Array(b.prefix(at)) + other[Int.random(in: 0..<other.count, using: &rng)...]
            default:
                // Repeat a span many times (long arrays, deep nesting).
                let span = b.isEmpty ? Array("[".utf8) : Array(b[at..<min(b.count, at + Int.random(in: 1...4, using: &rng))])
                b.insert(contentsOf: Array(repeating: span, count: Int.random(in: 1...3000, using: &rng)).joined(), at: at)
            }
            body.bytes = b
        }
        if let length = body.headerLength {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: body.headerLength = length + Int.random(in: -40...40, using: &rng)
            case 1: body.headerLength = [0, -1, Int.max, Int.min, body.bytes.count, body.bytes.count + 1].randomElement(using: &rng)!
            default: body.headerLength = min(length, body.bytes.count)
            }
        }
        return body
    }

    /// Sends one body; records an issue unless the answer is JSON with a 2xx or 4xx status.
    static func check(_ body: Body, iteration: Int) {
        let headers: [(name: String, value: String)] = body.headerLength.map { [("Inference-Header-Content-Length", String($0))] } ?? []
        let answer = server.handle(method: "POST", path: body.path, headers: headers, body: body.bytes)
        let jsonLength = answer.headers.first { $0.name == ProtocolServer.binaryHeader }.flatMap { Int($0.value) } ?? answer.body.count
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body.prefix(jsonLength)))) as? [String: Any]
        let error = json?["error"] as? String
        let modelError = answer.status == 500 && body.path.contains("iris") && error != nil
        let fine =
            ((200..<300).contains(answer.status) && json != nil) || ((400..<500).contains(answer.status) && error != nil) || modelError
        if !fine {
            Issue.record(
                """
                seed \(seed) iteration \(iteration): \(body.path) answered \(answer.status) \(String(decoding: answer.body.prefix(300), as: UTF8.self))
                header length \(body.headerLength.map(String.init) ?? "none"), body (first 600 bytes): \(String(decoding: body.bytes.prefix(600), as: UTF8.self).debugDescription)
                """)
        }
    }

    @Test("every seed is answered 200 (the mutations start from valid bodies)")
    func seedsPass() throws {
        try #require(Self.server.models["iris"] != nil)
        for body in Self.seeds {
            let headers: [(name: String, value: String)] = body.headerLength.map { [("Inference-Header-Content-Length", String($0))] } ?? []
            let answer = Self.server.handle(method: "POST", path: body.path, headers: headers, body: body.bytes)
            #expect(answer.status == 200, "\(body.path): \(String(decoding: answer.body.prefix(300), as: UTF8.self))")
        }
    }

    @Test("mutated V1, V2 JSON and binary-extension bodies: no crash, JSON answers, 2xx or 4xx", .timeLimit(.minutes(10)))
    func mutatedBodies() throws {
        try #require(Self.server.models["iris"] != nil)
        var rng = SplitMix64(state: Self.seed)
        for iteration in 0..<Self.count {
            let seed = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)]
            Self.check(Self.mutate(seed, &rng), iteration: iteration)
        }
    }

    @Test("the JSON reader and the binary decoder on raw mutations: a value or an error, never a crash")
    func decoders() {
        var rng = SplitMix64(state: Self.seed ^ 0xDEC0DE)
        let datatypes = Array(Tensor.sizes.keys).sorted() + ["BYTES"]
        var parsed = 0
        for _ in 0..<Self.count {
            let seed = Self.seeds[Int.random(in: 0..<Self.seeds.count, using: &rng)]
            let body = Self.mutate(seed, &rng)
            if (try? ProtocolJSON.parse(body.bytes)) != nil { parsed += 1 }
            let tail = ArraySlice(body.bytes.suffix(Int.random(in: 0...64, using: &rng)))
            let shape = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                [0, 1, 2, 3, 4, 8, 16, Int.max, 1 << 62, 1 << 32].randomElement(using: &rng)!
            }
            _ = try? Tensor.decode(tail, name: "f", datatype: datatypes.randomElement(using: &rng)!, shape: shape)
        }
        // Some mutations leave valid JSON, most do not: both paths were exercised.
        #expect(parsed > 0 && parsed < Self.count)
    }
}
