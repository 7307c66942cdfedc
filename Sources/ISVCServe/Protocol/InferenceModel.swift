/// A model served in the gateway's process (a native runtime), behind the KServe V1 and Open
/// Inference Protocol (V2) endpoints of `ProtocolServer`.
public protocol InferenceModel: Sendable {
    var name: String { get }
    var ready: Bool { get }
    /// V2 model metadata: the tensors the model takes and returns (`-1` = any size).
    var inputs: [TensorMetadata] { get }
    var outputs: [TensorMetadata] { get }
    /// V1 `:predict`: `instances` (or `inputs`) rows in, `predictions` out.
    func predict(instances: [Any]) throws(ProtocolError) -> [Any]
    /// V1 `:predict` when `instances` is a rectangular array of numbers, as the reader packs it
    /// (one Double per element): the `predictions` value. The default unpacks the rows and calls
    /// `predict(instances:)`.
    func predict(rows: NumericArray) throws(ProtocolError) -> Any
    /// V2 `infer`: input tensors in, output tensors out.
    func infer(_ inputs: consuming [Tensor]) throws(ProtocolError) -> [Tensor]
}

extension InferenceModel {
    public func predict(rows: NumericArray) throws(ProtocolError) -> Any {
        try predict(instances: rows.nested())
    }
}

public struct TensorMetadata: Sendable, Equatable {
    public var name: String
    public var datatype: String
    public var shape: [Int]

    public init(name: String, datatype: String, shape: [Int]) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
    }
}

/// An error with its HTTP status, answered as `{"error": "..."}` (reference protocol.md §10).
public enum ProtocolError: Error, Sendable, Equatable {
    /// 400: bad JSON, shape, datatype, or input the model rejects (KServe's InvalidInput).
    case badRequest(String)
    /// 404: no model of that name.
    case unknownModel(String)
    /// 503: the model is not ready.
    case notReady(String)
    /// 500: the model failed (KServe's InferenceError).
    case internalError(String)
    /// 501: not supported (model versions, `:explain` without an explainer).
    case notImplemented(String)
    /// 413: the request carries more than the server takes (`--max-tensor-elements`).
    case tooLarge(String)

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .unknownModel: 404
        case .notReady: 503
        case .internalError: 500
        case .notImplemented: 501
        case .tooLarge: 413
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let m), .internalError(let m), .notImplemented(let m), .tooLarge(let m): m
        case .unknownModel(let name): "Model with name \(name) does not exist."
        case .notReady(let name): "Model with name \(name) is not ready."
        }
    }
}
