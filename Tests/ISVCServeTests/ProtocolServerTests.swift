import Foundation
import Testing

@testable import ISVCServe

/// A model that multiplies every number by 2 (V1 rows and V2 tensors, keeping the datatype).
struct DoublingModel: InferenceModel {
    var name = "scale"
    var ready = true
    var inputs = [TensorMetadata(name: "input-0", datatype: "FP32", shape: [-1, -1])]
    var outputs = [TensorMetadata(name: "output-0", datatype: "FP32", shape: [-1, -1])]

    func predict(instances: [Any]) throws(ProtocolError) -> [Any] {
        try instances.map { (row: Any) throws(ProtocolError) -> Any in
            guard let numbers = row as? [NSNumber] else { throw .badRequest("expected rows of numbers") }
            return numbers.map { $0.doubleValue * 2 }
        }
    }

    func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] {
        inputs.enumerated().map { i, t in
            var out = t
            out.name = "output-\(i)"
            if case .numbers(let n) = t.data { out.data = .numbers(n.map { $0 * 2 }) }
            return out
        }
    }
}

@Suite("V1 and V2 protocol endpoints")
struct ProtocolServerTests {
    static let server = ProtocolServer(models: [DoublingModel(), DoublingModel(name: "cold", ready: false)])

    static func call(
        _ method: String, _ path: String, _ body: String = "", headers: [(name: String, value: String)] = []
    )
        -> (status: Int, json: [String: Any], answer: ProtocolServer.Answer)
    {
        let answer = server.handle(method: method, path: path, headers: headers, body: Array(body.utf8))
        let json = (try? JSONSerialization.jsonObject(with: Data(answer.body))) as? [String: Any] ?? [:]
        return (answer.status, json, answer)
    }

