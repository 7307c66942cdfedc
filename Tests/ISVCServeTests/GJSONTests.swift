import ISVCCore
import Testing

@testable import ISVCServe

/// GJSON paths as tidwall/gjson v1.18 (KServe's router's version) evaluates them. The expected values
/// are gjson's documented examples (README.md, SYNTAX.md) and, for the rest, what gjson itself
/// returned for the same document and path.
@Suite("GJSON: the router's condition paths")
struct GJSONTests {
    static let document = Array(
        """
        {
          "name": {"first": "Tom", "last": "Anderson"},
          "age":37,
          "children": ["Sara","Alex","Jack"],
          "fav.movie": "Deer Hunter",
          "friends": [
            {"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]},
            {"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]},
            {"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}
          ]
        }
        """.utf8)

    static func raw(_ json: [UInt8], _ path: String) -> String? {
        let result = GJSON.get(json, path)
        return result.exists ? String(decoding: result.raw, as: UTF8.self) : nil
    }

    static let dale = #"{"first": "Dale", "last": "Murphy", "age": 44, "nets": ["ig", "fb", "tw"]}"#
    static let jane = #"{"first": "Jane", "last": "Murphy", "age": 47, "nets": ["ig", "tw"]}"#

    @Test(
        "SYNTAX.md's examples",
        arguments: [
            ("name.last", #""Anderson""#), ("name.first", #""Tom""#), ("age", "37"),
            ("children", #"["Sara","Alex","Jack"]"#), ("children.0", #""Sara""#), ("children.1", #""Alex""#),
            ("friends.1", #"{"first": "Roger", "last": "Craig", "age": 68, "nets": ["fb", "tw"]}"#),
            ("friends.1.first", #""Roger""#), ("child*.2", #""Jack""#), ("c?ildren.0", #""Sara""#),
            (#"fav\.movie"#, #""Deer Hunter""#), ("friends.#", "3"), ("friends.#.age", "[44,68,47]"),
            (#"friends.#(last=="Murphy").first"#, #""Dale""#), (#"friends.#(last=="Murphy")#.first"#, #"["Dale","Jane"]"#),
            ("friends.#(age>45)#.last", #"["Craig","Murphy"]"#), (#"friends.#(first%"D*").last"#, #""Murphy""#),
            (#"friends.#(first!%"D*").last"#, #""Craig""#), (#"children.#(!%"*a*")"#, #""Alex""#),
            (#"children.#(%"*a*")#"#, #"["Sara","Jack"]"#), (#"friends.#(nets.#(=="fb"))#.first"#, #"["Dale","Roger"]"#),
            ("friends.0.first", #""Dale""#), ("friends|0.first", #""Dale""#), ("friends.0|first", #""Dale""#),
            ("friends|0|first", #""Dale""#), ("friends|#", "3"), ("friends.#", "3"),
            (#"friends.#(last="Murphy")#"#, "[\(dale),\(jane)]"), (#"friends.#(last="Murphy")#.first"#, #"["Dale","Jane"]"#),
            (#"friends.#(last="Murphy")#|first"#, nil), (#"friends.#(last="Murphy")#.0"#, "[]"),
            (#"friends.#(last="Murphy")#|0"#, dale), (#"friends.#(last="Murphy")#.#"#, "[]"),
            (#"friends.#(last="Murphy")#|#"#, "2"),
            (
                #"{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}"#,
                #"{"first":"Tom","age":37,"the_murphys":["Dale","Jane"]}"#
            ),
            (
                #"{name.first,age,"company":!"Happysoft","employed":!true}"#,
                #"{"first":"Tom","age":37,"company":"Happysoft","employed":true}"#
            ),
        ] as [(String, String?)])
    func documented(path: String, expected: String?) {
        #expect(Self.raw(Self.document, path) == expected, "\(path)")
    }

    @Test(
        "more paths on the same document, as gjson answers them",
        arguments: [
            // Comparisons: strings as bytes, numbers as float64 (the right side parsed as a number).
            ("friends.#(age>=47)#.first", #"["Roger","Jane"]"#), ("friends.#(age<=47)#.first", #"["Dale","Jane"]"#),
            ("friends.#(age<47).first", #""Dale""#), ("friends.#(age!=44)#.first", #"["Roger","Jane"]"#),
            (#"friends.#(first>"Jane")#.first"#, #"["Roger"]"#), (#"friends.#(first<"Jane")#.first"#, #"["Dale"]"#),
            ("friends.#(first=Dale).age", "44"), ("friends.#(first==Dale).age", "44"),
            (#"friends.#(first == "Dale" ).age"#, "44"), (#"friends.#(age>"40")#.first"#, #"["Dale","Roger","Jane"]"#),
            ("friends.#(age==44.0).first", #""Dale""#), ("children.#(==Alex)", #""Alex""#),
            (#"children.#(>"B")#"#, #"["Sara","Jack"]"#), (#"children.#(!="Alex")#"#, #"["Sara","Jack"]"#),
            // Existence queries, no match, the old #[...] brackets, an unclosed query.
            ("friends.#(nets)#.first", #"["Dale","Roger","Jane"]"#), ("friends.#(zzz)#.first", "[]"),
            ("friends.#(age>100)#", "[]"), ("friends.#(age>100)", nil), (#"friends.#(nets.#(=="xx")).first"#, nil),
            (#"friends.#[last=="Murphy"].first"#, #""Dale""#), (#"friends.#(last=="Murphy""#, nil),
            // Maps over arrays, with the rest of the path applied per element or after a pipe.
            ("friends.#.nets.0", #"["ig","fb","ig"]"#), ("friends.#.nets|0", #"["ig", "fb", "tw"]"#),
            ("friends.#.nets.#", "[3,2,2]"), ("friends.#.first.0", "[]"), ("children.#.x", "[]"),
            ("friends.#(age>40)#|1.last", #""Craig""#),
            // Wildcards: the first key that matches and leads somewhere.
            ("*.first", #""Tom""#), ("n*e.last", #""Anderson""#), ("name.*", #""Tom""#), ("name.l?st", #""Anderson""#),
            ("friends.1.*", #""Roger""#), ("friends.*.first", nil),
            // Indexes: digits only.
            ("children.3", nil), ("children.-1", nil), ("children.01", #""Alex""#),
            ("age.x", nil), ("missing", nil), ("name.", nil), (".name", nil), ("name..first", nil),
            // Modifiers and multipaths.
            ("name.@this", #"{"first": "Tom", "last": "Anderson"}"#), ("name.@this.first", #""Tom""#),
            ("@this.name.last", #""Anderson""#), ("@valid.age", "37"), ("name|@this|first", #""Tom""#),
            ("age.@this", "37"), ("children.@this.1", #""Alex""#), ("[name.first,age]", #"["Tom",37]"#),
            ("[name.first,missing,age].#", "2"), ("[name.first,name.last]|1", #""Anderson""#),
            (#"{"a":name.first,"b":name.last}.a"#, #""Tom""#), ("{age,children.#}", #"{"age":37,"_":3}"#),
            ("{x:age}", #"{"x":37}"#), (#"{"x\u0041":age}"#, #"{"x\u0041":37}"#),
            ("{friends.#.first}", #"{"first":["Dale","Roger","Jane"]}"#),
            ("friends.#.{first,age}", #"[{"first":"Dale","age":44},{"first":"Roger","age":68},{"first":"Jane","age":47}]"#),
            ("friends.0.[first,age]", #"["Dale",44]"#), ("[@this].#(age==37).age", "37"), ("[@this].#(age==38)", nil),
            // Literals.
            ("!true", "true"), ("!TRUE", nil), ("!nan", "nan"), (#"!{"a":1}.a"#, "1"),
        ] as [(String, String?)])
    func verified(path: String, expected: String?) {
        #expect(Self.raw(Self.document, path) == expected, "\(path)")
    }

    @Test("the ~ conversions on SYNTAX.md's vals document")
    func tilde() {
        let vals = Array(
            #"""
            {"vals": [{ "a": 1, "b": "data" },{ "a": 2, "b": true },{ "a": 3, "b": false },{ "a": 4, "b": "0" },
            { "a": 5, "b": 0 },{ "a": 6, "b": "1" },{ "a": 7, "b": 1 },{ "a": 8, "b": "true" },{ "a": 9, "b": false },
            { "a": 10, "b": null },{ "a": 11 }]}
            """#.utf8)
        #expect(Self.raw(vals, "vals.#(b==~true)#.a") == "[2,6,7,8]")
        #expect(Self.raw(vals, "vals.#(b==~false)#.a") == "[3,4,5,9,10,11]")
        #expect(Self.raw(vals, "vals.#(b==~null)#.a") == "[10,11]")
        #expect(Self.raw(vals, "vals.#(b==~*)#.a") == "[1,2,3,4,5,6,7,8,9,10]")
        #expect(Self.raw(vals, "vals.#(b!=~*)#.a") == "[11]")
        // Without ~, the right side is compared as a string to strings, as a number (0 when it is no
        // number) to numbers, and by gjson's few rules to booleans; a null never compares.
        #expect(Self.raw(vals, "vals.#(b==true)#.a") == "[2,5,8]")
        #expect(Self.raw(vals, "vals.#(b<true)#.a") == "[1,3,4,6,9]")
        #expect(Self.raw(vals, "vals.#(b>=true)#.a") == "[2,5,7,8]")
        #expect(Self.raw(vals, "vals.#(b==null)#.a") == "[5]")
    }

    @Test("the e2e Switch condition matches SUCCESS and not FAILURE; Exists() is true for a null found")
    func e2eConditions() {
        let condition = "[@this].#(decision_picker==SUCCESS)"
        #expect(GJSON.get(Array(#"{"decision_picker":"SUCCESS"}"#.utf8), condition).exists)
        #expect(!GJSON.get(Array(#"{"decision_picker":"FAILURE"}"#.utf8), condition).exists)
        #expect(!GJSON.get(Array(#"{"other":"SUCCESS"}"#.utf8), condition).exists)
        // @this keeps the document to its end, so the multipath is valid JSON with the newline inside.
        #expect(Self.raw(Array("{\"decision_picker\":\"SUCCESS\"}\n".utf8), "[@this]") == "[{\"decision_picker\":\"SUCCESS\"}\n]")
        // main_test.go's conditions.
        #expect(GJSON.get(Array(#"{"instances":[{"modelId":"2"}]}"#.utf8), #"instances.#(modelId=="2")"#).exists)
        #expect(!GJSON.get(Array(#"{"instances":[{"modelId":"2"}]}"#.utf8), #"instances.#(modelId=="1")"#).exists)
        #expect(GJSON.get(Array(#"{"predictions":[{"label":"dog"}]}"#.utf8), #"predictions.#(label=="dog")"#).exists)
        let null = GJSON.get(Array(#"{"a":null}"#.utf8), "a")
        #expect(null.exists && null.kind == .null)
        // An empty condition looks up the key "".
        #expect(!GJSON.get(Array(#"{"a":1}"#.utf8), "").exists)
        #expect(Self.raw(Array(#"{"":5}"#.utf8), "") == "5")
    }

    @Test("keys: escapes in the document and the path, duplicates, unicode")
    func keys() {
        let doc = Array(
            #"{"a":{"x":1},"a":{"y":2},"e\u0041sc":"v","q\"k":3,"dup":1,"dup":2,"a.b":{"c":9},"a*":"star","uni":"h\u00e9llo \ud83d\ude00","@this":"at"}"#
                .utf8)
        #expect(Self.raw(doc, "a.x") == "1")
        #expect(Self.raw(doc, "a.y") == "2")  // the first "a" leads nowhere, the scan goes on
        #expect(Self.raw(doc, "eAsc") == #""v""#)
        #expect(Self.raw(doc, #"q"k"#) == "3")
        #expect(Self.raw(doc, "dup") == "1")
        #expect(Self.raw(doc, #"a\.b.c"#) == "9")
        #expect(Self.raw(doc, #"a\.b|c"#) == "9")
        #expect(Self.raw(doc, #"a\*"#) == #""star""#)  // escaped: no wildcard
        #expect(Self.raw(doc, "a*") == #"{"x":1}"#)
        #expect(Self.raw(doc, #"\@this"#) == #""at""#)
        #expect(GJSON.get(doc, "uni").string == "héllo 😀")
        #expect(Self.raw(doc, #"[@this].#(uni%"h?llo*").dup"#) == "1")
        // Selectors gjson cannot parse leave an empty path; text right after them is the path.
        let blank = Array(#"{"":1,"b":2}"#.utf8)
        #expect(Self.raw(blank, "[b") == "1" && Self.raw(blank, "[a]b") == "2" && Self.raw(blank, "[b].0") == "2")
    }

    @Test("numbers and strings in queries")
    func queryValues() {
        let doc = Array(#"{"nums":[1,2,3,10,20,-5,0.5,1e2],"arr":["s\n","x",true,null,{"k":null}]}"#.utf8)
        #expect(Self.raw(doc, "nums.#(>2)#") == "[3,10,20,1e2]")
        #expect(Self.raw(doc, "nums.#(==1e2)") == "1e2")
        #expect(Self.raw(doc, "nums.#(>=10)#|#") == "3")
        #expect(Self.raw(doc, #"arr.#(=="s\n")"#) == #""s\n""#)
        #expect(Self.raw(doc, "arr.#(k==~null)#") == #"[{"k":null}]"#)
        // The object has no value at the empty path: ~* makes that false, and false != true.
        #expect(Self.raw(doc, "arr.#(!=~*)#") == #"[{"k":null}]"#)
        #expect(Self.raw(doc, "arr.#") == "5")
    }

    @Test("validity as gjson.ValidBytes; invalid JSON and unsupported modifiers find nothing")
    func validity() {
        #expect(GJSON.isValid(Array(#" {"a":[1,2.5e3,"x",true,false,null]} "#.utf8)))
        for bad in ["", " ", "{", #"{"a":1,}"#, "[1 2]", "01", "1.", "-", "tru", #""\x""#, "{} {}", "\u{0}"] {
            #expect(!GJSON.isValid(Array(bad.utf8)), "\(bad)")
        }
        // No nesting limit in gjson (Go's encoding/json stops at 10 000).
        let deep = Array(String(repeating: "[", count: 10_001) + String(repeating: "]", count: 10_001)).map { UInt8($0.asciiValue!) }
        #expect(GJSON.isValid(deep))
        #expect(!GoJSONScanner.isValid(deep))
        #expect(!GJSON.get(Array(#"{"a":1"#.utf8), "a").exists)
        #expect(!GJSON.get(Self.document, "children.@reverse").exists)
        #expect(!GJSON.get(Self.document, "..0").exists)
    }

    @Test("wildcards as tidwall/match: runes, escapes, stars")
    func wildcards() {
        func m(_ s: String, _ p: String) -> Bool { GJSON.Wildcard.matches(Array(s.utf8), Array(p.utf8)) }
        #expect(m("Sara", "*a*") && m("Sara", "S?ra") && !m("Sara", "S?a") && m("", "*") && m("", "**"))
        #expect(m("héllo", "h?llo") && m("a*b", #"a\*b"#) && !m("axb", #"a\*b"#) && !m("a", #"a\"#))
        #expect(m("abcabc", "*bc") && m("abcabd", "a*d") && !m("abc", "a*d") && m("aXbXc", "a*b*c"))
    }
}
