import Testing

@testable import ISVCCore

/// Go's `interface{}` decoding and `json.Marshal`: the bytes the InferenceGraph router and the agent's
/// batcher write where Go re-encodes, and the decoder's messages. Expected values are what Go's
/// encoding/json (1.22+ escapes) produces.
@Suite("Go JSON values")
struct GoJSONValueTests {
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
            ("1e-5", "0.00001"), ("6.8", "6.8"), ("-2.5e-8", "-2.5e-8"), ("9007199254740993", "9007199254740992"),
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

    @Test("strings as json.Marshal writes them: HTML characters, \\b and \\f, U+2028 and U+2029")
    func quote() {
        #expect(GoJSON.quote("a<b>&c\u{1}") == #""a\u003cb\u003e\u0026c\u0001""#)
        #expect(GoJSON.quote("\u{8}\u{C}\n\r\t\"\\/") == #""\b\f\n\r\t\"\\/""#)
        #expect(GoJSON.quote("\u{2028}\u{2029}\u{7F}é😀") == "\"\\u2028\\u2029\u{7F}é😀\"")
        var out: [UInt8] = []
        GoJSONValue.writeString([0x61, 0xC3, 0x28, 0xED, 0xA0, 0x80], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\ufffd(\ufffd\ufffd\ufffd""#)
    }

    @Test(
        "json.Unmarshal's messages into map[string]interface{} (an Ensemble's 500 cause)",
        arguments: [
            ("-", "invalid character ' ' in numeric literal"), ("Not Found", "invalid character 'N' looking for beginning of value"),
            ("[1]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
            (#""x""#, "json: cannot unmarshal string into Go value of type map[string]interface {}"),
            ("5", "json: cannot unmarshal number into Go value of type map[string]interface {}"),
            ("true", "json: cannot unmarshal bool into Go value of type map[string]interface {}"),
            (#"{"a":1e400}"#, "json: cannot unmarshal number 1e400 into Go value of type float64"),
            (#"{"a":[1,-1e400,2e400]}"#, "json: cannot unmarshal number -1e400 into Go value of type float64"),
        ])
    func decodeErrors(text: String, message: String) {
        #expect(Self.reencoded(text) == "error: " + message)
    }

    @Test(
        "json.Unmarshal into a struct of []interface{} fields: Go's field matching and its first error",
        arguments: [
            (#"{"predictions":[1,{"b":2,"a":1.0}],"x":1e400}"#, #"[1,{"a":1,"b":2}]"#),
            (#"{"PREDICTIONS":[1]}"#, "[1]"), (#"{"predictionſ":[1]}"#, "[1]"), (#"{"predıctions":[1]}"#, "absent"),
            (#"{"predictions":[2], "predictions":[3,4]}"#, "[3,4]"), (#"{"predictions":[1],"Predictions":null}"#, "absent"),
            ("null", "absent"), (#"{"a":{"predictions":5}}"#, "absent"), ("{}", "absent"),
            (
                #"{"predictions":"x"}"#,
                "json: cannot unmarshal string into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions":5}"#,
                "json: cannot unmarshal number into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions":{}}"#,
                "json: cannot unmarshal object into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions":true}"#,
                "json: cannot unmarshal bool into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions":[[1e400]],"x":1e500}"#,
                "json: cannot unmarshal number 1e400 into Go struct field PredictionResponse.predictions of type float64"
            ),
            (
                #"{"predictions":"x","predictions":[1e400]}"#,
                "json: cannot unmarshal string into Go struct field PredictionResponse.predictions of type []interface {}"
            ),
            (
                #"{"predictions":[1e400],"predictions":"x"}"#,
                "json: cannot unmarshal number 1e400 into Go struct field PredictionResponse.predictions of type float64"
            ),
            ("[1]", "json: cannot unmarshal array into Go value of type batcher.PredictionResponse"),
            (#""x""#, "json: cannot unmarshal string into Go value of type batcher.PredictionResponse"),
            ("5", "json: cannot unmarshal number into Go value of type batcher.PredictionResponse"),
            (#"{"predictions":[1],}"#, "invalid character '}' looking for beginning of object key string"),
        ])
    func structs(text: String, expected: String) {
        switch GoJSONValue.decodeStruct(Array(text.utf8), type: "batcher.PredictionResponse", arrayFields: ["predictions"]) {
        case .success(let fields):
            let written = fields["predictions"].map { String(decoding: GoJSONValue.array($0).goJSON, as: UTF8.self) }
            #expect((written ?? "absent") == expected)
        case .failure(let error): #expect(error.message == expected)
        }
    }

    @Test("a value nested to Go's limit decodes and re-encodes without exhausting the stack")
    func deep() {
        let depth = GoJSONScanner.goMaxDepth
        let text = Array((#"{"a":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}").utf8)
        guard case .success(let value) = GoJSONValue.decodeObject(text) else {
            Issue.record("not decoded")
            return
        }
        #expect(value.goJSON == text)
    }
}
