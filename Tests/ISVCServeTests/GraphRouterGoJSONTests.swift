import Testing

@testable import ISVCServe

/// The bytes the router writes where Go re-encodes (`mapPredictionsToInstances`, the Ensemble merge),
/// the messages of Go's JSON decoder that become error causes, and the header and content-type rules.
/// Expected values are what Go's encoding/json (1.22+ escapes) and net/http produce.
@Suite("GraphRouter: Go's JSON, headers and content types")
struct GraphRouterGoJSONTests {
    static func reencoded(_ json: String) -> String {
        switch GoJSONValue.decodeObject(Array(json.utf8)) {
        case .success(let value): return String(decoding: value.goJSON, as: UTF8.self)
        case .failure(let error): return "error: " + error.message
        }
    }

    @Test(
        "float64 as encoding/json writes it",
        arguments: [
            ("1", "1"), ("1.0", "1"), ("-0", "-0"), ("0.1", "0.1"), ("100", "100"), ("2.5E+3", "2500"), ("1e20", "100000000000000000000"),
            ("1e21", "1e+21"), ("123456789012345678901", "123456789012345680000"), ("1152921504606846976", "1152921504606847000"),
            ("0.000001", "0.000001"), ("1e-6", "0.000001"), ("1e-7", "1e-7"), ("1.5e-7", "1.5e-7"), ("-1E-10", "-1e-10"),
            ("5e-324", "5e-324"), ("1.7976931348623157e308", "1.7976931348623157e+308"), ("1e-400", "0"), ("0.00001", "0.00001"),
        ])
    func floats(text: String, expected: String) {
        #expect(Self.reencoded(#"{"n":\#(text)}"#) == #"{"n":\#(expected)}"#)
    }

