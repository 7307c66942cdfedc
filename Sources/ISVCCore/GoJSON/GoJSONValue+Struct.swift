extension GoJSONValue {
    /// `json.Unmarshal(body, &s)` where `s` is a Go struct whose fields are all `[]interface{}`, such
    /// as KServe's batcher `Request` (`instances`) and `PredictionResponse` (`predictions`): keys are
    /// matched to fields as Go matches them (exactly, else case-insensitively), the last duplicate
    /// wins, `null` empties a field, and members of no field are skipped unread (a number there that
    /// overflows float64 is no error). The error is Go's first: a syntax error, a top-level value that
    /// is not an object, a field that is not an array, or a number out of float64's range in a field.
    ///
    /// - Parameters:
    ///   - type: the struct's type as Go names it in messages (`batcher.PredictionResponse`).
    ///   - arrayFields: the fields' JSON names.
    /// - Returns: each field's elements; a field that was absent or `null` is left out.
    public static func decodeStruct(_ body: [UInt8], type: String, arrayFields: [String]) -> Result<[String: [GoJSONValue]], DecodeError> {
        if let syntax = GoJSONScanner.firstError(body) { return .failure(DecodeError(message: syntax.message)) }
        var reader = Reader(bytes: body)
        reader.skipSpace()
        switch body[reader.index] {
        case UInt8(ascii: "n"): return .success([:])
        case UInt8(ascii: "{"): reader.index += 1
        default:
            return .failure(DecodeError(message: "json: cannot unmarshal \(kind(of: body[reader.index])) into Go value of type \(type)"))
        }
        let structName = type.split(separator: ".").last.map(String.init) ?? type
        let byFoldedName = Dictionary(arrayFields.map { (foldedFieldName(Array($0.utf8)), $0) }, uniquingKeysWith: { first, _ in first })
        var fields: [String: [GoJSONValue]] = [:]
        while true {
            reader.skipSpace()
            guard reader.index < body.count, body[reader.index] == UInt8(ascii: "\"") else { break }
            let key = reader.key()
            reader.skipSpace()
            if let name = byFoldedName[foldedFieldName(key)] {
                let field = "Go struct field \(structName).\(name) of type"
                switch body[reader.index] {
                case UInt8(ascii: "n"):
                    reader.index += 4
                    fields[name] = nil
                case UInt8(ascii: "["):
                    reader.numberTarget = field + " float64"
                    if case .array(let items) = reader.value() { fields[name] = items }
                default:
                    if reader.error == nil {
                        reader.error = DecodeError(
                            message: "json: cannot unmarshal \(kind(of: body[reader.index])) into \(field) []interface {}")
                    }
                    reader.skipValue()
                }
            } else {
                reader.skipValue()
            }
            reader.skipSpace()
            if reader.index < body.count, body[reader.index] == UInt8(ascii: ",") { reader.index += 1 }
        }
        if let error = reader.error { return .failure(error) }
        return .success(fields)
    }

    /// The kind of value that starts with `c`, as Go's "cannot unmarshal" messages name it.
    private static func kind(of c: UInt8) -> String {
        switch c {
        case UInt8(ascii: "{"): "object"
        case UInt8(ascii: "["): "array"
        case UInt8(ascii: "\""): "string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): "bool"
        case UInt8(ascii: "n"): "null"
        default: "number"
        }
    }

    /// A key folded as Go's decoder folds names to find a struct field (`foldName`): ASCII letters
    /// upper-cased, and each other rune the smallest of its case-fold set; for the ASCII names of
    /// fields only `ſ` (as S) and the Kelvin sign (as K) fold into ASCII, so the rest stay as they are.
    static func foldedFieldName(_ key: [UInt8]) -> String {
        var out = ""
        for scalar in String(decoding: key, as: UTF8.self).unicodeScalars {
            switch scalar.value {
            case 0x61...0x7A: out.unicodeScalars.append(UnicodeScalar(scalar.value - 0x20)!)
            case 0x17F: out += "S"
            case 0x212A: out += "K"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
