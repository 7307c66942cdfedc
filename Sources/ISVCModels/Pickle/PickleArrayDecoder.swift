/// Turns the raw bytes of a numpy array (from `_reconstruct`'s BUILD, `_frombuffer`, joblib's stream or a
/// numpy scalar) into an `NDArray` in C order. Lengths and shapes are validated before allocating.
enum PickleArrayDecoder {
    /// numpy's own limit on dimensions.
    static let maxDimensions = 64

    /// The element count of a shape, or nil when a dimension is negative, there are too many, or the
    /// product (of the non-zero dimensions, so `NDArray.count` never overflows) does not fit.
    static func count(of shape: [Int]) -> Int? {
        guard shape.count <= maxDimensions else { return nil }
        var product = 1
        var hasZero = false
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { hasZero = true; continue }
            let (next, overflow) = product.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            product = next
        }
        return hasZero ? 0 : product
    }

    /// Whether isvc decodes elements of this dtype (others are kept as raw bytes, see `PickleNumpy`).
    static func canDecode(_ dtype: PickleDType) -> Bool {
        guard !dtype.hasSubarray else { return false }
        if let fields = dtype.fields {
            return fields.allSatisfy {
                $0.dtype.fields == nil && canDecode($0.dtype) && $0.offset >= 0
                    && $0.offset <= dtype.itemSize - $0.dtype.itemSize
            }
        }
        switch dtype.kind {
        case "f": return [2, 4, 8].contains(dtype.itemSize)
        case "i", "u": return [1, 2, 4, 8].contains(dtype.itemSize)
        case "b": return dtype.itemSize == 1
        case "U": return dtype.itemSize % 4 == 0
        case "S": return true
        default: return false
        }
    }

    /// Decodes `count(shape)` elements stored in `raw` (exactly count × itemsize bytes), in Fortran order
    /// when `fortran`. The caller checked `canDecode` and the length.
    static func decode(
        _ raw: ArraySlice<UInt8>, shape: [Int], dtype: PickleDType, fortran: Bool,
        file: String
    ) throws(ModelError) -> NDArray {
        let count = count(of: shape) ?? 0
        var elements: NDArray.Elements
        if let fields = dtype.fields {
            var decoded: [(name: String, values: NDArray)] = []
            for field in fields {
                let values = try simple(
                    raw, count: count, stride: dtype.itemSize, offset: field.offset,
                    dtype: field.dtype, file: file)
                decoded.append((field.name, NDArray(shape: shape, dtype: field.dtype.str, elements: values)))
            }
            elements = .structured(decoded)
        } else {
            elements = try simple(raw, count: count, stride: dtype.itemSize, offset: 0, dtype: dtype, file: file)
        }
        if fortran, shape.filter({ $0 > 1 }).count > 1 {
            elements = reorder(elements, permutation: cOrderPermutation(shape))
        }
        return NDArray(shape: shape, dtype: dtype.str, elements: elements)
    }

    /// Elements of a plain dtype at `offset` within records of `stride` bytes.
    private static func simple(
        _ raw: ArraySlice<UInt8>, count: Int, stride: Int, offset: Int, dtype: PickleDType,
        file: String
    ) throws(ModelError) -> NDArray.Elements {
        let swap = dtype.isBigEndian
        let size = dtype.itemSize
        let decoded: NDArray.Elements? = raw.withUnsafeBytes { buffer in
            func at(_ index: Int) -> Int { index * stride + offset }
            switch (dtype.kind, size) {
            case ("f", 8):
                return .float(
                    (0..<count).map { i in
                        let bits = buffer.loadUnaligned(fromByteOffset: at(i), as: UInt64.self)
                        return Double(bitPattern: swap ? bits.byteSwapped : bits)
                    })
            case ("f", 4):
                return .float(
                    (0..<count).map { i in
                        let bits = buffer.loadUnaligned(fromByteOffset: at(i), as: UInt32.self)
                        return Double(Float(bitPattern: swap ? bits.byteSwapped : bits))
                    })
            case ("f", 2):
                return .float(
                    (0..<count).map { i in
                        let bits = buffer.loadUnaligned(fromByteOffset: at(i), as: UInt16.self)
                        return halfToDouble(swap ? bits.byteSwapped : bits)
                    })
            case ("i", _), ("u", _):
                let signed = dtype.kind == "i"
                return .int((0..<count).map { i in integer(buffer, at: at(i), size: size, swap: swap, signed: signed) })
            case ("b", _):
                return .bool((0..<count).map { i in buffer[at(i)] != 0 })
            case ("U", _):
                return .string((0..<count).map { i in utf32(buffer, at: at(i), size: size, swap: swap) })
            case ("S", _):
                return .string(
                    (0..<count).map { i in
                        var end = at(i) + size
                        while end > at(i), buffer[end - 1] == 0 { end -= 1 }
                        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[at(i)..<end]), as: UTF8.self)
                    })
            default:
                return nil
            }
        }
        guard let decoded else { throw ModelError.unsupported("\(file): numpy dtype \(dtype.str) is not supported") }
        if dtype.kind == "u", size == 8, case .int(let values) = decoded, let big = values.first(where: { $0 < 0 }) {
            throw ModelError.unsupported("\(file): a uint64 array holds \(UInt64(bitPattern: big)), above the Int64 range isvc keeps")
        }
        return decoded
    }

    private static func integer(
        _ buffer: UnsafeRawBufferPointer, at offset: Int, size: Int, swap: Bool,
        signed: Bool
    ) -> Int64 {
        switch size {
        case 1:
            let v = buffer[offset]
            return signed ? Int64(Int8(bitPattern: v)) : Int64(v)
        case 2:
            let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
            let v = swap ? raw.byteSwapped : raw
            return signed ? Int64(Int16(bitPattern: v)) : Int64(v)
        case 4:
            let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let v = swap ? raw.byteSwapped : raw
            return signed ? Int64(Int32(bitPattern: v)) : Int64(v)
        default:
            let raw = buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            return Int64(bitPattern: swap ? raw.byteSwapped : raw)
        }
    }

    /// numpy's `U` elements: UTF-32 code units, trailing NULs dropped.
    private static func utf32(_ buffer: UnsafeRawBufferPointer, at offset: Int, size: Int, swap: Bool) -> String {
        var units = size / 4
        func unit(_ k: Int) -> UInt32 {
            let raw = buffer.loadUnaligned(fromByteOffset: offset + 4 * k, as: UInt32.self)
            return swap ? raw.byteSwapped : raw
        }
        while units > 0, unit(units - 1) == 0 { units -= 1 }
        var scalars = String.UnicodeScalarView()
        for k in 0..<units { scalars.append(Unicode.Scalar(unit(k)) ?? "\u{FFFD}") }
        return String(scalars)
    }

    /// IEEE 754 binary16 to Double.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let sign: Double = bits & 0x8000 != 0 ? -1 : 1
        let exponent = Int(bits >> 10 & 0x1F)
        let fraction = Double(bits & 0x3FF)
        switch exponent {
        case 0: return sign * fraction * 0x1p-24
        case 31: return fraction == 0 ? sign * .infinity : .nan
        default: return sign * (1 + fraction / 1024) * Double(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }

    /// For each element in C order, its index in Fortran-order storage.
    static func cOrderPermutation(_ shape: [Int]) -> [Int] {
        let count = count(of: shape) ?? 0
        guard count > 0 else { return [] }
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.dropFirst() { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var index = [Int](repeating: 0, count: shape.count)
        var storage = 0
        var permutation = [Int](repeating: 0, count: count)
        for c in 0..<count {
            permutation[c] = storage
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                storage += fortranStrides[axis]
                if index[axis] < shape[axis] { break }
                storage -= fortranStrides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return permutation
    }

    static func reorder(_ elements: NDArray.Elements, permutation: [Int]) -> NDArray.Elements {
        func apply<T>(_ values: [T]) -> [T] { permutation.map { values[$0] } }
        switch elements {
        case .float(let v): return .float(apply(v))
        case .int(let v): return .int(apply(v))
        case .bool(let v): return .bool(apply(v))
        case .string(let v): return .string(apply(v))
        case .object(let v): return .object(apply(v))
        case .structured(let fields):
            return .structured(
                fields.map { field in
                    var values = field.values
                    values.elements = reorder(values.elements, permutation: permutation)
                    return (field.name, values)
                })
        }
    }
}