    @Test("objects: keys sorted by bytes, the last duplicate kept, strings re-escaped with U+FFFD for bad input")
    func objects() {
        #expect(
            Self.reencoded(#"{"b":1,"a":{"z":1,"y":null},"B":[true,false],"é":"x","e\u0301":"y","a":2}"#)
                == #"{"B":[true,false],"a":2,"b":1,"e\#u{301}":"y","é":"x"}"#)
        #expect(
            Self.reencoded(#"{"s":"<a&b>\u2028\u0008\f\u001f\ud800\u0041\ud83d\ude00\u00e9\/"}"#)
                == "{\"s\":\"\\u003ca\\u0026b\\u003e\\u2028\\b\\f\\u001f\u{FFFD}A😀é/\"}")
        #expect(Self.reencoded("{\"s\":\"\u{7F}\"}") == "{\"s\":\"\u{7F}\"}")
        let invalidUTF8: [UInt8] = Array(#"{"s":""#.utf8) + [0xE2, 0x82, 0x41, 0xFF] + Array(#""}"#.utf8)
        if case .success(let value) = GoJSONValue.decodeObject(invalidUTF8) {
            #expect(String(decoding: value.goJSON, as: UTF8.self) == "{\"s\":\"\u{FFFD}\u{FFFD}A\u{FFFD}\"}")
        } else {
            Issue.record("not decoded")
        }
        #expect(Self.reencoded("null") == "null")
    }

    @Test(
        "json.Unmarshal's messages, which become the cause of an Ensemble's 500",
        arguments: [
            ("-", "invalid character ' ' in numeric literal"), ("tr", "invalid character ' ' in literal true (expecting 'u')"),
            ("1.", "invalid character ' ' after decimal point in numeric literal"), ("{", "unexpected end of JSON input"),
            ("Not Found", "invalid character 'N' looking for beginning of value"), ("", "unexpected end of JSON input"),
            ("[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
            (#""x""#, "json: cannot unmarshal string into Go value of type map[string]interface {}"),
            ("5", "json: cannot unmarshal number into Go value of type map[string]interface {}"),
            ("true", "json: cannot unmarshal bool into Go value of type map[string]interface {}"),
            (#"{"a":1e400}"#, "json: cannot unmarshal number 1e400 into Go value of type float64"),
            (#"{"a":1} x"#, "invalid character 'x' after top-level value"),
            (#"{"a":tx}"#, "invalid character 'x' in literal true (expecting 'r')"),
            (#"{"a" 1}"#, "invalid character '1' after object key"), (#"{"a":1 2}"#, "invalid character '2' after object key:value pair"),
            ("[1 2]", "invalid character '2' after array element"),
            ("{1:2}", "invalid character '1' looking for beginning of object key string"),
            (#"{"a":"\x"}"#, "invalid character 'x' in string escape code"),
            (#"{"a":"\u12x"}"#, #"invalid character 'x' in \u hexadecimal character escape"#),
            (#"{"a":01}"#, "invalid character '1' after object key:value pair"),
            (#"{"a":1.e5}"#, "invalid character 'e' after decimal point in numeric literal"),
            (#"{"a":1e}"#, "invalid character '}' in exponent of numeric literal"),
            ("{\"a\":\"\n\"}", #"invalid character '\n' in string literal"#),
            ("\u{FF}", "invalid character 'Ã' looking for beginning of value"),
            ("\u{0C}", #"invalid character '\f' looking for beginning of value"#),
            ("\u{85}", "invalid character 'Â' looking for beginning of value"),
            (String(repeating: "[", count: 10_001), "invalid character '[' exceeded max depth"),
            (String(repeating: "[", count: 10_000), "unexpected end of JSON input"),
        ])
    func decodeErrors(text: String, message: String) {
        #expect(Self.reencoded(text) == "error: " + message)
    }

    @Test(
        "mapPredictionsToInstances: Go's struct decoding, or the body unchanged",
        arguments: [
            (#"{"predictions":[1,{"b":2,"a":1.0}],"instances":[3]}"#, #"{"instances":[1,{"a":1,"b":2}]}"#),
            (#"{"PREDICTIONS":[1]}"#, #"{"instances":[1]}"#), (#"{"predictionſ":[1]}"#, #"{"instances":[1]}"#),
            (#"{"predictions":[2], "predictions":[3,4]}"#, #"{"instances":[3,4]}"#),
            (#"{"predictions":[]}"#, nil), (#"{"predictions":5}"#, nil), (#"{"predictions":[1],"instances":5}"#, nil),
            (#"{"predictions":[1],"Predictions":null}"#, nil), ("[1]", nil), (#"{"predictions":[1e400]}"#, nil),
            (#"{"predictions":[1],"other":1e400}"#, #"{"instances":[1]}"#), ("null", nil), ("not json", nil), ("", nil),
        ] as [(String, String?)])
    func predictions(body: String, expected: String?) {
        let mapped = String(decoding: GraphRouter.predictionsAsInstances(Array(body.utf8)), as: UTF8.self)
        #expect(mapped == (expected ?? body))
    }

    @Test("header names as Go's textproto canonicalizes them")
    func canonicalNames() {
        #expect(HeaderPropagation.canonical("x-request-id") == "X-Request-Id")
        #expect(HeaderPropagation.canonical("AUTHORIZATION") == "Authorization")
        #expect(HeaderPropagation.canonical("x-b3-traceid") == "X-B3-Traceid")
        #expect(HeaderPropagation.canonical("bad name") == "bad name")
        #expect(HeaderPropagation.patterns(environmentValue: nil) == [])
        #expect(HeaderPropagation.patterns(environmentValue: "a,,b") == ["a", "", "b"])
    }

    @Test("patterns: Go's regexp syntax, unanchored; what RE2 refuses is skipped")
    func patterns() {
        let valid = ["Authorization", "^X-", "(?i)trace", "X-(?P<kind>B3)-", "[[:alpha:]]+-Id$", #"\d"#, "a*?", #"\++"#, ""]
        for pattern in valid {
            #expect(HeaderPropagation(patterns: [pattern]).invalidPatterns.isEmpty, "\(pattern)")
        }
        let invalid = ["*Trace-Id*", "(?=X)", "(?<!a)b", #"(a)\1"#, "a++", "a**", "(?>a)", #"a\Z"#, "[b", "a*?+"]
        for pattern in invalid {
            #expect(HeaderPropagation(patterns: [pattern]).invalidPatterns == [pattern], "\(pattern)")
        }
        let propagation = HeaderPropagation(patterns: ["Id$", "^Auth"])
        #expect(propagation.matches("X-Request-Id") && propagation.matches("Authorization"))
        #expect(!propagation.matches("X-Idle") && !propagation.matches("Proxy-Authorization"))
        #expect(HeaderPropagation(patterns: ["B3"]).matches("X-B3-Traceid"))
        #expect(HeaderPropagation(patterns: ["X-(?P<kind>B3)-"]).matches("X-B3-Sampled"))
    }

    @Test("the Content-Type Go's server sniffs for a body that is not JSON")
    func sniffing() {
        func type(_ s: String) -> String? { GoContentSniffer.detect(Array(s.utf8)) }
        #expect(type("") == nil)
        #expect(type("Not Found") == "text/plain; charset=utf-8")
        #expect(type("  <!DOCTYPE html><html>") == "text/html; charset=utf-8")
        #expect(type("<p>x") == "text/html; charset=utf-8")
        #expect(type("<px") == "text/plain; charset=utf-8")
        #expect(type("<?xml version") == "text/xml; charset=utf-8")
        #expect(type("%PDF-1.4") == "application/pdf")
        #expect(GoContentSniffer.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "image/png")
        #expect(GoContentSniffer.detect([0x1F, 0x8B, 0x08, 0]) == "application/x-gzip")
        #expect(GoContentSniffer.detect([0x41, 0x00]) == "application/octet-stream")
    }
}
