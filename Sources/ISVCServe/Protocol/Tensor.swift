import Foundation

/// One Open Inference Protocol tensor: name, datatype, shape and row-major data. Numbers are kept as
/// Double (integers beyond 2^53 lose precision), BOOL as 0/1, BYTES as byte strings.
public struct Tensor: Sendable, Equatable {
    public enum Data: Sendable, Equatable {
        case numbers([Double])
        case bytes([[UInt8]])
    }

    public var name: String
    public var datatype: String
    public var shape: [Int]
    public var data: Data

    public init(name: String, datatype: String, shape: [Int], data: Data) {
        self.name = name
        self.datatype = datatype
        self.shape = shape
        self.data = data
    }

    /// Bytes per element of each fixed-size datatype (BYTES is variable).
    public static let sizes: [String: Int] = [
        "BOOL": 1, "UINT8": 1, "UINT16": 2, "UINT32": 4, "UINT64": 8, "INT8": 1, "INT16": 2,
        "INT32": 4, "INT64": 8, "FP16": 2, "FP32": 4, "FP64": 8, "BF16": 2,
    ]

    /// The number of elements the shape holds (Int.max when the product overflows: a shape from a
    /// request is checked with `elementCount` before it gets here).
    public var count: Int { Self.elementCount(shape) ?? .max }

