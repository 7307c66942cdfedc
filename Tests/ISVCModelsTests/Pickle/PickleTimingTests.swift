import Foundation
import Testing

@testable import ISVCModels

/// How long reading takes: the largest scikit-learn fixture, and a large array from memory.
@Suite("Pickle timing")
struct PickleTimingTests {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    @Test func largestFixture() throws {
        let sizes = PickleFixtures.sklearnModels.map { path in
            (path, (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        let (path, size) = try #require(sizes.max { $0.1 < $1.1 })
        let clock = ContinuousClock()
        _ = try PickleReader.read(fileAt: path)  // warm the file cache
        let rounds = 20
        let start = clock.now
        for _ in 0..<rounds { _ = try PickleReader.read(fileAt: path) }
        let each = Self.seconds(clock.now - start) / Double(rounds)
        print("PickleReader: \(path) (\(size) bytes) reads in \(String(format: "%.3f", each * 1000)) ms")
        #expect(each < 0.5)
    }

    @Test func largeArray() throws {
        // A protocol 4 pickle of numpy._core.numeric._frombuffer(bytes, dtype("f8"), (n,), "C"): 8 MB of floats.
        let count = 1 << 20
        func short(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
        let length = UInt64(count * 8)
        var bytes: [UInt8] = [0x80, 4] + short("numpy._core.numeric") + short("_frombuffer") + [0x93, 0x28]
        bytes += [0x8E] + (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        for i in 0..<count { bytes += withUnsafeBytes(of: Double(i).bitPattern.littleEndian, Array.init) }
        bytes += short("numpy") + short("dtype") + [0x93] + short("f8") + [0x89, 0x88, 0x87, 0x52]
        bytes += [0x4A] + withUnsafeBytes(of: Int32(count).littleEndian, Array.init) + [0x85] + short("C") + [0x74, 0x52, 0x2E]
        let clock = ContinuousClock()
        let start = clock.now
        let value = try PickleReader.read(bytes: bytes, file: "large.pkl")
        let elapsed = Self.seconds(clock.now - start)
        guard case .array(let array) = value else { Issue.record("not an array: \(value.kindName)"); return }
        #expect(array.shape == [count])
        #expect(try array.doubles().last == Double(count - 1))
        print("PickleReader: an 8 MB float64 array reads in \(String(format: "%.1f", elapsed * 1000)) ms")
    }
}
