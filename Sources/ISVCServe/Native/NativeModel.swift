import Foundation
import ISVCModels

/// A model of KServe's sklearn, xgboost or lightgbm server answered in process: the V1 and V2
/// requests become a feature matrix as the Python server's `get_predict_input` makes it, the
/// prediction becomes the answer `get_predict_response` gives (`predictions`, or one `output-0`).
public struct NativeModel: InferenceModel {
    public let name: String
    public let model: ServedModel
    public var ready: Bool { true }

    public init(name: String, model: ServedModel) {
        self.name = name
        self.model = model
    }

    /// Inputs as the runtime computes: XGBoost works in Float32, scikit-learn and LightGBM in Float64.
    public var inputs: [TensorMetadata] {
        [
            TensorMetadata(
                name: "input-0", datatype: model.kind == .xgboost ? "FP32" : "FP64",
                shape: [-1, model.estimator.featureCount ?? -1])
        ]
    }

    public var outputs: [TensorMetadata] {
        [TensorMetadata(name: "output-0", datatype: model.outputDatatype ?? "FP64", shape: [-1] + (model.outputRowShape ?? []))]
    }

    public func predict(instances: [Any]) throws(ProtocolError) -> [Any] {
        let x = try Self.matrix(rows: instances)
        return try Self.nested(run(x))
    }

    /// V1 rows read packed: the matrix is the reader's own array of Doubles, and the predictions
    /// are written straight into JSON text.
    public func predict(rows: NumericArray) throws(ProtocolError) -> Any {
        guard rows.shape.count == 2 else { return try predict(instances: rows.nested()) }
        let x = Matrix(rows: rows.shape[0], columns: rows.shape[1], values: rows.values)
        return Self.json(try run(x))
    }

