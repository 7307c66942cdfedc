import Testing

@testable import ISVCCore

/// JSON syntax as Go's encoding/json scanner checks it (ConfigMap values, bodies the InferenceGraph
/// router and the agent's batcher decode); the expected messages are Go's own.
@Suite("Go JSON syntax")
struct GoJSONScannerTests {
    static func message(_ text: String) -> String? { GoJSONScanner.firstError(Array(text.utf8))?.message }

    @Test(
        "a syntax error gets Go's message",
        arguments: [
            (#"{"ingressGateway": "a/b",}"#, #"invalid character '}' looking for beginning of object key string"#),
            ("[1,2,]", "invalid character ']' looking for beginning of value"),
            (#"{"a" 1}"#, "invalid character '1' after object key"),
            (#"{"a": 1 "b": 2}"#, #"invalid character '"' after object key:value pair"#),
            ("[1 2]", "invalid character '2' after array element"),
            (#"{"a": tru}"#, "invalid character '}' in literal true (expecting 'e')"),
            (#"{"a":tx}"#, "invalid character 'x' in literal true (expecting 'r')"),
            ("{'a': 1}", #"invalid character '\'' looking for beginning of object key string"#),
            ("{1:2}", "invalid character '1' looking for beginning of object key string"),
            (#"{"a": 01}"#, "invalid character '1' after object key:value pair"),
            (#"{"a": 1} x"#, "invalid character 'x' after top-level value"),
            (#"{"a": "b"#, "unexpected end of JSON input"), ("{", "unexpected end of JSON input"),
            ("", "unexpected end of JSON input"),
            ("// comment\n{}", "invalid character '/' looking for beginning of value"),
            ("Not Found", "invalid character 'N' looking for beginning of value"),
            (#"{"a": 1.}"#, "invalid character '}' after decimal point in numeric literal"),
            (#"{"a":1.e5}"#, "invalid character 'e' after decimal point in numeric literal"),
            (#"{"a": -}"#, "invalid character '}' in numeric literal"),
            (#"{"a": 1e}"#, "invalid character '}' in exponent of numeric literal"),
            (#"{"a": "\x"}"#, "invalid character 'x' in string escape code"),
            (#"{"a": "\u12"}"#, #"invalid character '"' in \u hexadecimal character escape"#),
            (#"{"a":"\u12x"}"#, #"invalid character 'x' in \u hexadecimal character escape"#),
            ("{\"a\": \"line\nbreak\"}", #"invalid character '\n' in string literal"#),
            // The end of input is a space to Go's scanner: a number or literal cut short says so.
            ("-", "invalid character ' ' in numeric literal"), ("tr", "invalid character ' ' in literal true (expecting 'u')"),
            ("tru", "invalid character ' ' in literal true (expecting 'e')"),
            ("1.", "invalid character ' ' after decimal point in numeric literal"),
            ("1e", "invalid character ' ' in exponent of numeric literal"),
            // The byte is quoted as Go's quoteChar does: as a Latin-1 rune, in strconv.Quote's escapes.
            ("\u{0C}", #"invalid character '\f' looking for beginning of value"#),
            ("\u{07}", #"invalid character '\a' looking for beginning of value"#),
            ("\u{0B}", #"invalid character '\v' looking for beginning of value"#),
            ("\u{7F}", #"invalid character '\x7f' looking for beginning of value"#),
            ("\u{0}", #"invalid character '\x00' looking for beginning of value"#),
            ("é", "invalid character 'Ã' looking for beginning of value"),
            ("\u{FF}", "invalid character 'Ã' looking for beginning of value"),
            ("\u{85}", "invalid character 'Â' looking for beginning of value"),
        ])
    func message(text: String, expected: String) {
        #expect(Self.message(text) == expected)
    }

    @Test("bytes that are not UTF-8 are quoted as Go quotes them: C1 controls, NBSP and soft hyphen as \\u")
    func rawBytes() {
        func message(_ byte: UInt8) -> String? { GoJSONScanner.firstError([byte])?.message }
        #expect(message(0xFF) == "invalid character 'ÿ' looking for beginning of value")
        #expect(message(0x85) == #"invalid character '\u0085' looking for beginning of value"#)
        #expect(message(0xA0) == #"invalid character '\u00a0' looking for beginning of value"#)
        #expect(message(0xAD) == #"invalid character '\u00ad' looking for beginning of value"#)
    }

    @Test("valid JSON has no error")
    func valid() {
        for text in [#"{"a": [1, -2.5e+3, 0, true, false, null, "x\u00e9\n\"\\"], "b": {}}"#, " [ ] ", "\"s\"", "-0.0E-1", "1", " 0 "] {
            #expect(GoJSONScanner.firstError(Array(text.utf8)) == nil, "\(text)")
        }
    }

    @Test("a very deep value is refused at Go's depth without recursion; with no limit (gjson's Valid) it is read to the end")
    func deep() {
        let open = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        let error = GoJSONScanner.firstError(open)
        #expect(error?.message == "invalid character '[' exceeded max depth")
        #expect(error?.offset == 10_001)
        #expect(GoJSONScanner.firstError(open, maxDepth: nil)?.message == "unexpected end of JSON input")
        let closed = open + [UInt8](repeating: UInt8(ascii: "]"), count: 100_000)
        #expect(GoJSONScanner.isValid(closed, maxDepth: nil))
        #expect(!GoJSONScanner.isValid(closed))
        #expect(Self.message(String(repeating: "[", count: 10_001)) == "invalid character '[' exceeded max depth")
        #expect(Self.message(String(repeating: "[", count: 10_000)) == "unexpected end of JSON input")
        let withinLimit = Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8)
        #expect(GoJSONScanner.isValid(withinLimit))
    }

    @Test("the error says where: Go's offset, and the line and column of the byte it is about")
    func place() throws {
        let text = Array("{\n  \"a\": 1,\n}".utf8)
        let error = try #require(GoJSONScanner.firstError(text))
        #expect(error.offset == 13 && error.index == 12)
        #expect(error.position(in: text) == (3, 1))
        // Columns count characters, not bytes; the end of input is just after the last character.
        let accented = Array("{\"é\": 1 x}".utf8)
        #expect(try #require(GoJSONScanner.firstError(accented)).position(in: accented) == (1, 9))
        let cut = Array("[1,\n 2".utf8)
        let end = try #require(GoJSONScanner.firstError(cut))
        #expect(end.message == "unexpected end of JSON input" && end.offset == 6 && end.position(in: cut) == (2, 3))
    }
}
