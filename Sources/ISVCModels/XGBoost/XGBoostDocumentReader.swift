/// What the JSON and the UBJSON model readers share: the bytes, where they are in them, the file
/// their errors name, how deep a document may nest, and that a file is one document with nothing
/// after it. Each reader says only how its format reads a value.
protocol XGBoostDocumentReader {
    /// The format as error messages name it ("JSON", "UBJSON").
    static var formatName: String { get }
    var bytes: [UInt8] { get }
    var position: Int { get }
    var file: String { get }
    /// The memberwise initialiser of a reader whose `position` starts at 0.
    init(bytes: [UInt8], position: Int, file: String)
    /// The top-level value, and what the format allows after it (JSON: white space).
    mutating func document() throws(ModelError) -> XGBoostValue
}

extension XGBoostDocumentReader {
    /// A bound on nesting, so that a hostile file cannot exhaust the stack (XGBoost's own documents
    /// nest a handful of levels).
    static var maximumDepth: Int { 64 }

    static func read(_ bytes: [UInt8], file: String) throws(ModelError) -> XGBoostValue {
        var reader = Self(bytes: bytes, position: 0, file: file)
        let value = try reader.document()
        if reader.position != bytes.count { throw reader.error("unexpected data after the top-level value") }
        return value
    }

    func error(_ reason: String) -> ModelError {
        .corrupt(file: file, reason: "invalid \(Self.formatName) at byte \(position): \(reason)")
    }
}
