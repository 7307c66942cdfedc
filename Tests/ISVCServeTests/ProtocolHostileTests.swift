import Foundation
import ISVCModels
import Testing

@testable import ISVCServe

/// Request bodies that used to stop the whole process (an arithmetic-overflow trap or an allocation
/// of petabytes on a size taken from the request), and hostile tensors: each is a 4xx with a JSON
/// `{"error": ...}` body, answered in process by the protocol handler, with the server still up.
@Suite("Protocol hostile input")
struct ProtocolHostileTests {
    /// The test doubler and KServe's iris SVC on the native scikit-learn runtime.
    static let server: ProtocolServer = {
        var models: [any InferenceModel] = [DoublingModel()]
        let iris = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("fixtures/models/sklearn-iris-svc")
        if let served = try? ModelServerKind.sklearn.load(directory: iris) { models.append(NativeModel(name: "iris", model: served)) }
        return ProtocolServer(models: models)
    }()

    static func post(_ path: String, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> (status: Int, error: String?) {
        let answer = server.handle(method: "POST", path: path, headers: headers, body: body)
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
        return (answer.status, json?["error"] as? String)
    }

    static func v2(_ body: String, model: String = "scale") -> (status: Int, error: String?) {
        post("/v2/models/\(model)/infer", Array(body.utf8))
    }

    /// A binary-extension request: the JSON header, then `tail`.
    static func binary(_ header: String, _ tail: [UInt8], model: String = "scale") -> (status: Int, error: String?) {
        post(
            "/v2/models/\(model)/infer", Array(header.utf8) + tail,
            headers: [("Inference-Header-Content-Length", String(header.utf8.count))])
    }

    static func expect400(_ r: (status: Int, error: String?), _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 400, "status \(r.status): \(r.error ?? "no error")", sourceLocation: sourceLocation)
        #expect(r.error?.contains(fragment) == true, "error: \(r.error ?? "none")", sourceLocation: sourceLocation)
    }

    @Test("the native model is loaded (the other tests use it)")
    func loaded() {
        #expect(Self.server.models["iris"] != nil)
    }

    // MARK: Crashes (each stopped the process before the fix)

