/// A JSON value as Go's `encoding/json` holds an `interface{}` it decoded, and writes it back: the
/// InferenceGraph router and the agent's batcher re-encode what they decode (`mapPredictionsToInstances`,
/// the Ensemble merge, a batch's instances and predictions), so their output bytes are Go's, not the
/// model's: numbers become float64 in Go's shortest form (`1.0` → `1`, `1e-7`, `1e+21`,
/// `1152921504606846976` → `1152921504606847000`), object keys are sorted by bytes with the last
/// duplicate kept, strings are re-escaped (`<` → `\u003c`, invalid UTF-8 → U+FFFD).
public indirect enum GoJSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    /// UTF-8 bytes after unescaping (always valid UTF-8: Go replaces bad bytes with U+FFFD).
    case string([UInt8])
    case array([GoJSONValue])
    /// A Go map: keys unique (the last duplicate won), written sorted.
    case object([[UInt8]: GoJSONValue])

    /// What `json.Unmarshal` reports: its syntax messages and its "cannot unmarshal" ones, in Go's words.
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }

        public init(message: String) { self.message = message }
    }

    // MARK: Decoding

    /// Decodes one valid JSON text (check it with `GoJSONScanner` first: this does not report syntax).
    /// Numbers out of float64's range are reported as Go reports them, after the rest is decoded.
    public static func decode(validJSON bytes: [UInt8]) -> (value: GoJSONValue, error: DecodeError?) {
        var reader = Reader(bytes: bytes)
        let value = reader.value()
        return (value, reader.error)
    }

    /// `json.Unmarshal(body, &map[string]interface{})`: the value is nil for a `null` body; an error is
    /// Go's syntax message or its "cannot unmarshal" one.
    public static func decodeObject(_ body: [UInt8]) -> Result<GoJSONValue, DecodeError> {
        if let syntax = GoJSONScanner.firstError(body) { return .failure(DecodeError(message: syntax.message)) }
        let (value, error) = decode(validJSON: body)
        switch value {
        case .object, .null:
            if let error { return .failure(error) }
            return .success(value)
        default: return .failure(DecodeError(message: "json: cannot unmarshal \(value.kind) into Go value of type map[string]interface {}"))
        }
    }

    /// The kind Go names in "cannot unmarshal <kind>" messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Reads valid JSON text (the scanner has checked it), without recursion.
    struct Reader {
        let bytes: [UInt8]
        var index = 0
        var error: DecodeError?
        /// Where a number that overflows float64 was going, as Go's message says it.
        var numberTarget = "Go value of type float64"

        init(bytes: [UInt8]) { self.bytes = bytes }

        private enum Frame {
            case array([GoJSONValue])
            case object([[UInt8]: GoJSONValue], key: [UInt8])
        }

        static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

        mutating func skipSpace() {
            while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        }

        /// The next value, without recursion (the scanner allows 10 000 levels).
        mutating func value() -> GoJSONValue {
            var frames: [Frame] = []
            while true {
                skipSpace()
                guard index < bytes.count else { return .null }
                var done: GoJSONValue
                switch bytes[index] {
                case UInt8(ascii: "{"):
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                        index += 1
                        done = .object([:])
                    } else {
                        frames.append(.object([:], key: key()))
                        continue
                    }
                case UInt8(ascii: "["):
                    index += 1
                    skipSpace()
                    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                        index += 1
                        done = .array([])
                    } else {
                        frames.append(.array([]))
                        continue
                    }
                case UInt8(ascii: "\""): done = .string(string())
                case UInt8(ascii: "t"): index += 4; done = .bool(true)
                case UInt8(ascii: "f"): index += 5; done = .bool(false)
                case UInt8(ascii: "n"): index += 4; done = .null
                default: done = number()
                }
                // Close every container this value completes.
                while true {
                    guard let frame = frames.popLast() else { return done }
                    skipSpace()
                    let more = index < bytes.count && bytes[index] == UInt8(ascii: ",")
                    index += 1
                    switch frame {
                    case .array(var items):
                        items.append(done)
                        if more {
                            frames.append(.array(items))
                        } else {
                            done = .array(items)
                            continue
                        }
                    case .object(var members, let key):
                        members[key] = done
                        if more {
                            skipSpace()
                            frames.append(.object(members, key: self.key()))
                        } else {
                            done = .object(members)
                            continue
                        }
                    }
                    break
                }
            }
        }

        /// Passes over the next value without decoding it (so without its number errors, as Go's
        /// decoder skips a field its struct does not have).
        mutating func skipValue() {
            var depth = 0
            repeat {
                skipSpace()
                guard index < bytes.count else { return }
                switch bytes[index] {
                case UInt8(ascii: "\""): index = stringEnd(from: index)
                case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1; index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1; index += 1
                case UInt8(ascii: ","), UInt8(ascii: ":"): index += 1
                default:
                    while index < bytes.count, !Self.isSpace(bytes[index]),
                        ![UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}")].contains(bytes[index])
                    {
                        index += 1
                    }
                }
            } while depth > 0
        }

        /// An object key and its colon.
        mutating func key() -> [UInt8] {
            skipSpace()
            let k = string()
            skipSpace()
            index += 1  // ':'
            return k
        }

        /// The index after the string that starts at `start` (its opening quote).
        func stringEnd(from start: Int) -> Int {
            var end = start + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            return min(end + 1, bytes.count)
        }

        mutating func string() -> [UInt8] {
            let start = index + 1
            var end = start
            var escaped = false
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") {
                    escaped = true
                    end += 1
                }
                end += 1
            }
            index = min(end + 1, bytes.count)
            return GoJSONValue.unquote(bytes[start..<min(end, bytes.count)], escaped: escaped)
        }

        mutating func number() -> GoJSONValue {
            let start = index
            while index < bytes.count, Self.numberByte(bytes[index]) { index += 1 }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            let value = Double(text) ?? 0
            if value.isInfinite, error == nil {
                error = DecodeError(message: "json: cannot unmarshal number \(text) into \(numberTarget)")
            }
            return .number(value)
        }

        static func numberByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
        }
    }
}
