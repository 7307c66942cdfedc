import Foundation
import Testing

@testable import ISVCServe

/// The protocol layer's JSON: numbers exactly as Python reads them, shapes as JSONSerialization
/// gives them, and no crash or hang on bad input.
@Suite("Protocol JSON")
struct ProtocolJSONTests {
    @Test("decimals are read exactly as Double(String) (strtod) reads them, where JSONSerialization is off")
    func exactNumbers() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0.15785200061051796", "-73.65023101168936", "6.8", "1e-07", "2.2250738585072014e-308", "1.7976931348623157e308"]
        for _ in 0..<5000 {
            texts.append(
                "\(Double.random(in: -1000...1000, using: &generator) * pow(10, Double(Int.random(in: -12...12, using: &generator))))")
        }
        let parsed = try #require(try ProtocolJSON.parse(Array(("[" + texts.joined(separator: ",") + "]").utf8)) as? [NSNumber])
        #expect(parsed.count == texts.count)
        for (text, number) in zip(texts, parsed) where number.doubleValue != Double(text) {
            Issue.record("\(text) read as \(number.doubleValue)")
        }
    }

    @Test("objects, arrays, literals, integers and escapes")
    func shapes() throws {
        let text = #"{"a": [1, -2, 3.5, true, false, null], "s": "x\"y\\z\u00e9\ud83d\ude00\n", "big": 12345678901234, "e": {}}"#
        let object = try #require(try ProtocolJSON.parse(Array(text.utf8)) as? [String: Any])
        let a = try #require(object["a"] as? [Any])
        #expect((a[0] as? NSNumber)?.int64Value == 1 && (a[1] as? NSNumber)?.int64Value == -2)
        #expect((a[2] as? NSNumber)?.doubleValue == 3.5)
        #expect((a[3] as? Bool) == true && (a[4] as? Bool) == false && a[5] is NSNull)
        #expect(object["s"] as? String == "x\"y\\zé😀\n")
        #expect((object["big"] as? NSNumber)?.int64Value == 12_345_678_901_234)
        #expect((object["e"] as? [String: Any])?.isEmpty == true)
    }

    @Test(
        "bad documents are errors with an offset, never a crash",
        arguments: [
            "", "{", "[1,", "{\"a\" 1}", "[1 2]", "tru", "nul", "\"abc", "\"\\u12\"", "\"\\ud800\\u0041\"", "[-]", "1.2.3e", "{}x",
            "[1e999]", "\"a\u{01}b\"", String(repeating: "[", count: 100_000),
        ])
    func malformed(text: String) {
        #expect(throws: ProtocolJSON.Failure.self) { try ProtocolJSON.parse(Array(text.utf8)) }
    }

    @Test("tensor data and V1 rows are packed: one Double per element, the nesting as shape, kinds kept")
    func packed() throws {
        let text = #"{"data": [[1, 2.5], [null, -4]], "instances": [[true, false]], "inputs": [], "other": [1, 2]}"#
        let object = try #require(try ProtocolJSON.parse(Array(text.utf8)) as? [String: Any])
        let data = try #require(object["data"] as? NumericArray)
        #expect(data.shape == [2, 2] && data.kind == .numbers && data.hasNull)
        #expect(data.values[0] == 1 && data.values[1] == 2.5 && data.values[2].isNaN && data.values[3] == -4)
        let rows = try #require(object["instances"] as? NumericArray)
        #expect(rows == NumericArray(shape: [1, 2], values: [1, 0], kind: .booleans))
        #expect(object["inputs"] as? NumericArray == NumericArray(shape: [0], values: [], kind: .integers))
        #expect(object["other"] is [Any], "only tensor keys are packed")
        // Written back and unpacked as JSONSerialization would have given them.
        #expect(String(decoding: ProtocolJSON.write(data), as: UTF8.self) == "[[1.0,2.5],[null,-4.0]]")
        #expect(String(decoding: ProtocolJSON.write(rows), as: UTF8.self) == "[[true,false]]")
        // Built elsewhere with values no integer holds: written and unpacked as numbers, not a trap.
        let odd = NumericArray(shape: [3], values: [1e300, -2.5, 3], kind: .integers)
        #expect(String(decoding: ProtocolJSON.write(odd), as: UTF8.self) == "[1e+300,-2.5,3]")
        #expect((odd.nested()[0] as? NSNumber)?.doubleValue == 1e300)
        let unpacked = try #require(ProtocolJSON.unpacked(data) as? [[Any]])
        #expect((unpacked[0][1] as? NSNumber)?.doubleValue == 2.5 && unpacked[1][0] is NSNull)
    }

    @Test(
        "arrays that cannot be packed are read as before: ragged rows (each row packed), mixed kinds, strings, big integers",
        arguments: [
            #"[[1, 2], [3]]"#, #"[[1, 2], 3]"#, #"[1, true]"#, #"[1, "a"]"#, #"[[[1]], [2]]"#, #"[[], [1]]"#, #"[9007199254740993, 1]"#,
        ])
    func notPacked(data: String) throws {
        let object = try #require(try ProtocolJSON.parse(Array(#"{"data": \#(data)}"#.utf8)) as? [String: Any])
        let array = try #require(object["data"] as? [Any], "\(data) is not packed")
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [Any])
        #expect(array.count == reference.count)
        let flat = (ProtocolJSON.unpacked(array) as? [Any]).map { String(decoding: ProtocolJSON.write($0), as: UTF8.self) }
        #expect(flat == String(decoding: ProtocolJSON.write(reference), as: UTF8.self))
        if data == #"[9007199254740993, 1]"# { #expect((array[0] as? NSNumber)?.int64Value == 9_007_199_254_740_993, "kept exact") }
    }

    @Test("the reader's limits: packed elements and other values past them are a too-large failure")
    func limits() {
        let numbers = Array(#"{"data": [1, 2, 3, 4, 5]}"#.utf8)
        #expect(throws: Never.self) { try ProtocolJSON.parse(numbers, limits: .init(maxElements: 5)) }
        do {
            _ = try ProtocolJSON.parse(numbers, limits: .init(maxElements: 4))
            Issue.record("5 elements passed a limit of 4")
        } catch {
            #expect(error.tooLarge && error.message.contains("more than 4 tensor elements"))
        }
        var strings = ProtocolJSON.Limits(maxElements: 100)
        strings.maxBoxed = 3
        do {
            _ = try ProtocolJSON.parse(Array(#"{"data": ["a", "b", "c"]}"#.utf8), limits: strings)
            Issue.record("5 boxed values passed a limit of 3")
        } catch {
            #expect(error.tooLarge)
        }
    }

    @Test("writing: sorted keys, Python's float forms, booleans apart from integers, escapes, non-finite as null")
    func writing() {
        let value: [String: Any] = [
            "b": [1, 2.5, 1e-7, Double(Float(0.1)), 152.0, Double.nan], "a": true, "c": "q\"\n\u{1}/",
            "d": NSNumber(value: Int64(7)), "e": NSNull(), "f": NSNumber(value: false),
        ]
        let text = String(decoding: ProtocolJSON.write(value), as: UTF8.self)
        #expect(text == #"{"a":true,"b":[1.0,2.5,1e-07,0.10000000149011612,152.0,null],"c":"q\"\n\u0001/","d":7,"e":null,"f":false}"#)
    }
}
