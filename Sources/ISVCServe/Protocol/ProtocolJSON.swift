import Foundation

/// JSON for the V1 and V2 protocol bodies, the hot path of every in-process inference.
/// Foundation offers no fit: `JSONSerialization` on Linux misreads about one decimal in five by an
/// ulp (enough to move a feature across a tree's threshold) and was a quarter of a request's CPU
/// writing answers; `JSONDecoder` reads exactly but needs a thrown error per value to discover an
/// untyped document's shape. This reader gives JSONSerialization's shapes ([String: Any], [Any],
/// NSNumber, String, NSNull) with numbers read as Python reads them (`Double(String)` is correctly
/// rounded); the writer prints Doubles as Swift's shortest round-trip form, as Python's repr does.
enum ProtocolJSON {
    struct Failure: Error {
        let message: String
        let offset: Int
        /// The document holds more values than the reader's limits allow (413, not 400).
        var tooLarge = false
    }

    /// Documents nested deeper than this are refused (a V2 tensor needs a handful of levels).
    static let maxDepth = 512

    /// How many values a document may hold: numbers in packed arrays (`maxElements`, the tensor
    /// elements a request may carry), and everything else, each of which costs a boxed value of tens
    /// of bytes (`maxBoxed`).
    struct Limits: Sendable {
        var maxElements: Int
        var maxBoxed: Int

        init(maxElements: Int = ProtocolServer.Limits.defaultMaxTensorElements) {
            self.maxElements = maxElements
            maxBoxed = max(maxElements / 16, 1 << 16)
        }

        static let unlimited = Limits(maxElements: .max)
    }

    // MARK: Reading

    /// A JSON number as an Int when it is a whole number within Int's range; nil for booleans,
    /// fractions and anything out of range. (`Int(someDouble)` and `NSNumber.intValue` trap on a
    /// Double beyond Int's range, such as 1e30 in a request.)
    static func exactInt(_ n: NSNumber) -> Int? {
        switch n.objCType.pointee {
        case CChar(UInt8(ascii: "c")), CChar(UInt8(ascii: "B")): return nil
        case CChar(UInt8(ascii: "d")), CChar(UInt8(ascii: "f")): return Int(exactly: n.doubleValue)
        case CChar(UInt8(ascii: "Q")), CChar(UInt8(ascii: "L")): return Int(exactly: n.uint64Value)
        default: return Int(exactly: n.int64Value)
        }
    }

