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
            texts.append("\(Double.random(in: -1000...1000, using: &generator) * pow(10, Double(Int.random(in: -12...12, using: &generator))))")
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

    @Test("bad documents are errors with an offset, never a crash", arguments: [
        "", "{", "[1,", "{\"a\" 1}", "[1 2]", "tru", "nul", "\"abc", "\"\\u12\"", "\"\\ud800\\u0041\"", "[-]", "1.2.3e", "{}x",
        "[1e999]", "\"a\u{01}b\"", String(repeating: "[", count: 100_000),
    ])
    func malformed(text: String) {
        #expect(throws: ProtocolJSON.Failure.self) { try ProtocolJSON.parse(Array(text.utf8)) }
    }

    @Test("writing: sorted keys, Python's float forms, booleans apart from integers, escapes, non-finite as null")
    func writing() {
        let value: [String: Any] = ["b": [1, 2.5, 1e-7, Double(Float(0.1)), 152.0, Double.nan], "a": true, "c": "q\"\n\u{1}/",
                                    "d": NSNumber(value: Int64(7)), "e": NSNull(), "f": NSNumber(value: false)]
        let text = String(decoding: ProtocolJSON.write(value), as: UTF8.self)
        #expect(text == #"{"a":true,"b":[1.0,2.5,1e-07,0.10000000149011612,152.0,null],"c":"q\"\n\u0001/","d":7,"e":null,"f":false}"#)
    }
}