    @Test("V1: liveness, model list and readiness, predict with instances or inputs, KServe's errors")
    func v1() {
        #expect(Self.call("GET", "/").json["status"] as? String == "alive")
        #expect(Self.call("GET", "/v1/models").json["models"] as? [String] == ["cold", "scale"])
        #expect(Self.call("GET", "/v1/models/scale").json["ready"] as? Bool == true)
        let predicted = Self.call("POST", "/v1/models/scale:predict", #"{"instances": [[1, 2.5], [3, 4]]}"#)
        #expect(predicted.status == 200)
        #expect(predicted.json["predictions"] as? [[Double]] == [[2, 5], [6, 8]])
        #expect(Self.call("POST", "/v1/models/scale:predict", #"{"inputs": [[1]]}"#).json["predictions"] as? [[Double]] == [[2]])
        let unknown = Self.call("POST", "/v1/models/nope:predict", "{}")
        #expect(unknown.status == 404 && unknown.json["error"] as? String == "Model with name nope does not exist.")
        let cold = Self.call("POST", "/v1/models/cold:predict", #"{"instances": [[1]]}"#)
        #expect(cold.status == 503 && cold.json["error"] as? String == "Model with name cold is not ready.")
        #expect(Self.call("GET", "/v1/models/cold").status == 503)
        #expect(Self.call("POST", "/v1/models/scale:predict", "not json").status == 400)
        #expect(Self.call("POST", "/v1/models/scale:predict", #"{"foo": 1}"#).status == 400)
        #expect(Self.call("POST", "/v1/models/scale:predict", #"{"instances": ["x"]}"#).status == 400)
        #expect(Self.call("POST", "/v1/models/scale:explain", #"{"instances": [[1]]}"#).status == 501)
        #expect(Self.call("GET", "/v3/other").status == 404)
    }

    @Test("V2: server metadata, health, model metadata and readiness, versions refused with 501")
    func v2Metadata() {
        let meta = Self.call("GET", "/v2").json
        #expect(meta["name"] as? String == "isvc" && meta["extensions"] as? [String] == ["binary_tensor_data"])
        #expect(Self.call("GET", "/v2/health/live").status == 200)
        #expect(Self.call("GET", "/v2/health/ready").status == 503, "one model is not ready")
        #expect(
            ProtocolServer(models: [DoublingModel()]).handle(method: "GET", path: "/v2/health/ready", headers: [], body: []).status == 200)
        let model = Self.call("GET", "/v2/models/scale").json
        #expect(model["name"] as? String == "scale" && model["platform"] as? String == "")
        let inputs = model["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.first?["name"] as? String == "input-0" && inputs.first?["shape"] as? [Int] == [-1, -1])
        #expect(Self.call("GET", "/v2/models/scale/ready").json["ready"] as? Bool == true)
        #expect(Self.call("GET", "/v2/models/cold/ready").status == 503)
        #expect(Self.call("GET", "/v2/models/nope/ready").status == 404)
        let versioned = Self.call("GET", "/v2/models/scale/versions/1")
        #expect(versioned.status == 501 && versioned.json["error"] as? String == "Model versioning not supported yet.")
        #expect(Self.call("GET", "/v2/models").json["models"] as? [String] == ["cold", "scale"])
    }

    @Test("V2 infer with JSON: nested or flat data, the id echoed (or generated), outputs filtered, 400s for bad tensors")
    func v2JSON() {
        let r = Self.call(
            "POST", "/v2/models/scale/infer",
            #"{"id": "42", "inputs": [{"name": "x", "shape": [2, 2], "datatype": "FP32", "data": [[1, 2], [3, 4.5]]}]}"#)
        #expect(r.status == 200)
        #expect(r.json["id"] as? String == "42" && r.json["model_name"] as? String == "scale")
        let out = (r.json["outputs"] as? [[String: Any]])?.first ?? [:]
        #expect(out["name"] as? String == "output-0" && out["shape"] as? [Int] == [2, 2] && out["datatype"] as? String == "FP32")
        #expect(out["data"] as? [Double] == [2, 4, 6, 9])
        let generated = Self.call(
            "POST", "/v2/models/scale/infer", #"{"inputs": [{"name": "x", "shape": [1], "datatype": "INT64", "data": [7]}]}"#)
        #expect((generated.json["id"] as? String)?.count == 36)
        #expect(((generated.json["outputs"] as? [[String: Any]])?.first?["data"] as? [Int]) == [14])
        func status(_ body: String) -> Int { Self.call("POST", "/v2/models/scale/infer", body).status }
        #expect(status(#"{"inputs": [{"name": "x", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3]}]}"#) == 400)
        #expect(status(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FLOAT", "data": [1]}]}"#) == 400)
        #expect(status(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32"}]}"#) == 400)
        #expect(
            status(#"{"inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]}], "outputs": [{"name": "bogus"}]}"#) == 400)
        #expect(status("not json") == 400)
        #expect(Self.call("POST", "/v2/models/nope/infer", "{}").status == 404)
    }

    @Test("V2 infer with the binary tensor extension: binary inputs in order, binary outputs on request")
    func v2Binary() throws {
        let values: [Float] = [1.5, -2, 3.25, 0]
        var tail: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { tail += $0 } }
        let header =
            #"{"inputs":[{"name":"x","shape":[2,2],"datatype":"FP32","parameters":{"binary_data_size":16}}],"outputs":[{"name":"output-0","parameters":{"binary_data":true}}]}"#
        let body = Array(header.utf8) + tail
        let answer = Self.server.handle(
            method: "POST", path: "/v2/models/scale/infer",
            headers: [("Inference-Header-Content-Length", String(header.utf8.count))], body: body)
        #expect(answer.status == 200)
        let length = try #require(answer.headers.first { $0.name == ProtocolServer.binaryHeader }.flatMap { Int($0.value) })
        let json = try JSONSerialization.jsonObject(with: Data(answer.body[..<length])) as? [String: Any] ?? [:]
        let out = (json["outputs"] as? [[String: Any]])?.first ?? [:]
        #expect((out["parameters"] as? [String: Any])?["binary_data_size"] as? Int == 16)
        #expect(out["data"] == nil)
        let decoded = try Tensor.decode(answer.body[length...], name: "o", datatype: "FP32", shape: [2, 2])
        #expect(decoded.numbers == [3, -4, 6.5, 0])
        // A header length past the body, or bytes left over, is a 400.
        #expect(
            Self.server.handle(
                method: "POST", path: "/v2/models/scale/infer", headers: [("inference-header-content-length", "9999")],
                body: body
            ).status == 400)
        #expect(
            Self.server.handle(
                method: "POST", path: "/v2/models/scale/infer", headers: [("inference-header-content-length", String(header.utf8.count))],
                body: body + [0]
            ).status == 400)
    }

    @Test("binary layouts: BYTES with length prefixes, INT8 sign, FP16 and BF16 round trips")
    func layouts() throws {
        let text = Tensor(name: "t", datatype: "BYTES", shape: [2], data: .bytes([Array("ab".utf8), []]))
        #expect(text.encoded() == [2, 0, 0, 0, 97, 98, 0, 0, 0, 0])
        #expect(try Tensor.decode(ArraySlice(text.encoded()), name: "t", datatype: "BYTES", shape: [2]) == text)
        #expect(try Tensor.decode([0xff, 0x7f], name: "i", datatype: "INT8", shape: [2]).numbers == [-1, 127])
        for (datatype, values) in [
            ("FP16", [1.5, -2, 0]), ("BF16", [1.5, -2, 0]), ("FP64", [0.1, -2, 1e300]),
            ("INT32", [-3, 2, 2_000_000_000]), ("UINT16", [3, 65535, 0]),
        ] {
            let t = Tensor(name: "h", datatype: datatype, shape: [3], data: .numbers(values))
            #expect(try Tensor.decode(ArraySlice(t.encoded()), name: "h", datatype: datatype, shape: [3]) == t, "\(datatype)")
        }
        // Out-of-range numbers saturate instead of trapping.
        #expect(Tensor(name: "n", datatype: "INT64", shape: [2], data: .numbers([.nan, 1e300])).jsonData as? [Int64] == [0, .max])
        #expect(throws: ProtocolError.self) { try Tensor.decode([1, 2, 3], name: "f", datatype: "FP32", shape: [1]) }
        #expect(throws: ProtocolError.self) { try Tensor.decode([9, 0, 0, 0, 1], name: "b", datatype: "BYTES", shape: [1]) }
    }
}
