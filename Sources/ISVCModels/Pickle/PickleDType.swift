/// A numpy dtype as a pickle describes it: `numpy.dtype(spec, align, copy)` followed by a BUILD with
/// numpy's state tuple `(version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])`.
struct PickleDType: Sendable {
    struct Field: Sendable {
        var name: String
        var dtype: PickleDType
        var offset: Int
    }

    /// numpy's kind character: f i u b U S O V c M m, or "?" for a code isvc does not know.
    var kind: Character
    /// Bytes per element.
    var itemSize: Int
    /// "<" little-endian, ">" big-endian, "|" not applicable.
    var byteOrder: Character
    /// The fields of a structured dtype, in `names` order.
    var fields: [Field]?
    /// A sub-array dtype ("(3,)f8"), which isvc does not decode.
    var hasSubarray = false
    /// Whether elements are Python objects (a nested pickle, not raw bytes). Stored, not computed, so
    /// dtypes nested in fields of fields never make a recursion.
    private(set) var hasObject = false
    /// How many structured dtypes this one nests (0 for a plain dtype), bounded by `maxNesting`.
    private(set) var nesting = 0
    static let maxNesting = 4

    /// One-character type codes numpy also accepts ("d" is float64).
    private static let typeCodes: [Character: (Character, Int)] = [
        "e": ("f", 2), "f": ("f", 4), "d": ("f", 8),
        "b": ("i", 1), "h": ("i", 2), "i": ("i", 4), "l": ("i", 8), "q": ("i", 8), "p": ("i", 8),
        "B": ("u", 1), "H": ("u", 2), "I": ("u", 4), "L": ("u", 8), "Q": ("u", 8), "P": ("u", 8),
        "?": ("b", 1), "O": ("O", 8), "S": ("S", 0), "a": ("S", 0), "U": ("U", 0), "V": ("V", 0),
        "F": ("c", 8), "D": ("c", 16),
    ]

    /// Parses the first argument of `numpy.dtype(...)` in a pickle: "f8", "<i4", "b1", "O8", "U10", "V64".
    init?(spec: String) {
        var rest = Substring(spec)
        var order: Character? = nil
        if let first = rest.first, "<>|=".contains(first) {
            order = first
            rest = rest.dropFirst()
        }
        guard let code = rest.first else { return nil }
        let digitsAndUnit = rest.dropFirst()
        let digits = digitsAndUnit.prefix { $0.isASCII && $0.isNumber }
        let unit = digitsAndUnit.dropFirst(digits.count)
        guard digits.count <= 9, unit.isEmpty || (unit.first == "[" && unit.last == "]") else { return nil }
        if digits.isEmpty {
            guard let (kind, size) = Self.typeCodes[code] else { return nil }
            self.kind = kind
            itemSize = size
        } else {
            guard let size = Int(digits), "fiubUSOVcMma".contains(code) else { return nil }
            kind = code == "a" ? "S" : code
            switch kind {
            case "U": itemSize = size * 4
            case "O": itemSize = 8
            default: itemSize = size
            }
        }
        byteOrder = "<"
        if order == ">" { byteOrder = ">" }
        hasObject = kind == "O"
        normalizeByteOrder()
    }

    private mutating func normalizeByteOrder() {
        if itemSize <= 1 || "OSVb".contains(kind) || fields != nil { byteOrder = "|" } else if byteOrder == "|" { byteOrder = "<" }
    }

    /// The BUILD state: byte order, the size of flexible dtypes (U, S, V) and the fields of structured ones.
    mutating func apply(byteOrder order: String?, elementSize: Int64?, fields: [Field]?, hasSubarray: Bool) {
        if let order, let char = order.first {
            byteOrder = char == ">" ? ">" : char == "|" ? "|" : "<"
        }
        if let elementSize, elementSize > 0, elementSize <= Int64(Int32.max), "USV".contains(kind) {
            itemSize = Int(elementSize)
        }
        if let fields { self.fields = fields }
        self.hasSubarray = hasSubarray
        hasObject = kind == "O" || (self.fields?.contains { $0.dtype.hasObject } ?? false)
        nesting = self.fields.map { 1 + ($0.map(\.dtype.nesting).max() ?? 0) } ?? 0
        normalizeByteOrder()
    }

    var isBigEndian: Bool { byteOrder == ">" }

    /// numpy's `dtype.str`: "<f8", "|b1", "<U10", "|O", "|V64".
    var str: String {
        switch kind {
        case "O": "|O"
        case "U": "\(byteOrder)U\(itemSize / 4)"
        default: "\(byteOrder)\(kind)\(itemSize)"
        }
    }
}
