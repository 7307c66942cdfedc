/// A value of a decoded model document together with where it is (`learner.objective.name`), so
/// every typed read can fail with a message naming the file and the field.
struct XGBoostField {
    let value: XGBoostValue
    let path: String
    let file: String

    init(root: XGBoostValue, file: String) {
        self.value = root
        self.path = ""
        self.file = file
    }

    private init(value: XGBoostValue, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    /// A corrupt-model error about this field.
    func corrupt(_ reason: String) -> ModelError {
        .corrupt(file: file, reason: "XGBoost Booster field '\(path.isEmpty ? "<root>" : path)': \(reason)")
    }

    private func expected(_ what: String) -> ModelError {
        corrupt("expected \(what), found \(value.kindName)")
    }

    // MARK: objects

    func optionalMember(_ key: String) throws(ModelError) -> XGBoostField? {
        guard case .object(let members) = value else { throw expected("an object") }
        return members[key].map { XGBoostField(value: $0, path: path.isEmpty ? key : "\(path).\(key)", file: file) }
    }

    func member(_ key: String) throws(ModelError) -> XGBoostField {
        guard let field = try optionalMember(key) else {
            throw corrupt("missing member '\(key)'")
        }
        return field
    }

    // MARK: scalars

    func string() throws(ModelError) -> String {
        guard case .string(let s) = value else { throw expected("a string") }
        return s
    }

    func integer() throws(ModelError) -> Int64 {
        guard case .integer(let v) = value else { throw expected("an integer") }
        return v
    }

    /// XGBoost stores model parameters as strings of decimal integers ("num_feature": "30").
    func integerParameter(in range: ClosedRange<Int>) throws(ModelError) -> Int {
        let text: String
        switch value {
        case .string(let s): text = Self.trimmed(s)
        case .integer(let v): text = String(v)
        default: throw expected("an integer string")
        }
        guard let v = Int(text), range.contains(v) else {
            throw corrupt("'\(text.prefix(40))' is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    func float() throws(ModelError) -> Float {
        switch value {
        case .float(let v): return v
        case .double(let v): return Float(v)
        case .integer(let v): return Float(v)
        default: throw expected("a number")
        }
    }

    // MARK: arrays

    func elements() throws(ModelError) -> [XGBoostField] {
        let values: [XGBoostValue]
        switch value {
        case .array(let a): values = a
        case .floats(let a): values = a.map { .float($0) }
        case .integers(let a): values = a.map { .integer($0) }
        default: throw expected("an array")
        }
        return values.enumerated().map { XGBoostField(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// An array of numbers as float32 (split conditions, leaf values, dart weights).
    func floats(count: Int? = nil) throws(ModelError) -> [Float] {
        let out: [Float]
        switch value {
        case .floats(let a): out = a
        case .integers(let a): out = a.map { Float($0) }
        case .array(let a):
            var floats: [Float] = []
            floats.reserveCapacity(a.count)
            for (i, element) in a.enumerated() {
                switch element {
                case .float(let v): floats.append(v)
                case .double(let v): floats.append(Float(v))
                case .integer(let v): floats.append(Float(v))
                default: throw corrupt("element \(i) is \(element.kindName), expected a number")
                }
            }
            out = floats
        default: throw expected("an array of numbers")
        }
        try check(count: out.count, expected: count)
        return out
    }

    /// An array of integers (child indices, feature indices, tree groups).
    func integers(count: Int? = nil) throws(ModelError) -> [Int64] {
        let out: [Int64]
        switch value {
        case .integers(let a): out = a
        case .array(let a):
            var ints: [Int64] = []
            ints.reserveCapacity(a.count)
            for (i, element) in a.enumerated() {
                guard case .integer(let v) = element else {
                    throw corrupt("element \(i) is \(element.kindName), expected an integer")
                }
                ints.append(v)
            }
            out = ints
        default: throw expected("an array of integers")
        }
        try check(count: out.count, expected: count)
        return out
    }

    /// An array of flags, written as 0/1 integers (XGBoost >= 1.6) or booleans (older JSON).
    func flags(count: Int? = nil) throws(ModelError) -> [Bool] {
        let out: [Bool]
        switch value {
        case .integers(let a): out = a.map { $0 == 1 }
        case .array(let a):
            var flags: [Bool] = []
            flags.reserveCapacity(a.count)
            for (i, element) in a.enumerated() {
                switch element {
                case .bool(let b): flags.append(b)
                case .integer(let v): flags.append(v == 1)
                default: throw corrupt("element \(i) is \(element.kindName), expected a boolean")
                }
            }
            out = flags
        default: throw expected("an array of booleans")
        }
        try check(count: out.count, expected: count)
        return out
    }

    private func check(count: Int, expected: Int?) throws(ModelError) {
        if let expected, count != expected {
            throw corrupt("has \(count) elements, expected \(expected)")
        }
    }

    /// A string without leading and trailing ASCII whitespace (no Foundation needed).
    static func trimmed(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let start = text.firstIndex(where: { !isSpace($0) }),
            let end = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(text[start...end])
    }
}