    @Test("a JSON tensor whose shape product overflows Int is a 400 (reduce(1, *) trapped)", arguments: ["scale", "iris"])
    func shapeProductOverflow(model: String) {
        Self.expect400(
            Self.v2(
                #"{"inputs": [{"name": "x", "shape": [4611686018427387904, 4611686018427387904], "datatype": "FP64", "data": [1, 2]}]}"#,
                model: model),
            "more elements than can be counted")
        Self.expect400(
            Self.v2(#"{"inputs": [{"name": "x", "shape": [3, 3074457345618258603], "datatype": "FP32", "data": [1]}]}"#, model: model),
            "more elements than can be counted")
    }

    @Test(
        "a shape dimension beyond Int's range as a decimal or an integer literal is a 400 (NSNumber.intValue trapped on 1e30)",
        arguments: ["[1e30, 4]", "[4, 1e19]", "[99999999999999999999, 1]", "[9.3e18]", "[-1e30]"])
    func hugeDimension(shape: String) {
        Self.expect400(
            Self.v2(#"{"inputs": [{"name": "x", "shape": \#(shape), "datatype": "FP32", "data": [1, 2, 3, 4]}]}"#),
            "shape dimensions must be non-negative integers")
        Self.expect400(
            Self.binary(
                #"{"inputs": [{"name": "x", "shape": \#(shape), "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}"#,
                [UInt8](repeating: 0, count: 16)),
            "shape dimensions must be non-negative integers")
    }

    @Test("a binary tensor whose shape product (or product times the element size) overflows is a 400", arguments: ["scale", "iris"])
    func binaryShapeOverflow(model: String) {
        Self.expect400(
            Self.binary(
                #"{"inputs": [{"name": "x", "shape": [4611686018427387904, 4611686018427387904], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}"#,
                [UInt8](repeating: 0, count: 16), model: model),
            "more elements than can be counted")
        // The product fits, the byte count (x8) does not: past the element limit first (413), and
        // with no limit, the decoder's own check.
        let header =
            #"{"inputs": [{"name": "x", "shape": [2, 1152921504606846976], "datatype": "FP64", "parameters": {"binary_data_size": 16}}]}"#
        let limited = Self.binary(header, [UInt8](repeating: 0, count: 16), model: model)
        #expect(limited.status == 413 && limited.error?.contains("--max-tensor-elements") == true, "\(limited)")
        let unlimited = ProtocolServer(models: Array(Self.server.models.values), limits: .init(maxTensorElements: .max))
        let answer = unlimited.handle(
            method: "POST", path: "/v2/models/\(model)/infer",
            headers: [("Inference-Header-Content-Length", String(header.utf8.count))],
            body: Array(header.utf8) + [UInt8](repeating: 0, count: 16))
        #expect(answer.status == 400 && String(decoding: answer.body, as: UTF8.self).contains("bytes, got 16"))
        #expect(throws: ProtocolError.self) {
            try Tensor.decode([UInt8](repeating: 0, count: 16), name: "x", datatype: "FP64", shape: [2, 1 << 60])
        }
    }

    @Test(
        "binary_data_size near Int.max is a 400 (offset + size trapped)",
        arguments: [
            "9223372036854775807", "9223372036854775800", "9223372036854775807.0",
        ])
    func binarySizeNearIntMax(size: String) {
        let header = #"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": \#(size)}}]}"#
        let r = Self.binary(header, [0, 0, 128, 63])
        #expect(r.status == 400 && r.error?.contains("binary_data_size") == true, "\(r)")
        // Two inputs: the second's size overflows once added to the first's offset.
        let two =
            #"{"inputs": [{"name": "a", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": 4}}, {"name": "b", "shape": [1], "datatype": "FP32", "parameters": {"binary_data_size": 9223372036854775806}}]}"#
        Self.expect400(Self.binary(two, [0, 0, 128, 63, 0, 0, 128, 63]), "runs past the body")
    }

    @Test("a V1 body whose first row is long and whose other rows are many and empty is a 4xx (rows x columns was reserved up front)")
    func raggedReservation() throws {
        try #require(Self.server.models["iris"] != nil)
        // 200,000 x 200,000 doubles is 320 GB: the allocation failed and stopped the process.
        var body = Array(#"{"instances": [["#.utf8)
        body += Array(repeating: Array("1,".utf8), count: 199_999).joined() + Array("1]".utf8)
        body += Array(repeating: Array(",[]".utf8), count: 199_999).joined() + Array("]}".utf8)
        let r = Self.post("/v1/models/iris:predict", body)
        // KServe answers numpy's ValueError for ragged rows as an InferenceError: 500 with the message.
        #expect(r.status == 500, "\(r)")
        #expect(r.error?.contains("inhomogeneous shape") == true, "\(r)")
    }

    @Test(
        "an Inference-Header-Content-Length that is not a length within the body is a 400",
        arguments: [
            "-1", "99999999999999999999999", "9223372036854775807", "1e3", "abc", "",
        ])
    func headerLength(value: String) {
        let body = Array(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}]}"#.utf8)
        Self.expect400(
            Self.post("/v2/models/scale/infer", body, headers: [("Inference-Header-Content-Length", value)]),
            "inference-header-content-length")
    }

    // MARK: Hostile tensors

