/// A read cursor over a pickle stream. Every read checks the remaining bytes first, so a length from the
/// file never allocates more than the file holds; running out is `ModelError.corrupt` naming the byte
/// offset and the opcode being read.
struct PickleInput {
    let bytes: [UInt8]
    let file: String
    private(set) var position = 0
    /// What is being decoded and where it started, for error messages
    /// ("truncated at byte 812 in BINUNICODE (started at byte 807): needs 40 bytes, 12 left").
    var context = "the pickle header"
    var contextStart = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - position }

    func corrupt(_ reason: String) -> ModelError {
        .corrupt(file: file, reason: reason)
    }

    func truncated(needing count: Int) -> ModelError {
        truncated("needs \(count) bytes, \(remaining) left")
    }

    func truncated(_ detail: String) -> ModelError {
        corrupt("truncated at byte \(position) in \(context) (started at byte \(contextStart)): \(detail)")
    }

    mutating func byte() throws(ModelError) -> UInt8 {
        guard position < bytes.count else { throw truncated(needing: 1) }
        defer { position += 1 }
        return bytes[position]
    }

    /// The range of the next `count` bytes, consumed; the length is validated before anything is allocated.
    mutating func take(_ count: Int) throws(ModelError) -> Range<Int> {
        guard count >= 0, count <= remaining else { throw truncated(needing: count) }
        defer { position += count }
        return position..<(position + count)
    }

    /// A length read as an unsigned 64-bit number, validated against the remaining bytes.
    mutating func take(length: UInt64) throws(ModelError) -> Range<Int> {
        guard length <= UInt64(remaining) else {
            throw truncated("a length of \(length) bytes, \(remaining) left")
        }
        return try take(Int(length))
    }

    mutating func read(_ count: Int) throws(ModelError) -> ArraySlice<UInt8> {
        let range = try take(count)
        return bytes[range]
    }

    mutating func read(length: UInt64) throws(ModelError) -> ArraySlice<UInt8> {
        let range = try take(length: length)
        return bytes[range]
    }

    mutating func skip(_ count: Int) throws(ModelError) {
        _ = try take(count)
    }

    /// A little-endian unsigned integer of `count` (1...8) bytes.
    mutating func unsignedLE(_ count: Int) throws(ModelError) -> UInt64 {
        let range = try take(count)
        var value: UInt64 = 0
        for index in range.reversed() { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    mutating func int32LE() throws(ModelError) -> Int64 {
        Int64(Int32(truncatingIfNeeded: try unsignedLE(4)))
    }

    /// BINFLOAT: an IEEE 754 double, big-endian.
    mutating func float64BE() throws(ModelError) -> Double {
        let range = try take(8)
        var bits: UInt64 = 0
        for index in range { bits = bits << 8 | UInt64(bytes[index]) }
        return Double(bitPattern: bits)
    }

    /// The bytes up to the next newline (consumed, not included), for protocol 0's text arguments.
    mutating func line() throws(ModelError) -> ArraySlice<UInt8> {
        guard let end = bytes[position...].firstIndex(of: 0x0A) else {
            throw truncated("no end of line")
        }
        defer { position = end + 1 }
        return bytes[position..<end]
    }

    /// Text of a protocol 0 line, for GLOBAL names, numbers and memo keys.
    mutating func lineString() throws(ModelError) -> String {
        String(decoding: try line(), as: UTF8.self)
    }
}