    static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .unlimited) throws(Failure) -> Any {
        if let parsed = bytes.withContiguousStorageIfAvailable({ (buffer) -> Result<Any, Failure> in
            Result { () throws(Failure) -> Any in try parse(buffer: buffer, limits: limits) }
        }) {
            return try parsed.get()
        }
        return try Array(bytes).withUnsafeBufferPointer { (buffer) throws(Failure) -> Any in try parse(buffer: buffer, limits: limits) }
    }

    /// The value of a whole document. Arrays under the keys `instances`, `inputs` and `data` (V1
    /// rows, V2 tensor data) that are rectangular and hold only numbers (or only booleans; null as
    /// NaN) come back as a `NumericArray`, one Double per element; the rest as JSONSerialization
    /// would give it.
    static func parse(buffer: UnsafeBufferPointer<UInt8>, limits: Limits = .unlimited) throws(Failure) -> Any {
        var reader = Reader(bytes: buffer, limits: limits)
        reader.skipSpace()
        let value = try reader.value(depth: 0, pack: 0)
        reader.skipSpace()
        guard reader.index == buffer.count else { throw reader.fail("unexpected data after the JSON value") }
        return value
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        let limits: Limits
        /// Numbers kept in packed arrays so far, and other values.
        var elements = 0
        var boxed = 0

        init(bytes: UnsafeBufferPointer<UInt8>, limits: Limits) {
            self.bytes = bytes
            self.limits = limits
        }

        func fail(_ message: String) -> Failure { Failure(message: message, offset: index) }

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func expect(_ literal: StaticString) throws(Failure) {
            let count = literal.utf8CodeUnitCount
            guard count <= bytes.count - index else { throw fail("truncated literal") }
            for i in 0..<count where bytes[index + i] != literal.utf8Start[i] { throw fail("invalid literal") }
            index += count
        }

        mutating func countBoxed() throws(Failure) {
            boxed += 1
            guard boxed <= limits.maxBoxed else {
                var f = fail("more than \(limits.maxBoxed) JSON values outside arrays of numbers")
                f.tooLarge = true
                throw f
            }
        }

        /// `pack`: how many levels of arrays from here may be tried as packed numbers (2 under a
        /// tensor key: the array, or each of its rows when the whole is not rectangular). Each try
        /// reads ahead at most once more, so a document is read at most three times.
        mutating func value(depth: Int, pack: Int) throws(Failure) -> Any {
            guard depth < ProtocolJSON.maxDepth else { throw fail("nested deeper than \(ProtocolJSON.maxDepth) levels") }
            guard index < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): try countBoxed(); return try object(depth: depth)
            case UInt8(ascii: "["):
                if pack > 0, let packed = try packedArray(depth: depth) { return packed }
                try countBoxed()
                return try array(depth: depth, pack: max(pack - 1, 0))
            case UInt8(ascii: "\""): try countBoxed(); return try string()
            case UInt8(ascii: "t"): try countBoxed(); try expect("true"); return NSNumber(value: true)
            case UInt8(ascii: "f"): try countBoxed(); try expect("false"); return NSNumber(value: false)
            case UInt8(ascii: "n"): try countBoxed(); try expect("null"); return NSNull()
            default:
                try countBoxed()
                let n = try number()
                if n.integral, let i = n.integer { return NSNumber(value: i) }
                return NSNumber(value: n.value)
            }
        }

        static func packs(_ key: String) -> Bool { key == "data" || key == "instances" || key == "inputs" }

        mutating func object(depth: Int) throws(Failure) -> [String: Any] {
            index += 1
            var out: [String: Any] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return out }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
                let key = try string()
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                index += 1
                skipSpace()
                out[key] = try value(depth: depth + 1, pack: Self.packs(key) ? 2 : 0)
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return out }
                throw fail("expected ',' or '}' in an object")
            }
        }

        mutating func array(depth: Int, pack: Int) throws(Failure) -> [Any] {
            index += 1
            var out: [Any] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return out }
            while true {
                skipSpace()
                out.append(try value(depth: depth + 1, pack: pack))
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return out }
                throw fail("expected ',' or ']' in an array")
            }
        }

        /// The array at `index` as a `NumericArray` when it is rectangular and holds only numbers
        /// (integers within 2^53, so that none loses a digit), or only booleans, and nulls; nil (and
        /// `index` back at the '[') otherwise. Read without recursion. A syntax error, a number out
        /// of range, too deep a nesting or too many elements are errors as in the generic reader.
        mutating func packedArray(depth: Int) throws(Failure) -> NumericArray? {
            let start = index
            // Sized exactly before reading: a growing array would double past a 64 MiB body's worth
            // of Doubles and hold the old and the new buffer at once.
            guard let capacity = scalarCount(from: start) else { return nil }
            guard elements + capacity <= limits.maxElements else {
                var f = fail("more than \(limits.maxElements) tensor elements")
                f.tooLarge = true
                throw f
            }
            var values: [Double] = []
            values.reserveCapacity(capacity)
            var counts: [Int] = []  // elements so far of each open array
            var dims: [Int] = []  // the length of every array at each level, once known (-1: not yet)
            var leafLevel = -1  // the number of dimensions, once known
            var numbers = false, booleans = false, fractions = false, nulls = false
            func rewind(_ reader: inout Reader) -> NumericArray? { reader.index = start; return nil }

            index += 1
            counts.append(0)
            var afterValue = false
            while true {
                skipSpace()
                guard index < bytes.count else { throw fail("unterminated array") }
                let c = bytes[index]
                let level = counts.count - 1
                if afterValue || (c == UInt8(ascii: "]") && counts[level] == 0) {
                    // After an element (or in an empty array): ',' or ']'.
                    if afterValue, c == UInt8(ascii: ",") {
                        index += 1
                        afterValue = false
                        continue
                    }
                    guard c == UInt8(ascii: "]") else { throw fail("expected ',' or ']' in an array") }
                    index += 1
                    let n = counts.removeLast()
                    if n == 0 {
                        // An empty array ends the dimensions at its level.
                        if leafLevel < 0 { leafLevel = level + 1 } else if leafLevel != level + 1 { return rewind(&self) }
                    }
                    while dims.count <= level { dims.append(-1) }
                    if dims[level] < 0 { dims[level] = n } else if dims[level] != n { return rewind(&self) }
                    if counts.isEmpty { break }
                    counts[counts.count - 1] += 1
                    afterValue = true
                    continue
                }
                if c == UInt8(ascii: "[") {
                    guard depth + counts.count < ProtocolJSON.maxDepth else {
                        throw fail("nested deeper than \(ProtocolJSON.maxDepth) levels")
                    }
                    if leafLevel >= 0, counts.count >= leafLevel { return rewind(&self) }
                    index += 1
                    counts.append(0)
                    continue
                }
                // A scalar at depth counts.count.
                if leafLevel < 0 { leafLevel = counts.count } else if leafLevel != counts.count { return rewind(&self) }
                switch c {
                case UInt8(ascii: "t"), UInt8(ascii: "f"):
                    guard !numbers else { return rewind(&self) }
                    booleans = true
                    if c == UInt8(ascii: "t") { try expect("true"); values.append(1) } else { try expect("false"); values.append(0) }
                case UInt8(ascii: "n"):
                    try expect("null")
                    nulls = true
                    values.append(.nan)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard !booleans else { return rewind(&self) }
                    numbers = true
                    let n = try number()
                    if n.integral {
                        guard let i = n.integer, i.magnitude <= 1 << 53 else { return rewind(&self) }
                        values.append(Double(i))
                    } else {
                        fractions = true
                        values.append(n.value)
                    }
                default:
                    return rewind(&self)
                }
                guard elements + values.count <= limits.maxElements else {
                    var f = fail("more than \(limits.maxElements) tensor elements")
                    f.tooLarge = true
                    throw f
                }
                counts[counts.count - 1] += 1
                afterValue = true
            }
            elements += values.count
            let shape = Array(dims.prefix(max(leafLevel, 1)))
            let kind: NumericArray.Kind = booleans ? .booleans : (fractions ? .numbers : .integers)
            return NumericArray(shape: shape, values: values, kind: kind, hasNull: nulls)
        }

        /// A number in JSON's grammar, `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, as Python's
        /// json reads it: `NaN`, `Infinity`, `+1`, `.5`, `1.`, `01` and hex are errors (Double(String)
        /// alone accepts most of them), and so is a number that overflows to infinity, such as 1e400.
        mutating func number() throws(Failure) -> (value: Double, integral: Bool, integer: Int64?) {
            let start = index
            var integral = true
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw fail("invalid value") }
            if bytes[index] == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                integral = false
                index += 1
                guard index < bytes.count, Self.isDigit(bytes[index]) else { throw fail("invalid number: no digit after '.'") }
                skipDigits()
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                integral = false
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index < bytes.count, Self.isDigit(bytes[index]) else { throw fail("invalid number: no digit in the exponent") }
                skipDigits()
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if integral, let i = Int64(text) { return (Double(i), true, i) }
            guard let d = Double(text), d.isFinite else { throw fail("number out of range: \(text.prefix(40))") }
            return (d, integral, nil)
        }

        /// How many scalars the array opening at `start` holds, by a scan that converts nothing;
        /// nil when it holds a string or an object (it cannot be packed) or never closes.
        func scalarCount(from start: Int) -> Int? {
            var depth = 0
            var count = 0
            var inToken = false
            var i = start
            while i < bytes.count {
                let c = bytes[i]
                switch c {
                case UInt8(ascii: "["): depth += 1; inToken = false
                case UInt8(ascii: "]"):
                    depth -= 1
                    inToken = false
                    if depth == 0 { return count }
                case UInt8(ascii: ","), 0x20, 0x0A, 0x0D, 0x09: inToken = false
                case UInt8(ascii: "\""), UInt8(ascii: "{"): return nil
                default:
                    if !inToken { count += 1; inToken = true }
                }
                i += 1
            }
            return nil
        }

        static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        mutating func skipDigits() {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }

        mutating func string() throws(Failure) -> String {
            index += 1
            let start = index
            // Fast path: no escapes.
            while index < bytes.count {
                let c = bytes[index]
                if c == UInt8(ascii: "\"") {
                    let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return s
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw fail("control character in a string") }
                index += 1
            }
            var out = Array(bytes[start..<index])
            while index < bytes.count {
                let c = bytes[index]
                if c == UInt8(ascii: "\"") { index += 1; return String(decoding: out, as: UTF8.self) }
                if c < 0x20 { throw fail("control character in a string") }
                guard c == UInt8(ascii: "\\") else { out.append(c); index += 1; continue }
                index += 1
                guard index < bytes.count else { break }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw fail("invalid escape")
                }
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[index]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw fail("invalid \\u escape")
                }
                v = v << 4 | UInt32(digit)
                index += 1
            }
            return v
        }
    }

    /// A parsed value with every `NumericArray` in it turned back into nested arrays of NSNumber.
    static func unpacked(_ value: Any) -> Any {
        switch value {
        case let packed as NumericArray: return packed.nested()
        case let array as [Any]: return array.map(unpacked)
        case let object as [String: Any]: return object.mapValues(unpacked)
        default: return value
        }
    }

    // MARK: Writing

    /// Objects with sorted keys; Bool, integers, Double (non-finite as null), String, NSNull, arrays.
    static func write(_ value: Any) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let raw as RawJSON:
            out.append(contentsOf: raw.bytes)
        case let packed as NumericArray:
            packed.write(into: &out)
        case let s as String:
            writeString(s, into: &out)
        case let a as [Any]:
            out.append(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(v, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let d as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (i, key) in d.keys.sorted().enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(d[key] as Any, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let n as NSNumber:
            switch n.objCType.pointee {
            case CChar(UInt8(ascii: "c")): out.append(contentsOf: n.boolValue ? Array("true".utf8) : Array("false".utf8))
            case CChar(UInt8(ascii: "d")), CChar(UInt8(ascii: "f")): writeDouble(n.doubleValue, into: &out)
            case CChar(UInt8(ascii: "Q")), CChar(UInt8(ascii: "L")): out.append(contentsOf: Array(String(n.uint64Value).utf8))
            default: out.append(contentsOf: Array(String(n.int64Value).utf8))
            }
        default:
            out.append(contentsOf: Array("null".utf8))
        }
    }

    static func writeDouble(_ d: Double, into out: inout [UInt8]) {
        guard d.isFinite else { out.append(contentsOf: Array("null".utf8)); return }
        out.append(contentsOf: Array(d.description.utf8))
    }

    static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in s.utf8 {
            switch c {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// JSON text written as is (answers built straight into bytes, without a boxed value per element).
struct RawJSON: @unchecked Sendable {
    var bytes: [UInt8]
}

/// A rectangular JSON array of numbers, booleans and nulls, packed: what the reader gives for V1
/// rows and V2 tensor data instead of an `[Any]` of NSNumber (an existential and an object per
/// number, about 50 times the text's size). Null is NaN (JSON has no NaN of its own).
public struct NumericArray: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Whole numbers within 2^53 written without a fraction or exponent.
        case integers
        /// Any other numbers.
        case numbers
        /// true and false, as 1 and 0.
        case booleans
    }

    /// The nesting as read: `[[1, 2], [3, 4]]` is [2, 2].
    public var shape: [Int]
    /// Row-major elements.
    public var values: [Double]
    public var kind: Kind
    public var hasNull: Bool

    public init(shape: [Int], values: [Double], kind: Kind, hasNull: Bool = false) {
        self.shape = shape
        self.values = values
        self.kind = kind
        self.hasNull = hasNull
    }

    /// One element as JSONSerialization would have given it.
    func boxed(_ v: Double) -> Any {
        if v.isNaN { return NSNull() }
        switch kind {
        case .booleans: return NSNumber(value: v != 0)
        case .integers: return Int64(exactly: v).map { NSNumber(value: $0) } ?? NSNumber(value: v)
        case .numbers: return NSNumber(value: v)
        }
    }

    /// The nested arrays JSONSerialization would have given (for models and paths that read `[Any]`).
    public func nested() -> [Any] {
        var offset = 0
        return nested(level: 0, offset: &offset) as? [Any] ?? []
    }

    private func nested(level: Int, offset: inout Int) -> Any {
        guard level < shape.count else {
            defer { offset += 1 }
            return boxed(values[offset])
        }
        var out: [Any] = []
        out.reserveCapacity(shape[level])
        for _ in 0..<shape[level] { out.append(nested(level: level + 1, offset: &offset)) }
        return out
    }

    /// The elements row-major, boxed (what flattening the nested arrays gives).
    func flatBoxed() -> [Any] { values.map(boxed) }

    func write(into out: inout [UInt8]) {
        var offset = 0
        write(level: 0, offset: &offset, into: &out)
    }

    private func write(level: Int, offset: inout Int, into out: inout [UInt8]) {
        guard level < shape.count else {
            let v = values[offset]
            offset += 1
            if v.isNaN { out.append(contentsOf: "null".utf8); return }
            switch kind {
            case .booleans: out.append(contentsOf: v != 0 ? "true".utf8 : "false".utf8)
            case .integers:
                // The reader packs integers within 2^53 only; a NumericArray built elsewhere may hold
                // anything, and Int64(1e300) would trap.
                if let i = Int64(exactly: v) { out.append(contentsOf: String(i).utf8) } else { ProtocolJSON.writeDouble(v, into: &out) }
            case .numbers: ProtocolJSON.writeDouble(v, into: &out)
            }
            return
        }
        out.append(UInt8(ascii: "["))
        for i in 0..<shape[level] {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            write(level: level + 1, offset: &offset, into: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
