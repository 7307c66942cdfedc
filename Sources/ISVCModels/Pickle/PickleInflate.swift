import CZlib

/// Inflates joblib's zlib-compressed files (`joblib.dump(..., compress=("zlib", N))` or `compress=N`):
/// a zlib stream (RFC 1950) of the whole joblib pickle. Like joblib's `BinaryZlibFile`, a stream that ends
/// before the input does is followed by another one. The output is bounded.
enum PickleInflate {
    /// The largest decompressed model isvc accepts.
    static let defaultLimit = 2 << 30

    static func inflate(_ input: [UInt8], file: String, limit: Int = defaultLimit) throws(ModelError) -> [UInt8] {
        var stream = z_stream()
        guard inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ModelError.corrupt(file: file, reason: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, input.count * 4, 64 << 20))
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var consumed = 0
        var result = Z_OK
        while true {
            let previous = consumed
            let produced: Int
            (result, produced, consumed) = input.withUnsafeBufferPointer { inBuffer in
                chunk.withUnsafeMutableBufferPointer { outBuffer in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress.map { $0 + consumed })
                    stream.avail_in = UInt32(clamping: inBuffer.count - consumed)
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    let before = stream.avail_in
                    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return (status, outBuffer.count - Int(stream.avail_out), consumed + Int(before - stream.avail_in))
                }
            }
            guard output.count + produced <= limit else {
                throw ModelError.corrupt(file: file, reason: "inflates to more than \(limit) bytes (the limit for a model)")
            }
            output.append(contentsOf: chunk[0..<produced])
            switch result {
            case Z_STREAM_END:
                guard consumed < input.count else { return output }
                guard inflateReset(&stream) == Z_OK else { throw ModelError.corrupt(file: file, reason: "zlib could not restart") }
            case Z_OK:
                continue
            case Z_BUF_ERROR where consumed >= input.count:
                throw ModelError.corrupt(
                    file: file, reason: "the zlib stream is truncated after \(consumed) compressed bytes (\(output.count) inflated)")
            case Z_BUF_ERROR where produced > 0 || consumed > previous:
                continue
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "error \(result)"
                throw ModelError.corrupt(file: file, reason: "bad zlib data at compressed byte \(consumed): \(message)")
            }
        }
    }
}
