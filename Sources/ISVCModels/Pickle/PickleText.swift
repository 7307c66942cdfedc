/// Text and integer encodings used by pickles: latin-1, protocol 0's quoted strings and decimal longs,
/// and the little-endian two's-complement bytes of LONG1/LONG4.
enum PickleText {
    /// Python's `str.encode("latin-1")`: nil when a character is above U+00FF.
    static func latin1(_ string: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(string.unicodeScalars.count)
        for scalar in string.unicodeScalars {
            guard scalar.value < 256 else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    /// `bytes.decode("latin-1")`.
    static func latin1String<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var out = String.UnicodeScalarView()
        for byte in bytes { out.append(Unicode.Scalar(byte)) }
        return String(out)
    }

    /// LONG1 / LONG4 payload: little-endian two's complement. `.int` when it fits Int64.
    static func long(_ bytes: ArraySlice<UInt8>) -> PickleValue {
        guard let last = bytes.last else { return .int(0) }
        let negative = last & 0x80 != 0
        let fill: UInt8 = negative ? 0xFF : 0x00
        // Fits Int64 when every byte above the 8th is sign fill and the 8th agrees with the sign.
        let fits =
            bytes.count <= 8
            || (bytes.dropFirst(8).allSatisfy { $0 == fill }
                && (bytes[bytes.startIndex + 7] & 0x80 != 0) == negative)
        guard fits else { return .bigInt(Array(bytes)) }
        var value: UInt64 = negative ? ~0 : 0
        for (shift, byte) in bytes.prefix(8).enumerated() {
            value &= ~(UInt64(0xFF) << (8 * shift))
            value |= UInt64(byte) << (8 * shift)
        }
        return .int(Int64(bitPattern: value))
    }

    /// Protocol 0's INT and LONG argument: optional sign, decimal digits, optional trailing "L".
    /// nil when malformed or longer than Python's own 4300-digit limit.
    static func decimal(_ text: String) -> PickleValue? {
        var digits = trimmed(text)
        if digits.hasSuffix("L") { digits = digits.dropLast() }
        var negative = false
        if let first = digits.first, first == "-" || first == "+" {
            negative = first == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 4300, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if let small = Int64((negative ? "-" : "") + digits) { return .int(small) }
        // Magnitude in 32-bit limbs, little-endian.
        var limbs: [UInt32] = [0]
        for character in digits.utf8 {
            var carry = UInt64(character - 0x30)
            for index in limbs.indices {
                let product = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: product)
                carry = product >> 32
            }
            if carry != 0 { limbs.append(UInt32(carry)) }
        }
        var bytes: [UInt8] = limbs.flatMap { limb in (0..<4).map { UInt8(truncatingIfNeeded: limb >> (8 * $0)) } }
        bytes.append(0)  // room for the sign bit
        if negative {
            var carry = true
            for index in bytes.indices {
                let (sum, overflow) = (~bytes[index]).addingReportingOverflow(carry ? 1 : 0)
                bytes[index] = sum
                carry = carry && overflow
            }
        }
        // Drop redundant sign bytes, as Python's encode_long does.
        while bytes.count > 1, let last = bytes.last, last == 0x00 || last == 0xFF,
            (bytes[bytes.count - 2] & 0x80 != 0) == (last == 0xFF)
        {
            bytes.removeLast()
        }
        return .bigInt(bytes)
    }

    /// Protocol 0's STRING argument: a Python 2 `repr` of a byte string (quoted, backslash escapes).
    static func quotedBytes(_ line: ArraySlice<UInt8>) -> [UInt8]? {
        guard line.count >= 2, let quote = line.first, quote == 0x27 || quote == 0x22, line.last == quote else { return nil }
        let body = Array(line.dropFirst().dropLast())
        var out: [UInt8] = []
        var index = 0
        while index < body.count {
            let byte = body[index]
            index += 1
            guard byte == 0x5C, index < body.count else { out.append(byte); continue }
            let escape = body[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "v"): out.append(0x0B)
            case 0x5C, 0x27, 0x22: out.append(escape)
            case 0x0A: break
            case UInt8(ascii: "x"):
                guard index + 2 <= body.count, let value = UInt8(String(decoding: body[index..<(index + 2)], as: UTF8.self), radix: 16)
                else {
                    return nil
                }
                out.append(value)
                index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = Int(escape - 0x30)
                var taken = 1
                while taken < 3, index < body.count, (0x30...0x37).contains(body[index]) {
                    value = value * 8 + Int(body[index] - 0x30)
                    index += 1
                    taken += 1
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default: out.append(0x5C); out.append(escape)
            }
        }
        return out
    }

    /// Protocol 0's UNICODE argument: raw-unicode-escape (`\uXXXX`, `\UXXXXXXXX`, other bytes latin-1).
    static func rawUnicodeEscape(_ line: ArraySlice<UInt8>) -> String? {
        let bytes = Array(line)
        var out = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x5C, index + 1 < bytes.count, bytes[index + 1] == 0x75 || bytes[index + 1] == 0x55 {
                let width = bytes[index + 1] == 0x75 ? 4 : 8
                guard index + 2 + width <= bytes.count,
                    let code = UInt32(String(decoding: bytes[(index + 2)..<(index + 2 + width)], as: UTF8.self), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { return nil }
                out.append(scalar)
                index += 2 + width
            } else {
                out.append(Unicode.Scalar(byte))
                index += 1
            }
        }
        return String(out)
    }

    private static func trimmed(_ text: String) -> Substring {
        let view = Substring(text)
        guard let start = view.firstIndex(where: { !$0.isWhitespace }),
            let end = view.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return view[start...end]
    }
}
