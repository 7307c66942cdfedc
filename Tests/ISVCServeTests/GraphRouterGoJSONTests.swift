import Testing

@testable import ISVCServe

/// The bytes the router writes for `mapPredictionsToInstances`, and the header and content-type rules.
/// Expected values are what Go's encoding/json (1.22+ escapes) and net/http produce; Go's JSON itself
/// (numbers, escapes, the decoder's messages) is tested with `GoJSONValue` in ISVCCoreTests.
@Suite("GraphRouter: Go's JSON, headers and content types")
struct GraphRouterGoJSONTests {
    @Test(
        "mapPredictionsToInstances: Go's struct decoding, or the body unchanged",
        arguments: [
            (#"{"predictions":[1,{"b":2,"a":1.0}],"instances":[3]}"#, #"{"instances":[1,{"a":1,"b":2}]}"#),
            (#"{"PREDICTIONS":[1]}"#, #"{"instances":[1]}"#), (#"{"predictionſ":[1]}"#, #"{"instances":[1]}"#),
            (#"{"predictions":[2], "predictions":[3,4]}"#, #"{"instances":[3,4]}"#),
            (#"{"predictions":[]}"#, nil), (#"{"predictions":5}"#, nil), (#"{"predictions":[1],"instances":5}"#, nil),
            (#"{"predictions":[1],"Predictions":null}"#, nil), ("[1]", nil), (#"{"predictions":[1e400]}"#, nil),
            (#"{"predictions":[1],"other":1e400}"#, #"{"instances":[1]}"#), ("null", nil), ("not json", nil), ("", nil),
            (#"{"predictions":[1],"instances":[1e400]}"#, nil),
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