    /// The product of the dimensions, nil when it overflows Int (or a dimension is negative).
    /// Every shape from a request goes through here: `reduce(1, *)` traps on overflow.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var product = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            product = p
        }
        return product
    }

    /// A request's `shape`: non-negative integers whose product fits an Int. A JSON number is read
    /// without converting a Double out of Int's range (`Int(1e30)` and `NSNumber.intValue` trap).
    static func shape(_ raw: Any?, name: String) throws(ProtocolError) -> [Int] {
        guard let list = raw as? [Any] else { throw .badRequest("input \(name) has no \"shape\"") }
        var shape: [Int] = []
        shape.reserveCapacity(list.count)
        for d in list {
            guard let n = d as? NSNumber, let dimension = ProtocolJSON.exactInt(n), dimension >= 0 else {
                throw .badRequest("input \(name): shape dimensions must be non-negative integers")
            }
            shape.append(dimension)
        }
        guard elementCount(shape) != nil else {
            throw .badRequest("input \(name): shape \(shape) has more elements than can be counted")
        }
        return shape
    }

    public var numbers: [Double] {
        if case .numbers(let n) = data { return n }
        return []
    }

    // MARK: JSON

    /// Flattens nested JSON data (`[[1,2],[3,4]]` or `[1,2,3,4]`) into row-major elements.
    static func flatten(_ value: Any, into out: inout [Any]) {
        if let array = value as? [Any] {
            for v in array { flatten(v, into: &out) }
        } else if let packed = value as? NumericArray {
            out.append(contentsOf: packed.flatBoxed())
        } else {
            out.append(value)
        }
    }

    /// A tensor from a `$request_input` JSON object whose data is inline.
    static func fromJSON(_ object: [String: Any]) throws(ProtocolError) -> Tensor {
        var object = object
        return try fromJSON(taking: &object)
    }

    /// A tensor from a `$request_input` JSON object whose data is inline, taking the data out of the
    /// object: packed numbers (the reader's `NumericArray`) move into the tensor without a copy.
    /// FP32, FP16 and BF16 values are rounded to Float32 here, as numpy's `as_numpy()` gives them
    /// to a model (and as binary data arrives).
    static func fromJSON(taking object: inout [String: Any]) throws(ProtocolError) -> Tensor {
        guard let name = object["name"] as? String else { throw .badRequest("input without a \"name\"") }
        guard let datatype = object["datatype"] as? String else { throw .badRequest("input \(name) has no \"datatype\"") }
        guard sizes[datatype] != nil || datatype == "BYTES" else {
            throw .badRequest(
                "input \(name): invalid datatype \(datatype) (one of BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BF16, BYTES)")
        }
        let shape = try Self.shape(object["shape"], name: name)
        guard let count = elementCount(shape) else {
            throw .badRequest("input \(name): shape \(shape) has more elements than can be counted")
        }
        guard var raw = object.removeValue(forKey: "data") else { throw .badRequest("input \(name) has no \"data\"") }
        let numbersMessage = "input \(name): \(datatype) elements must be numbers\(datatype == "BOOL" ? " or booleans" : "")"
        if var packed = raw as? NumericArray {
            raw = 0  // the only other reference to the values: they are now the tensor's own
            guard packed.values.count == count else {
                throw .badRequest("input \(name): shape \(shape) needs \(count) elements, got \(packed.values.count)")
            }
            if datatype == "BYTES" {
                guard count == 0 else { throw .badRequest("input \(name): BYTES elements must be strings") }
                return Tensor(name: name, datatype: datatype, shape: shape, data: .bytes([]))
            }
            guard !packed.hasNull else { throw .badRequest(numbersMessage) }
            var values = packed.values
            packed.values = []
            if datatype == "FP32" || datatype == "FP16" || datatype == "BF16" {
                values.withUnsafeMutableBufferPointer { v in
                    for i in v.indices { v[i] = Double(Float(v[i])) }
                }
            }
            return Tensor(name: name, datatype: datatype, shape: shape, data: .numbers(values))
        }
        var flat: [Any] = []
        flatten(raw, into: &flat)
        var tensor = Tensor(name: name, datatype: datatype, shape: shape, data: .numbers([]))
        guard flat.count == count else {
            throw .badRequest("input \(name): shape \(shape) needs \(count) elements, got \(flat.count)")
        }
        if datatype == "BYTES" {
            tensor.data = .bytes(
                try flat.map { (e: Any) throws(ProtocolError) -> [UInt8] in
                    guard let s = e as? String else { throw .badRequest("input \(name): BYTES elements must be strings") }
                    return Array(s.utf8)
                })
        } else {
            let rounded = datatype == "FP32" || datatype == "FP16" || datatype == "BF16"
            tensor.data = .numbers(
                try flat.map { (e: Any) throws(ProtocolError) -> Double in
                    // The reader gives booleans as NSNumber too.
                    guard let n = e as? NSNumber, !(e is String) else { throw .badRequest(numbersMessage) }
                    return rounded ? Double(Float(n.doubleValue)) : n.doubleValue
                })
        }
        return tensor
    }

    /// The JSON `data` array of this tensor (flat, row-major).
    var jsonData: [Any] {
        switch data {
        case .bytes(let b): return b.map { String(decoding: $0, as: UTF8.self) }
        case .numbers(let n):
            switch datatype {
            case "BOOL": return n.map { $0 != 0 }
            case "FP16", "FP32", "FP64", "BF16": return n
            default: return n.map(Self.integer)
            }
        }
    }

    /// The JSON `data` array written straight into bytes (no boxed value per element).
    var jsonDataText: RawJSON {
        var out: [UInt8] = []
        out.append(UInt8(ascii: "["))
        switch data {
        case .bytes(let b):
            out.reserveCapacity(b.reduce(2) { $0 + $1.count + 3 })
            for (i, item) in b.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                ProtocolJSON.writeString(String(decoding: item, as: UTF8.self), into: &out)
            }
        case .numbers(let n):
            out.reserveCapacity(2 + n.count * 4)
            let floating = ["FP16", "FP32", "FP64", "BF16"].contains(datatype)
            let bool = datatype == "BOOL"
            for (i, v) in n.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if bool {
                    out.append(contentsOf: v != 0 ? "true".utf8 : "false".utf8)
                } else if floating {
                    ProtocolJSON.writeDouble(v, into: &out)
                } else {
                    out.append(contentsOf: String(Self.integer(v)).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "]"))
        return RawJSON(bytes: out)
    }

    // MARK: Binary tensor data extension

    /// Decodes `binary_data_size` bytes of raw little-endian, row-major data.
    static func decode<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, name: String, datatype: String,
        shape: [Int]
    ) throws(ProtocolError) -> Tensor where Bytes.Index == Int {
        var tensor = Tensor(name: name, datatype: datatype, shape: shape, data: .numbers([]))
        if datatype == "BYTES" {
            var items: [[UInt8]] = []
            var i = bytes.startIndex
            while i < bytes.endIndex {
                guard bytes.endIndex - i >= 4 else { throw .badRequest("input \(name): truncated BYTES element length") }
                let length = Int(UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
                i += 4
                guard bytes.endIndex - i >= length else { throw .badRequest("input \(name): BYTES element longer than its data") }
                items.append(Array(bytes[i..<(i + length)]))
                i += length
            }
            guard items.count == tensor.count else {
                throw .badRequest("input \(name): shape \(shape) needs \(tensor.count) elements, got \(items.count)")
            }
            tensor.data = .bytes(items)
            return tensor
        }
        guard let size = sizes[datatype] else { throw .badRequest("input \(name): invalid datatype \(datatype)") }
        guard let count = elementCount(shape) else {
            throw .badRequest("input \(name): shape \(shape) has more elements than can be counted")
        }
        let (needed, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, bytes.count == needed else {
            throw .badRequest(
                "input \(name): shape \(shape) of \(datatype) needs \(overflow ? "more than \(Int.max)" : String(needed)) bytes, got \(bytes.count)"
            )
        }
        var values: [Double] = []
        values.reserveCapacity(tensor.count)
        var i = bytes.startIndex
        for _ in 0..<tensor.count {
            var raw: UInt64 = 0
            for b in 0..<size { raw |= UInt64(bytes[i + b]) << (8 * UInt64(b)) }
            i += size
            values.append(Self.value(raw, datatype))
        }
        tensor.data = .numbers(values)
        return tensor
    }

    static func value(_ raw: UInt64, _ datatype: String) -> Double {
        switch datatype {
        case "BOOL", "UINT8", "UINT16", "UINT32", "UINT64": return Double(raw)
        case "INT8": return Double(Int8(truncatingIfNeeded: raw))
        case "INT16": return Double(Int16(truncatingIfNeeded: raw))
        case "INT32": return Double(Int32(truncatingIfNeeded: raw))
        case "INT64": return Double(Int64(bitPattern: raw))
        case "FP32": return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw)))
        case "FP64": return Double(bitPattern: raw)
        case "BF16": return Double(Float(bitPattern: UInt32(truncatingIfNeeded: raw) << 16))
        default:  // FP16
            #if arch(arm64)
                return Double(Float16(bitPattern: UInt16(truncatingIfNeeded: raw)))
            #else
                return Self.half(UInt16(truncatingIfNeeded: raw))
            #endif
        }
    }

    /// IEEE 754 half precision to Double.
    static func half(_ h: UInt16) -> Double {
        let sign = (h >> 15) != 0 ? -1.0 : 1.0
        let exponent = Int((h >> 10) & 0x1f)
        let fraction = Double(h & 0x3ff)
        switch exponent {
        case 0: return sign * fraction * pow(2, -24)
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * pow(2, Double(exponent - 15))
        }
    }

    /// Raw little-endian bytes of this tensor, for a binary output.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        switch data {
        case .bytes(let items):
            for item in items {
                let n = UInt32(item.count)
                out += [UInt8(n & 0xff), UInt8(n >> 8 & 0xff), UInt8(n >> 16 & 0xff), UInt8(n >> 24)]
                out += item
            }
        case .numbers(let values):
            let size = Self.sizes[datatype] ?? 8
            out.reserveCapacity(values.count * size)
            for v in values {
                let raw: UInt64
                switch datatype {
                case "FP32": raw = UInt64(Float(v).bitPattern)
                case "FP64": raw = v.bitPattern
                case "BF16": raw = UInt64(Float(v).bitPattern >> 16)
                case "INT8", "INT16", "INT32", "INT64": raw = UInt64(bitPattern: Self.integer(v))
                case "FP16": raw = UInt64(Self.toHalf(v))
                default: raw = UInt64(bitPattern: max(0, Self.integer(v)))
                }
                for b in 0..<size { out.append(UInt8(truncatingIfNeeded: raw >> (8 * UInt64(b)))) }
            }
        }
        return out
    }

    /// A number as an integer element: truncated toward zero, saturated at Int64's range, NaN as 0.
    static func integer(_ v: Double) -> Int64 {
        guard v.isFinite else { return v.isNaN ? 0 : (v > 0 ? .max : .min) }
        if v >= 9.223372036854775e18 { return .max }
        if v <= -9.223372036854775e18 { return .min }
        return Int64(v)
    }

    /// Double to IEEE 754 half precision (round to nearest; out of range saturates to infinity).
    static func toHalf(_ v: Double) -> UInt16 {
        let f = Float(v).bitPattern
        let sign = UInt16((f >> 16) & 0x8000)
        let exponent = Int((f >> 23) & 0xff) - 127 + 15
        let mantissa = f & 0x7fffff
        if exponent >= 31 { return sign | 0x7c00 }
        if exponent <= 0 { return sign }
        return sign | UInt16(exponent) << 10 | UInt16((mantissa + 0x1000) >> 13)
    }
}
