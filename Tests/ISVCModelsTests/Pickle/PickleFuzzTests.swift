import Foundation
import LoopbackSupport
import Testing

@testable import ISVCModels

/// Real models cut short or with bytes changed (fixed seeds, so failures reproduce): reading must throw a
/// `ModelError` or return a value, never crash or hang. A crash would kill the test process.
@Suite("Pickle fuzzing", .timeLimit(.minutes(15)))
struct PickleFuzzTests {
    static func bytes(_ fixture: String) throws -> [UInt8] {
        let path = try #require(PickleFixtures.sklearnModels.first { $0.contains("/\(fixture)/") })
        return try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Reads, counting outcomes; any error is a `ModelError` by the signature, so only crashes and hangs fail.
    static func attempt(_ bytes: [UInt8], _ outcomes: inout (values: Int, errors: Int)) {
        do {
            _ = try PickleReader.read(bytes: bytes, file: "fuzz.joblib")
            outcomes.values += 1
        } catch {
            outcomes.errors += 1
        }
    }

    static let models = [
        "sklearn-iris-tree", "sklearn-iris-svc-strings", "sklearn-iris-logreg-pickle2",
        "sklearn-iris-logreg-pickle5", "sklearn-iris-gb", "sklearn-wine-knn-distance",
    ]

    @Test(arguments: models)
    func truncatedModelsThrow(fixture: String) throws {
        let bytes = try Self.bytes(fixture)
        var outcomes = (values: 0, errors: 0)
        // Every offset of small files; about 400 spread offsets of larger ones.
        let step = max(1, bytes.count / 400)
        for length in stride(from: 0, to: bytes.count, by: step) {
            Self.attempt(Array(bytes.prefix(length)), &outcomes)
        }
        // A file cut anywhere before its final STOP is always an error.
        #expect(outcomes.values == 0, "\(fixture): \(outcomes.values) truncated files read as values")
    }

    @Test(arguments: zip(models, [11, 22, 33, 44, 55, 66]))
    func changedBytesNeverCrash(fixture: String, seed: UInt64) throws {
        let original = try Self.bytes(fixture)
        var random = SplitMix64(state: seed)
        var outcomes = (values: 0, errors: 0)
        for variant in 0..<150 {
            var bytes = original
            for _ in 0...(variant % 3) {
                let index = random.below(bytes.count)
                // Mostly random bytes; sometimes the extremes that make lengths and counts huge.
                let extremes: [UInt8] = [0x00, 0xFF, 0x7F, 0x80]
                bytes[index] = variant % 8 < 4 ? extremes[variant % 4] : UInt8(truncatingIfNeeded: random.next())
            }
            Self.attempt(bytes, &outcomes)
        }
        #expect(outcomes.values + outcomes.errors == 150)
    }

    @Test func changedInflatedZlibStreamNeverCrashes() throws {
        let compressed = try Self.bytes("sklearn-iris-forest-zlib")
        let inflated = try PickleInflate.inflate(compressed, file: "zlib")
        var random = SplitMix64(state: 7)
        var outcomes = (values: 0, errors: 0)
        for _ in 0..<100 {
            var bytes = inflated
            bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
            Self.attempt(bytes, &outcomes)
        }
        for _ in 0..<50 {
            var bytes = compressed
            bytes[2 + random.below(bytes.count - 2)] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            Self.attempt(bytes, &outcomes)
        }
        for length in stride(from: 0, to: inflated.count, by: max(1, inflated.count / 100)) {
            Self.attempt(Array(inflated.prefix(length)), &outcomes)
        }
        #expect(outcomes.values + outcomes.errors > 0)
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(state: 2024)
        var outcomes = (values: 0, errors: 0)
        for variant in 0..<300 {
            let count = 1 + random.below(64)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if variant % 2 == 0 { bytes = [0x80, UInt8(variant % 6)] + bytes }
            Self.attempt(bytes, &outcomes)
        }
        #expect(outcomes.values + outcomes.errors == 300)
    }
}
