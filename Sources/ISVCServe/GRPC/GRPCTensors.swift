import Foundation

/// Tensors in the gRPC messages of the Open Inference Protocol, to and from `Tensor` (reference
/// grpc-agent-graph.md A1): typed `contents` by KServe's datatype mapping
/// (`GRPC_CONTENT_DATATYPE_MAPPINGS`), or `raw_input_contents` / `raw_output_contents` in the
/// binary tensor data extension's layout (little-endian, row-major; BYTES as `uint32` length + bytes).
enum GRPCTensors {
    typealias Request = Inference_ModelInferRequest
    typealias Response = Inference_ModelInferResponse

    /// KServe's `validate_grpc_request`, with its messages: one raw content per input, and no
    /// input with `contents` when raw contents are used.
    static func validate(_ request: Request) throws(ProtocolError) {
        let raw = request.rawInputContents.count
        guard raw != 0 else { return }
        guard request.inputs.count == raw else {
            throw .badRequest(
                "the number of inputs (\(request.inputs.count)) does not match the expected number of "
                    + "raw input contents (\(raw)) for model '\(request.modelName)'.")
        }
        if let input = request.inputs.first(where: \.hasContents) {
            throw .badRequest(
                "contents field must not be specified when using raw_input_contents for input '\(input.name)' for model '\(request.modelName)'"
            )
        }
    }

    /// The request's input tensors (validated first), within `maxTensorElements` in all.
    static func inputs(of request: Request, limits: ProtocolServer.Limits) throws(ProtocolError) -> [Tensor] {
        try validate(request)
        var elements = 0
        var tensors: [Tensor] = []
        tensors.reserveCapacity(request.inputs.count)
        for (i, input) in request.inputs.enumerated() {
            let shape = try shape(of: input)
            guard let count = Tensor.elementCount(shape) else {
                throw .badRequest("input \(input.name): shape \(shape) has more elements than can be counted")
            }
            // Counted before decoding: every element becomes a Double of 8 bytes.
            let (sum, overflow) = elements.addingReportingOverflow(count)
            guard !overflow, sum <= limits.maxTensorElements else {
                throw .tooLarge(
                    "input \(input.name): the request carries more than \(limits.maxTensorElements) tensor elements "
                        + "(isvc serve --max-tensor-elements \(limits.maxTensorElements))")
            }
            elements = sum
            if request.rawInputContents.isEmpty {
                tensors.append(try typed(input, shape: shape, count: count))
            } else {
                tensors.append(try raw(request.rawInputContents[i], of: input, shape: shape))
            }
        }
        return tensors
    }

    /// Name, datatype and shape checked as the REST reader checks them.
    static func shape(of input: Request.InferInputTensor) throws(ProtocolError) -> [Int] {
        guard Tensor.sizes[input.datatype] != nil || input.datatype == "BYTES" else {
            throw .badRequest(
                "input \(input.name): invalid datatype \(input.datatype) (one of BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BF16, BYTES)"
            )
        }
        var shape: [Int] = []
        shape.reserveCapacity(input.shape.count)
        for d in input.shape {
            guard d >= 0, let dimension = Int(exactly: d) else {
                throw .badRequest("input \(input.name): shape dimensions must be non-negative integers")
            }
            shape.append(dimension)
        }
        return shape
    }