    public func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor] {
        // KServe reads the first input only. The inputs are this call's own: the input's numbers are
        // taken out of it, so they are let go once predicted, before the answer's tensor is made.
        var inputs = inputs
        guard !inputs.isEmpty else { throw .badRequest("the request has no inputs") }
        var input = inputs.removeFirst()
        inputs = []
        let data = input.data
        input.data = .numbers([])
        guard case .numbers(var values) = consume data else {
            throw .internalError("input \(input.name): \(input.datatype) data cannot be fed to a \(model.kind.rawValue) model")
        }
        guard input.shape.count == 2 else {
            throw .internalError("Expected 2D array, got \(input.shape.count)D array instead: input \(input.name) has shape \(input.shape)")
        }
        // The protocol layer checked the shape against the data; a model is handed nothing else
        // (Matrix's own check multiplies unchecked).
        let (cells, overflow) = input.shape[0].multipliedReportingOverflow(by: input.shape[1])
        guard input.shape[0] >= 0, input.shape[1] >= 0, !overflow, cells == values.count else {
            throw .badRequest("input \(input.name): shape \(input.shape) does not hold its \(values.count) elements")
        }
        // as_numpy() keeps the request's precision: FP32 values reach the model rounded to Float32.
        // (The protocol layer's decoders round them already; a copy is made only for a tensor built elsewhere.)
        if ["FP32", "FP16", "BF16"].contains(input.datatype), values.contains(where: { Double(Float($0)) != $0 && !$0.isNaN }) {
            for i in values.indices { values[i] = Double(Float(values[i])) }
        }
        let prediction = try run(Matrix(rows: input.shape[0], columns: input.shape[1], values: consume values))
        return [Self.tensor(prediction)]
    }

    func run(_ x: Matrix) throws(ProtocolError) -> Prediction {
        do { return try model.predict(x) } catch {
            // KServe answers a model's exception as an InferenceError: 500 with the message.
            throw .internalError(error.description)
        }
    }

    /// V1 `instances`: a list of rows of numbers (numpy would make a 2-D float array of them).
    static func matrix(rows instances: [Any]) throws(ProtocolError) -> Matrix {
        var values: [Double] = []
        var columns = -1
        // Rows first, then one allocation for exactly the cells the request holds: reserving
        // rows x (row 0's length) up front let a long first row and many short ones ask for petabytes.
        for (i, row) in instances.enumerated() {
            guard let cells = row as? [Any] else {
                throw .internalError("Expected 2D array, got 1D array instead: instance \(i) is not a list of features")
            }
            if columns < 0 { columns = cells.count }
            guard cells.count == columns else {
                throw .internalError(
                    "setting an array element with a sequence. The requested array has an inhomogeneous shape "
                        + "after 1 dimensions. instance \(i) has \(cells.count) features, instance 0 has \(columns)")
            }
        }
        values.reserveCapacity(instances.count * max(columns, 0))
        for (i, row) in instances.enumerated() {
            let cells = row as! [Any]
            for cell in cells {
                if let n = cell as? NSNumber, !(cell is String) {
                    values.append(n.doubleValue)
                } else if cell is NSNull {
                    values.append(.nan)
                } else {
                    throw .internalError("could not convert \(cell) to float: instance \(i) has a value that is not a number")
                }
            }
        }
        return Matrix(rows: instances.count, columns: max(columns, 0), values: values)
    }

    /// V1 `predictions`: `result.tolist()`.
    static func nested(_ p: Prediction) -> [Any] {
        let flat: [Any]
        switch p.values {
        case .int64(let v): flat = v.map { NSNumber(value: $0) }
        case .float32(let v): flat = v.map { NSNumber(value: Double($0)) }
        case .float64(let v): flat = v.map { NSNumber(value: $0) }
        case .string(let v): flat = v
        case .bool(let v): flat = v.map { NSNumber(value: $0) }
        }
        guard p.shape.count == 2, p.shape[1] > 0 else { return flat }
        let k = p.shape[1]
        return stride(from: 0, to: flat.count, by: k).map { Array(flat[$0..<($0 + k)]) }
    }

    /// V1 `predictions` as JSON text: `result.tolist()` without a boxed value per element.
    static func json(_ p: Prediction) -> RawJSON {
        var out: [UInt8] = []
        let count: Int
        switch p.values {
        case .int64(let v): count = v.count
        case .float32(let v): count = v.count
        case .float64(let v): count = v.count
        case .string(let v): count = v.count
        case .bool(let v): count = v.count
        }
        out.reserveCapacity(count * 4 + 2)
        let k = p.shape.count == 2 && p.shape[1] > 0 ? p.shape[1] : 0
        out.append(UInt8(ascii: "["))
        for i in 0..<count {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if k > 0, i % k == 0 { out.append(UInt8(ascii: "[")) }
            switch p.values {
            case .int64(let v): out.append(contentsOf: String(v[i]).utf8)
            case .float32(let v): ProtocolJSON.writeDouble(Double(v[i]), into: &out)
            case .float64(let v): ProtocolJSON.writeDouble(v[i], into: &out)
            case .string(let v): ProtocolJSON.writeString(v[i], into: &out)
            case .bool(let v): out.append(contentsOf: v[i] ? "true".utf8 : "false".utf8)
            }
            if k > 0, i % k == k - 1 { out.append(UInt8(ascii: "]")) }
        }
        out.append(UInt8(ascii: "]"))
        return RawJSON(bytes: out)
    }

    /// V2 `output-0`.
    static func tensor(_ p: Prediction) -> Tensor {
        let data: Tensor.Data
        switch p.values {
        case .int64(let v): data = .numbers(v.map(Double.init))
        case .float32(let v): data = .numbers(v.map(Double.init))
        case .float64(let v): data = .numbers(v)
        case .bool(let v): data = .numbers(v.map { $0 ? 1 : 0 })
        case .string(let v): data = .bytes(v.map { Array($0.utf8) })
        }
        return Tensor(name: "output-0", datatype: p.datatype, shape: p.shape, data: data)
    }
}
