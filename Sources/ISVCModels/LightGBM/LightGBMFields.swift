/// Typed reads of the key=value fields of a LightGBM text model, with errors that name the file,
/// the section (header or `Tree=N`) and the field.
struct LightGBMFields {
    let values: [String: String]
    /// "header" or "Tree=3", for messages.
    let section: String
    let file: String

    func corrupt(_ reason: String) -> ModelError {
        .corrupt(file: file, reason: "\(section): \(reason)")
    }

    func has(_ key: String) -> Bool { values[key] != nil }

    func string(_ key: String) throws(ModelError) -> String {
        guard let value = values[key] else { throw corrupt("the field '\(key)' is missing") }
        return value
    }

    func int(_ key: String) throws(ModelError) -> Int {
        let text = try string(key)
        guard let value = Int32(text) else { throw corrupt("\(key)='\(LightGBMModelText.clip(text))' is not an integer") }
        return Int(value)
    }

    /// Exactly `count` space-separated integers (LightGBM writes int32 values).
    func ints(_ key: String, count: Int) throws(ModelError) -> [Int] {
        let words = try words(key, count: count)
        var out: [Int] = []
        out.reserveCapacity(count)
        for (i, word) in words.enumerated() {
            guard let value = Int32(word) else { throw corrupt("\(key)[\(i)] = '\(LightGBMModelText.clip(word))' is not an integer") }
            out.append(Int(value))
        }
        return out
    }

    /// Exactly `count` space-separated doubles, parsed exactly (LightGBM writes 17 significant
    /// digits, or inf/nan).
    func doubles(_ key: String, count: Int) throws(ModelError) -> [Double] {
        let words = try words(key, count: count)
        var out: [Double] = []
        out.reserveCapacity(count)
        for (i, word) in words.enumerated() {
            guard let value = Double(word) else { throw corrupt("\(key)[\(i)] = '\(LightGBMModelText.clip(word))' is not a number") }
            out.append(value)
        }
        return out
    }

    private func words(_ key: String, count: Int) throws(ModelError) -> [Substring] {
        let words = LightGBMModelText.words(try string(key))
        guard words.count == count else { throw corrupt("\(key) has \(words.count) values, expected \(count)") }
        return words
    }
}

enum LightGBMNumbers {
    /// LightGBM's legacy `Common::Atof`, which reads the `sigmoid:` parameter of an objective:
    /// digits accumulated in a double, the fraction divided by a power of ten, the exponent
    /// applied by repeated multiplication. It can differ from a correctly rounded parse in the
    /// last bit, so it is reproduced. Nil when the text does not start with a number.
    static func legacyAtof(_ text: Substring) -> Double? {
        var bytes = Array(text.utf8)[...]
        while bytes.first == UInt8(ascii: " ") { bytes.removeFirst() }
        var sign = 1.0
        if bytes.first == UInt8(ascii: "-") {
            sign = -1; bytes.removeFirst()
        } else if bytes.first == UInt8(ascii: "+") {
            bytes.removeFirst()
        }
        func digit(_ b: UInt8?) -> Int? {
            guard let b, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            return Int(b - UInt8(ascii: "0"))
        }
        guard digit(bytes.first) != nil || bytes.first == UInt8(ascii: ".") else { return nil }
        var value = 0.0
        while let d = digit(bytes.first) { value = value * 10 + Double(d); bytes.removeFirst() }
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            var right = 0.0
            var count = 0
            while let d = digit(bytes.first) { right = Double(d) + right * 10; count += 1; bytes.removeFirst() }
            value += right / power(10, count)
        }
        var divide = false
        var scale = 1.0
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes.removeFirst()
            if bytes.first == UInt8(ascii: "-") {
                divide = true; bytes.removeFirst()
            } else if bytes.first == UInt8(ascii: "+") {
                bytes.removeFirst()
            }
            var exponent = 0
            while let d = digit(bytes.first) { exponent = min(exponent * 10 + d, 100_000); bytes.removeFirst() }
            exponent = min(exponent, 308)
            while exponent >= 50 { scale *= 1e50; exponent -= 50 }
            while exponent >= 8 { scale *= 1e8; exponent -= 8 }
            while exponent > 0 { scale *= 10; exponent -= 1 }
        }
        return sign * (divide ? value / scale : value * scale)
    }

    /// LightGBM's `Common::Pow` (squaring and cubing recursion), for `legacyAtof`.
    static func power(_ base: Double, _ exponent: Int) -> Double {
        if exponent < 0 { return 1 / power(base, -exponent) }
        if exponent == 0 { return 1 }
        if exponent % 2 == 0 { return power(base * base, exponent / 2) }
        if exponent % 3 == 0 { return power(base * base * base, exponent / 3) }
        return base * power(base, exponent - 1)
    }
}