    /// An input whose data is `raw_input_contents[i]`.
    static func raw(_ bytes: Data, of input: Request.InferInputTensor, shape: [Int]) throws(ProtocolError) -> Tensor {
        let decoded: Result<Tensor, ProtocolError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(ProtocolError) -> Tensor in
                try Tensor.decode(buffer, name: input.name, datatype: input.datatype, shape: shape)
            }
        }
        return try decoded.get()
    }

    /// An input whose data is in `contents`, in the field its datatype maps to. FP16 and BF16 have
    /// none: they come raw only.
    static func typed(_ input: Request.InferInputTensor, shape: [Int], count: Int) throws(ProtocolError) -> Tensor {
        let c = input.contents
        let data: Tensor.Data
        switch input.datatype {
        case "BOOL": data = .numbers(c.boolContents.map { $0 ? 1 : 0 })
        case "INT8", "INT16", "INT32": data = .numbers(c.intContents.map(Double.init))
        case "INT64": data = .numbers(c.int64Contents.map(Double.init))
        case "UINT8", "UINT16", "UINT32": data = .numbers(c.uintContents.map(Double.init))
        case "UINT64": data = .numbers(c.uint64Contents.map(Double.init))
        case "FP32": data = .numbers(c.fp32Contents.map(Double.init))
        case "FP64": data = .numbers(c.fp64Contents)
        case "BYTES": data = .bytes(c.bytesContents.map { [UInt8]($0) })
        default:  // FP16, BF16
            guard count == 0 else {
                throw .badRequest("input \(input.name): \(input.datatype) has no typed contents field; send it in raw_input_contents")
            }
            data = .numbers([])
        }
        let got: Int
        switch data {
        case .numbers(let n): got = n.count
        case .bytes(let b): got = b.count
        }
        guard got == count else {
            throw .badRequest("input \(input.name): shape \(shape) needs \(count) elements, got \(got)")
        }
        return Tensor(name: input.name, datatype: input.datatype, shape: shape, data: data)
    }

    /// The answer to `request`: the outputs it names (all when it names none), all raw when the
    /// request's inputs were raw or an output is FP16 (or BF16: no typed field either), typed
    /// otherwise (KServe's `InferRequest.use_binary_outputs` and `InferResponse.to_grpc`). The id
    /// and the model version are the request's.
    static func response(_ all: [Tensor], model: String, request: Request) throws(ProtocolError) -> Response {
        var outputs = all
        if !request.outputs.isEmpty {
            outputs = []
            for requested in request.outputs {
                guard let t = all.first(where: { $0.name == requested.name }) else {
                    throw .badRequest("unknown output \(requested.name); the model returns \(all.map(\.name))")
                }
                outputs.append(t)
            }
        }
        let raw = !request.rawInputContents.isEmpty || outputs.contains { $0.datatype == "FP16" || $0.datatype == "BF16" }
        var response = Response()
        response.modelName = model
        response.modelVersion = request.modelVersion
        response.id = request.id
        for t in outputs {
            var output = Response.InferOutputTensor()
            output.name = t.name
            output.datatype = t.datatype
            output.shape = t.shape.map(Int64.init)
            if raw {
                response.rawOutputContents.append(Data(t.encoded()))
            } else {
                output.contents = try contents(of: t)
            }
            response.outputs.append(output)
        }
        return response
    }

    /// A tensor's data in the `contents` field of its datatype.
    static func contents(of t: Tensor) throws(ProtocolError) -> Inference_InferTensorContents {
        var c = Inference_InferTensorContents()
        switch (t.data, t.datatype) {
        case (.bytes(let items), _):
            c.bytesContents = items.map { Data($0) }
        case (.numbers(let n), "BOOL"): c.boolContents = n.map { $0 != 0 }
        case (.numbers(let n), "INT8"), (.numbers(let n), "INT16"), (.numbers(let n), "INT32"):
            c.intContents = n.map { Int32(clamping: Tensor.integer($0)) }
        case (.numbers(let n), "INT64"): c.int64Contents = n.map(Tensor.integer)
        case (.numbers(let n), "UINT8"), (.numbers(let n), "UINT16"), (.numbers(let n), "UINT32"):
            c.uintContents = n.map { UInt32(clamping: Tensor.integer($0)) }
        case (.numbers(let n), "UINT64"): c.uint64Contents = n.map(unsigned)
        case (.numbers(let n), "FP32"): c.fp32Contents = n.map(Float.init)
        case (.numbers(let n), "FP64"): c.fp64Contents = n
        default:
            throw .internalError("output \(t.name): \(t.datatype) data has no typed contents field")
        }
        return c
    }

    /// A number as a UINT64 element: truncated, negative and NaN as 0, saturated at UInt64.max.
    static func unsigned(_ v: Double) -> UInt64 {
        guard v.isFinite else { return v > 0 ? .max : 0 }
        if v >= 18_446_744_073_709_551_615.0 { return .max }
        return v <= 0 ? 0 : UInt64(v)
    }
}
