/// Reads a model saved as UBJSON (`Booster.save_model("model.ubj")`, and `.bst` from xgboost >= 3)
/// into an `XGBoostValue`.
///
/// Follows the UBJSON spec (ubjson.org, draft 12) and XGBoost's writer (src/common/json.cc):
/// numbers are big-endian; containers may be optimized with a count (`#`) and a type (`$`);
/// XGBoost writes float32 (`d`) for reals and typed arrays `[$d#L…`, `[$l#L…`, `[$U#L…` for tree
/// fields. Every count and length is bounded by the bytes left, so a hostile file cannot make the
/// reader allocate more than the file's size.
struct XGBoostUBJSONReader: XGBoostDocumentReader {
    static let formatName = "UBJSON"
    let bytes: [UInt8]
    var position = 0
    let file: String

    mutating func document() throws(ModelError) -> XGBoostValue {
        try value(marker: try marker(), depth: 0)
    }

    private var remaining: Int { bytes.count - position }

    // MARK: primitives

    private mutating func byte() throws(ModelError) -> UInt8 {
        guard position < bytes.count else { throw error("unexpected end of file (truncated?)") }
        defer { position += 1 }
        return bytes[position]
    }

    /// The next type marker, skipping `N` (no-op) markers.
    private mutating func marker() throws(ModelError) -> UInt8 {
        var m = try byte()
        while m == UInt8(ascii: "N") { m = try byte() }
        return m
    }

    /// `size` bytes as a big-endian unsigned integer.
    private mutating func bigEndian(_ size: Int) throws(ModelError) -> UInt64 {
        guard remaining >= size else { throw error("unexpected end of file (truncated?)") }
        var v: UInt64 = 0
        for i in 0..<size { v = v << 8 | UInt64(bytes[position + i]) }
        position += size
        return v
    }

    /// An integer of the given marker's type, or nil when the marker is not an integer type.
    private mutating func integer(marker: UInt8) throws(ModelError) -> Int64? {
        switch marker {
        case UInt8(ascii: "i"): return Int64(Int8(truncatingIfNeeded: try bigEndian(1)))
        case UInt8(ascii: "U"): return Int64(try bigEndian(1))
        case UInt8(ascii: "I"): return Int64(Int16(truncatingIfNeeded: try bigEndian(2)))
        case UInt8(ascii: "l"): return Int64(Int32(truncatingIfNeeded: try bigEndian(4)))
        case UInt8(ascii: "L"): return Int64(bitPattern: try bigEndian(8))
        default: return nil
        }
    }

    /// A count or length: an integer with its own marker, at most what the bytes after it can
    /// hold when each element takes at least `bytesEach` bytes.
    private mutating func length(bytesEach: Int, what: String) throws(ModelError) -> Int {
        let m = try marker()
        guard let n = try integer(marker: m) else {
            throw error("expected an integer \(what), found marker '\(Self.describe(m))'")
        }
        let limit = remaining / bytesEach
        guard n >= 0, n <= Int64(limit) else {
            throw error("\(what) \(n) exceeds the \(limit) possible from the remaining bytes (truncated?)")
        }
        return Int(n)
    }

    /// A string's bytes after its marker: a length then UTF-8 bytes (also object keys).
    private mutating func stringBody() throws(ModelError) -> String {
        let n = try length(bytesEach: 1, what: "string length")
        defer { position += n }
        return String(decoding: bytes[position..<(position + n)], as: UTF8.self)
    }

