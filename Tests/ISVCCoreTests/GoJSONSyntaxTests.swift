import Testing

@testable import ISVCCore

/// ConfigMap JSON is checked as Go's encoding/json checks it; the expected messages are Go's own.
@Suite("Go JSON syntax")
struct GoJSONSyntaxTests {
    static let cases: [(String, String)] = [
        (#"{"ingressGateway": "a/b",}"#, #"invalid character '}' looking for beginning of object key string"#),
        ("[1,2,]", "invalid character ']' looking for beginning of value"),
        (#"{"a" 1}"#, "invalid character '1' after object key"),
        (#"{"a": 1 "b": 2}"#, #"invalid character '"' after object key:value pair"#),
        ("[1 2]", "invalid character '2' after array element"),
        (#"{"a": tru}"#, "invalid character '}' in literal true (expecting 'e')"),
        ("{'a': 1}", #"invalid character '\'' looking for beginning of object key string"#),
        (#"{"a": 01}"#, "invalid character '1' after object key:value pair"),
        (#"{"a": 1} x"#, "invalid character 'x' after top-level value"),
        (#"{"a": "b"#, "unexpected end of JSON input"),
        ("", "unexpected end of JSON input"),
        ("// comment\n{}", "invalid character '/' looking for beginning of value"),
        (#"{"a": 1.}"#, "invalid character '}' after decimal point in numeric literal"),
        (#"{"a": -}"#, "invalid character '}' in numeric literal"),
        (#"{"a": 1e}"#, "invalid character '}' in exponent of numeric literal"),
        (#"{"a": "\x"}"#, "invalid character 'x' in string escape code"),
        (#"{"a": "\u12"}"#, #"invalid character '"' in \u hexadecimal character escape"#),
        ("{\"a\": \"line\nbreak\"}", #"invalid character '\n' in string literal"#),
    ]

    @Test("a syntax error gets Go's message", arguments: cases)
    func message(_ text: String, _ expected: String) {
        #expect(GoJSONSyntax.firstError(in: text)?.message == expected)
    }

    @Test("valid JSON has no error")
    func valid() {
        for text in [#"{"a": [1, -2.5e+3, 0, true, false, null, "x\u00e9\n\"\\"], "b": {}}"#, " [ ] ", "\"s\"", "-0.0E-1"] {
            #expect(GoJSONSyntax.firstError(in: text) == nil, "\(text)")
        }
    }

    @Test("the error says where, in lines and columns of the value")
    func place() throws {
        let error = try #require(GoJSONSyntax.firstError(in: "{\n  \"a\": 1,\n}"))
        #expect((error.line, error.column, error.offset) == (3, 1, 12))
    }
}