    @Test(
        "non-finite and out-of-range number literals are a 400",
        arguments: [
            "NaN", "nan", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "1e99999999999", "0x10", "+1", ".5", "1.", "--1", "1e",
            "\"1\"",
        ])
    func nonFinite(literal: String) {
        let r = Self.v2(#"{"inputs": [{"name": "x", "shape": [2], "datatype": "FP64", "data": [1, \#(literal)]}]}"#)
        #expect(r.status == 400, "\(literal): \(r)")
        #expect(r.error != nil)
        let v1 = Self.post("/v1/models/iris:predict", Array(#"{"instances": [[1, 2, 3, \#(literal)]]}"#.utf8))
        #expect((400..<500).contains(v1.status) || (v1.status == 500 && literal == "\"1\""), "\(literal): \(v1)")
    }

    @Test("100,000 nested brackets in a tensor's data or in V1 instances are a 400, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        Self.expect400(Self.v2(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": \#(deep)}]}"#), "nested deeper")
        Self.expect400(Self.post("/v1/models/iris:predict", Array(#"{"instances": \#(deep)}"#.utf8)), "nested deeper")
        let unclosed = String(repeating: "[{\"a\":", count: 100_000)
        Self.expect400(Self.post("/v1/models/iris:predict", Array(unclosed.utf8)), "nested deeper")
    }

    @Test(
        "binary lengths larger than the body, negative or not numbers are a 400",
        arguments: [
            "17", "1000000", "-4", "-9223372036854775808", "\"16\"", "true", "1.5", "null", "[16]", "{}",
        ])
    func binarySize(size: String) {
        let header = #"{"inputs": [{"name": "x", "shape": [4], "datatype": "FP32", "parameters": {"binary_data_size": \#(size)}}]}"#
        let r = Self.binary(header, [UInt8](repeating: 0, count: 16))
        #expect(r.status == 400 && r.error?.contains("binary_data_size") == true, "\(size): \(r)")
    }

    @Test("a BYTES element length larger than its data, in the binary extension, is a 400")
    func bytesElementLength() {
        let header = #"{"inputs": [{"name": "s", "shape": [1], "datatype": "BYTES", "parameters": {"binary_data_size": 8}}]}"#
        Self.expect400(Self.binary(header, [0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), "longer than its data")
        Self.expect400(Self.binary(header.replacingOccurrences(of: "8}", with: "2}"), [1, 0]), "truncated")
    }

    @Test(
        "negative, fractional, boolean or non-numeric shapes are a 400",
        arguments: ["[-1]", "[1.5]", "[true]", "[\"2\"]", "[null]", "2", "{}"])
    func badShape(shape: String) {
        let r = Self.v2(#"{"inputs": [{"name": "x", "shape": \#(shape), "datatype": "FP32", "data": [1, 2]}]}"#)
        #expect(r.status == 400 && r.error?.contains("shape") == true, "\(shape): \(r)")
    }

    @Test("non-numeric tensor data is a 400", arguments: [#"["a", "b"]"#, #"[{}, {}]"#, #"[null, 1]"#, #"[[1], "x"]"#])
    func nonNumericData(data: String) {
        let r = Self.v2(#"{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": \#(data)}]}"#)
        #expect(r.status == 400 && r.error != nil, "\(data): \(r)")
    }

    @Test("--max-tensor-elements: a request carrying more elements (V1 rows, V2 JSON or binary, summed over inputs) is a 413")
    func elementLimit() throws {
        try #require(Self.server.models["iris"] != nil)
        let limited = ProtocolServer(models: Array(Self.server.models.values), limits: .init(maxTensorElements: 8))
        func post(_ path: String, _ body: [UInt8], headers: [(name: String, value: String)] = []) -> (status: Int, error: String?) {
            let answer = limited.handle(method: "POST", path: path, headers: headers, body: body)
            let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any]
            return (answer.status, json?["error"] as? String)
        }
        let two = "[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]"
        #expect(post("/v1/models/iris:predict", Array(#"{"instances": [\#(two)]}"#.utf8)).status == 200, "8 elements: at the limit")
        let v1 = post("/v1/models/iris:predict", Array(#"{"instances": [\#(two), [1, 2, 3, 4]]}"#.utf8))
        #expect(
            v1.status == 413 && v1.error?.contains("more than 8 tensor elements") == true
                && v1.error?.contains("--max-tensor-elements 8") == true, "\(v1)")
        #expect(
            post(
                "/v2/models/iris/infer", Array(#"{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP64", "data": [\#(two)]}]}"#.utf8)
            ).status == 200)
        let v2 = post(
            "/v2/models/iris/infer",
            Array(
                #"{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP64", "data": [\#(two)]}, {"name": "y", "shape": [1], "datatype": "FP64", "data": [1]}]}"#
                    .utf8))
        #expect(v2.status == 413 && v2.error?.contains("--max-tensor-elements") == true, "\(v2)")
        let header = #"{"inputs": [{"name": "x", "shape": [3, 4], "datatype": "FP32", "parameters": {"binary_data_size": 48}}]}"#
        let binary = post(
            "/v2/models/iris/infer", Array(header.utf8) + [UInt8](repeating: 0, count: 48),
            headers: [("Inference-Header-Content-Length", String(header.utf8.count))])
        #expect(binary.status == 413 && binary.error?.contains("input x") == true, "\(binary)")
    }

    @Test("after every hostile body the server still answers a good request")
    func stillUp() {
        let ok = Self.v2(#"{"inputs": [{"name": "x", "shape": [2], "datatype": "FP32", "data": [1, 2]}]}"#)
        #expect(ok.status == 200)
        let iris = Self.post("/v1/models/iris:predict", Array(#"{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}"#.utf8))
        #expect(iris.status == 200)
    }
}