    /// Payload bytes per element of a typed container, nil for markers that cannot be a type.
    private static func payloadSize(_ m: UInt8) -> Int? {
        switch m {
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "C"): 1
        case UInt8(ascii: "I"): 2
        case UInt8(ascii: "l"), UInt8(ascii: "d"): 4
        case UInt8(ascii: "L"), UInt8(ascii: "D"): 8
        case UInt8(ascii: "Z"), UInt8(ascii: "T"), UInt8(ascii: "F"): 0
        case UInt8(ascii: "S"), UInt8(ascii: "H"), UInt8(ascii: "["), UInt8(ascii: "{"): 1  // at least
        default: nil
        }
    }

    private static func describe(_ m: UInt8) -> String {
        (0x21...0x7E).contains(m) ? String(Unicode.Scalar(m)) : "0x" + String(m, radix: 16)
    }

    // MARK: values

    private mutating func value(marker m: UInt8, depth: Int) throws(ModelError) -> XGBoostValue {
        switch m {
        case UInt8(ascii: "Z"): return .null
        case UInt8(ascii: "T"): return .bool(true)
        case UInt8(ascii: "F"): return .bool(false)
        case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
            return .integer(try integer(marker: m) ?? 0)
        case UInt8(ascii: "C"): return .integer(Int64(try bigEndian(1)))
        case UInt8(ascii: "d"): return .float(Float(bitPattern: UInt32(truncatingIfNeeded: try bigEndian(4))))
        case UInt8(ascii: "D"): return .double(Double(bitPattern: try bigEndian(8)))
        case UInt8(ascii: "S"): return .string(try stringBody())
        case UInt8(ascii: "H"):
            let text = try stringBody()
            guard let v = Double(text) else { throw error("invalid high-precision number '\(text.prefix(40))'") }
            return .double(v)
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth) levels") }
            return m == UInt8(ascii: "[") ? try array(depth: depth) : try object(depth: depth)
        default:
            throw error("unknown type marker '\(Self.describe(m))'")
        }
    }

    /// The optional `$type` and `#count` after a container's opening marker. A container with a
    /// type must have a count; the count is bounded by the bytes its elements need at least.
    private mutating func containerHeader(keyed: Bool) throws(ModelError) -> (type: UInt8?, count: Int?) {
        guard position < bytes.count else { throw error("unexpected end of file (truncated?)") }
        var type: UInt8?
        if bytes[position] == UInt8(ascii: "$") {
            position += 1
            let t = try byte()
            guard Self.payloadSize(t) != nil else { throw error("invalid container type '\(Self.describe(t))'") }
            type = t
            guard position < bytes.count, bytes[position] == UInt8(ascii: "#") else {
                throw error("a typed container needs a count ('#')")
            }
        }
        guard position < bytes.count, bytes[position] == UInt8(ascii: "#") else { return (nil, nil) }
        position += 1
        // Each element takes at least its payload (one byte, its marker, when untyped) and each
        // key of an object at least two bytes; elements of zero-size types (Z, T, F) in an array
        // are bounded by one byte each as well.
        let payload = type.flatMap(Self.payloadSize) ?? 1
        let perElement = keyed ? 2 + payload : max(1, payload)
        let count = try length(bytesEach: perElement, what: "count")
        return (type, count)
    }

    private mutating func array(depth: Int) throws(ModelError) -> XGBoostValue {
        let (type, count) = try containerHeader(keyed: false)
        if let type, let count {
            switch type {
            case UInt8(ascii: "d"):
                var out = [Float](repeating: 0, count: count)
                for i in 0..<count { out[i] = Float(bitPattern: UInt32(truncatingIfNeeded: try bigEndian(4))) }
                return .floats(out)
            case UInt8(ascii: "i"), UInt8(ascii: "U"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"):
                var out = [Int64](repeating: 0, count: count)
                for i in 0..<count { out[i] = try integer(marker: type) ?? 0 }
                return .integers(out)
            default:
                var out: [XGBoostValue] = []
                out.reserveCapacity(count)
                for _ in 0..<count { out.append(try value(marker: type, depth: depth + 1)) }
                return .array(out)
            }
        }
        var out: [XGBoostValue] = []
        if let count {
            out.reserveCapacity(count)
            for _ in 0..<count { out.append(try value(marker: try marker(), depth: depth + 1)) }
        } else {
            while true {
                let m = try marker()
                if m == UInt8(ascii: "]") { break }
                out.append(try value(marker: m, depth: depth + 1))
            }
        }
        return .packed(out)
    }

    private mutating func object(depth: Int) throws(ModelError) -> XGBoostValue {
        let (type, count) = try containerHeader(keyed: true)
        var members: [String: XGBoostValue] = [:]
        func add(_ key: String, _ member: XGBoostValue) {
            if members[key] == nil { members[key] = member }  // XGBoost keeps the first of duplicates
        }
        if let count {
            for _ in 0..<count {
                let key = try stringBody()
                let m: UInt8
                if let type { m = type } else { m = try marker() }
                add(key, try value(marker: m, depth: depth + 1))
            }
        } else {
            while true {
                guard position < bytes.count else { throw error("unexpected end of file (truncated?)") }
                if bytes[position] == UInt8(ascii: "N") { position += 1; continue }
                if bytes[position] == UInt8(ascii: "}") { position += 1; break }
                let key = try stringBody()
                add(key, try value(marker: try marker(), depth: depth + 1))
            }
        }
        return .object(members)
    }
}
