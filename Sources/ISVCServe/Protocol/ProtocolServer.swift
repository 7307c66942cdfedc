import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#endif

/// The KServe V1 and Open Inference Protocol (V2) REST endpoints for in-process models, as pure
/// request -> answer functions (reference protocol.md §1, §2 and the checklist of §10): the JSON
/// objects, the binary tensor data extension, and `{"error": ...}` bodies with KServe's status codes.
/// A body without `Inference-Header-Content-Length` is JSON whatever its Content-Type (as Triton
/// does; tritonclient sends none).
public struct ProtocolServer: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]
    }

    /// What one request may ask of the process.
    public struct Limits: Sendable {
        /// 16 Mi elements: 128 MiB as the Doubles tensors are held in. A 64 MiB body of JSON numbers
        /// separated by commas holds at most 32 Mi.
        public static let defaultMaxTensorElements = 1 << 24
        /// Tensor elements a request may carry (all inputs, JSON or binary; V1 instances): past it, 413.
        public var maxTensorElements: Int

        public init(maxTensorElements: Int = Limits.defaultMaxTensorElements) {
            self.maxTensorElements = maxTensorElements
        }
    }

    let models: [String: any InferenceModel]
    public let limits: Limits
    public static let binaryHeader = "inference-header-content-length"

    /// The server metadata of `GET /v2` (and of the gRPC `ServerMetadata`).
    static let serverName = "isvc"
    static let serverVersion = "0.1.0"
    static let serverExtensions = ["binary_tensor_data"]

    /// Bodies at least this large are followed by `malloc_trim`: glibc keeps freed memory of
    /// allocations below its (growing) mmap threshold, and a large request's parse would otherwise
    /// stay in the process's RSS.
    static let trimAfterBytes = 1 << 20

    public init(models: [any InferenceModel], limits: Limits = Limits()) {
        var byName: [String: any InferenceModel] = [:]
        for m in models { byName[m.name] = m }
        self.models = byName
        self.limits = limits
    }

    public func handle(method: String, path rawPath: String, headers: [(name: String, value: String)], body: [UInt8]) -> Answer {
        body.withUnsafeBufferPointer { handle(method: method, path: rawPath, headers: headers, bytes: $0) }
    }

    /// The body as the gateway holds it, read in place (no copy of a body of up to 64 MiB).
    public func handle(method: String, path rawPath: String, headers: [(name: String, value: String)], body: ByteBuffer) -> Answer {
        body.withUnsafeReadableBytes { raw in
            handle(method: method, path: rawPath, headers: headers, bytes: raw.assumingMemoryBound(to: UInt8.self))
        }
    }

    func handle(method: String, path rawPath: String, headers: [(name: String, value: String)], bytes: UnsafeBufferPointer<UInt8>) -> Answer
    {
        let path = String(rawPath.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        let answer: Answer
        do {
            answer = try route(method: method.uppercased(), path: path, headers: headers, body: bytes)
        } catch {
            answer = Self.json(error.status, ["error": error.message])
        }
        if bytes.count >= Self.trimAfterBytes { Self.trimMalloc() }
        return answer
    }

    /// Gives freed heap memory back to the system (glibc's `malloc_trim(0)`; nothing elsewhere).
    static func trimMalloc() {
        #if canImport(Glibc)
            typealias Trim = @convention(c) (Int) -> Int32
            if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
                _ = unsafeBitCast(symbol, to: Trim.self)(0)
            }
        #endif
    }

    static func json(_ status: Int, _ object: Any) -> Answer {
        Answer(status: status, headers: [("content-type", "application/json")], body: ProtocolJSON.write(object))
    }

    static func readiness(_ m: any InferenceModel) -> Answer {
        if m.ready { return json(200, ["name": m.name, "ready": true] as [String: Any]) }
        return json(503, ["error": ProtocolError.notReady(m.name).message])
    }

    func model(_ name: String, ready: Bool = true) throws(ProtocolError) -> any InferenceModel {
        guard let m = models[name] else { throw .unknownModel(name) }
        if ready, !m.ready { throw .notReady(name) }
        return m
    }

    func route(
        method: String, path: String, headers: [(name: String, value: String)], body: UnsafeBufferPointer<UInt8>
    ) throws(ProtocolError) -> Answer {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (method, parts.first) {
        case ("GET", nil):
            return Self.json(200, ["status": "alive"])
        case (_, "v1"):
            return try v1(method: method, Array(parts.dropFirst()), body: body)
        case (_, "v2"):
            return try v2(method: method, Array(parts.dropFirst()), headers: headers, body: body)
        default:
            return Self.json(404, ["error": "Not Found: \(method) \(path)"])
        }
    }

    // MARK: V1

    func v1(method: String, _ parts: [String], body: UnsafeBufferPointer<UInt8>) throws(ProtocolError) -> Answer {
        guard parts.first == "models" else { return Self.json(404, ["error": "Not Found"]) }
        if parts.count == 1, method == "GET" { return Self.json(200, ["models": models.keys.sorted()]) }
        guard parts.count == 2 else { return Self.json(404, ["error": "Not Found"]) }
        let target = parts[1]
        if method == "GET" {
            return Self.readiness(try model(target, ready: false))
        }
        guard method == "POST", let colon = target.lastIndex(of: ":") else { return Self.json(404, ["error": "Not Found"]) }
        let name = String(target[..<colon])
        let verb = target[target.index(after: colon)...]
        let m = try model(name)
        switch verb {
        case "predict":
            let request = try parseObject(body)
            let instances = request["instances"] ?? request["inputs"]
            if let packed = instances as? NumericArray {
                return Self.json(200, ["predictions": try m.predict(rows: packed)])
            }
            guard let rows = instances as? [Any] else {
                throw .badRequest("bad input: expected \"instances\" (or \"inputs\") to be a list")
            }
            // Not rectangular numbers as a whole: the model gets JSONSerialization's shapes throughout.
            return Self.json(200, ["predictions": try m.predict(instances: rows.map(ProtocolJSON.unpacked))])
        case "explain":
            throw .notImplemented("Could not find explainer_host.")
        default:
            return Self.json(404, ["error": "Not Found"])
        }
    }

    func parseObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(ProtocolError) -> [String: Any] {
        let parsed: Any
        do {
            parsed = try ProtocolJSON.parse(buffer: bytes, limits: .init(maxElements: limits.maxTensorElements))
        } catch  where error.tooLarge {
            throw .tooLarge("the request carries \(error.message) (isvc serve --max-tensor-elements \(limits.maxTensorElements))")
        } catch {
            throw .badRequest("Unrecognized request format: the body is not JSON (\(error.message) at byte \(error.offset))")
        }
        guard let object = parsed as? [String: Any] else { throw .badRequest("Unrecognized request format: expected a JSON object") }
        return object
    }

    // MARK: V2

    func v2(
        method: String, _ parts: [String], headers: [(name: String, value: String)], body: UnsafeBufferPointer<UInt8>
    ) throws(ProtocolError) -> Answer {
        switch (method, parts.first, parts.count) {
        case ("GET", nil, _):
            return Self.json(200, ["name": Self.serverName, "version": Self.serverVersion, "extensions": Self.serverExtensions])
        case ("GET", "health", 2) where parts[1] == "live":
            return Self.json(200, ["live": true])
        case ("GET", "health", 2) where parts[1] == "ready":
            if models.values.allSatisfy(\.ready) { return Self.json(200, ["ready": true]) }
            return Self.json(503, ["error": "Server is not ready."])
        case ("GET", "models", 1):
            return Self.json(200, ["models": models.keys.sorted()])
        case (_, "models", _):
            break
        default:
            return Self.json(404, ["error": "Not Found"])
        }
        var rest = Array(parts.dropFirst())
        guard let name = rest.first else { return Self.json(404, ["error": "Not Found"]) }
        rest.removeFirst()
        if rest.first == "versions" {
            _ = try model(name, ready: false)
            throw .notImplemented("Model versioning not supported yet.")
        }
        switch (method, rest.first) {
        case ("GET", nil):
            let m = try model(name, ready: false)
            func meta(_ t: [TensorMetadata]) -> [[String: Any]] { t.map { ["name": $0.name, "datatype": $0.datatype, "shape": $0.shape] } }
            return Self.json(200, ["name": m.name, "platform": "", "inputs": meta(m.inputs), "outputs": meta(m.outputs)])
        case ("GET", "ready"):
            return Self.readiness(try model(name, ready: false))
        case ("POST", "infer"):
            return try infer(try model(name), headers: headers, body: body)
        default:
            return Self.json(404, ["error": "Not Found"])
        }
    }

    func infer(
        _ m: any InferenceModel, headers: [(name: String, value: String)], body: UnsafeBufferPointer<UInt8>
    ) throws(ProtocolError) -> Answer {
        // JSON, or a JSON header followed by binary tensor data.
        var jsonLength = body.count
        if let h = headers.first(where: { $0.name.lowercased() == Self.binaryHeader })?.value {
            guard let n = Int(h.trimmingCharacters(in: .whitespaces)), n >= 0, n <= body.count else {
                throw .badRequest("\(Self.binaryHeader) \(h) is not a length within the body (\(body.count) bytes)")
            }
            jsonLength = n
        }
        var request = try parseObject(UnsafeBufferPointer(rebasing: body[..<jsonLength]))
        // Taken out of the request, so that each input's data moves into its tensor uncopied.
        guard var rawInputs = request.removeValue(forKey: "inputs") as? [[String: Any]], !rawInputs.isEmpty else {
            throw .badRequest("bad request: \"inputs\" must be a non-empty list of tensors")
        }
        var offset = jsonLength
        var inputs: [Tensor] = []
        var elements = 0
        for i in rawInputs.indices {
            var raw = rawInputs[i]
            rawInputs[i] = [:]
            let tensor: Tensor
            if let rawSize = (raw["parameters"] as? [String: Any])?["binary_data_size"] {
                // offset <= body.count always holds here, so the remaining length cannot overflow,
                // where `offset + size` does for a size near Int.max.
                guard let n = rawSize as? NSNumber, !(rawSize is String), let size = ProtocolJSON.exactInt(n), size >= 0 else {
                    throw .badRequest("input \(raw["name"] as? String ?? "?"): binary_data_size must be a non-negative integer")
                }
                guard size <= body.count - offset else {
                    throw .badRequest(
                        "input \(raw["name"] as? String ?? "?"): binary_data_size \(size) runs past the body "
                            + "(\(body.count - offset) bytes of binary data left)")
                }
                raw["data"] = [Any]()
                let described = try Tensor.fromJSONHeader(raw)
                // Checked before decoding: a binary element becomes a Double of 8 bytes.
                try countElements(described.count, into: &elements, input: described.name)
                tensor = try Tensor.decode(
                    body[offset..<(offset + size)], name: described.name,
                    datatype: described.datatype, shape: described.shape)
                offset += size
            } else {
                tensor = try Tensor.fromJSON(taking: &raw)
                try countElements(tensor.count, into: &elements, input: tensor.name)
            }
            inputs.append(tensor)
        }
        guard offset == body.count else { throw .badRequest("\(body.count - offset) bytes of binary data belong to no input") }
        // The model takes the inputs (8 bytes an element: a 60 MB binary body's tensor is 120 MB) and
        // lets them go once it has predicted, before the answer is made and encoded.
        return try answer(m, outputs: try m.infer(consume inputs), request: request)
    }

    /// The V2 answer: the outputs the request names (all when it names none), each as JSON data or
    /// binary data after the JSON header, as the request's `binary_data` parameters ask.
    func answer(_ m: any InferenceModel, outputs all: [Tensor], request: [String: Any]) throws(ProtocolError) -> Answer {
        var outputs = all
        let requested = request["outputs"] as? [[String: Any]]
        let binaryAll = ((request["parameters"] as? [String: Any])?["binary_data_output"] as? Bool) ?? false
        var binary: [String: Bool] = [:]
        if let requested {
            var chosen: [Tensor] = []
            for r in requested {
                guard let name = r["name"] as? String, let t = outputs.first(where: { $0.name == name }) else {
                    throw .badRequest("unknown output \(r["name"] as? String ?? "?"); the model returns \(outputs.map(\.name))")
                }
                binary[name] = ((r["parameters"] as? [String: Any])?["binary_data"] as? Bool) ?? binaryAll
                chosen.append(t)
            }
            outputs = chosen
        }
        var tail: [UInt8] = []
        var described: [[String: Any]] = []
        for t in outputs {
            var o: [String: Any] = ["name": t.name, "datatype": t.datatype, "shape": t.shape]
            if binary[t.name] ?? binaryAll {
                let bytes = t.encoded()
                o["parameters"] = ["binary_data_size": bytes.count]
                tail += bytes
            } else {
                o["data"] = t.jsonDataText
            }
            described.append(o)
        }
        let id = (request["id"] as? String) ?? UUID().uuidString.lowercased()
        var answer = Self.json(200, ["model_name": m.name, "id": id, "outputs": described])
        if !tail.isEmpty {
            answer.headers = [("content-type", "application/octet-stream"), (Self.binaryHeader, String(answer.body.count))]
            answer.body += tail
        }
        return answer
    }

    /// Adds an input's elements to the request's count; 413 past `maxTensorElements`.
    func countElements(_ count: Int, into total: inout Int, input: String) throws(ProtocolError) {
        let (sum, overflow) = total.addingReportingOverflow(count)
        guard !overflow, sum <= limits.maxTensorElements else {
            throw .tooLarge(
                "input \(input): the request carries more than \(limits.maxTensorElements) tensor elements "
                    + "(isvc serve --max-tensor-elements \(limits.maxTensorElements))")
        }
        total = sum
    }
}

extension Tensor {
    /// Name, datatype and shape of an input whose data follows in binary.
    static func fromJSONHeader(_ object: [String: Any]) throws(ProtocolError) -> Tensor {
        var zeroed = object
        zeroed["shape"] = [0]
        let checked = try fromJSON(zeroed)
        let shape = try shape(object["shape"], name: checked.name)
        return Tensor(name: checked.name, datatype: checked.datatype, shape: shape, data: .numbers([]))
    }
}
