import Foundation

/// Reads scikit-learn models saved by `joblib.dump` or `pickle.dump` into `PickleValue`s without executing
/// anything: no class is imported, no function is called. Globals outside `PickleAllowList` are refused
/// (`ModelError.forbiddenGlobal`) the moment they are read.
///
/// The container is recognized by content, not by file name: a pickle (protocols 0-5), a joblib file (a
/// pickle with arrays written inline after each `NumpyArrayWrapper`), or either compressed with zlib
/// (joblib's `compress=`). Other joblib compressors are `ModelError.unsupported`.
public enum PickleReader {
    /// The largest model file isvc reads (and the largest a zlib file may inflate to).
    static let maxFileBytes = PickleInflate.defaultLimit

    public static func read(fileAt path: String) throws(ModelError) -> PickleValue {
        try read(bytes: contents(of: path), file: path)
    }

    /// The file's bytes, read straight into an array (no intermediate copy), after checking its size.
    static func contents(of path: String) throws(ModelError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ModelError.missingModel("\(path): no such model file")
        }
        guard let handle = fopen(path, "rb") else { throw ModelError.corrupt(file: path, reason: "the file cannot be opened") }
        defer { fclose(handle) }
        guard fseeko(handle, 0, SEEK_END) == 0 else { throw ModelError.corrupt(file: path, reason: "the file cannot be read") }
        let size = Int(ftello(handle))
        guard size >= 0, fseeko(handle, 0, SEEK_SET) == 0 else {
            throw ModelError.corrupt(file: path, reason: "the file cannot be read")
        }
        guard size <= maxFileBytes else {
            throw ModelError.unsupported("\(path): \(size) bytes is larger than the \(maxFileBytes)-byte limit for a model")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { buffer in fread(buffer.baseAddress, 1, size, handle) }
        guard read == size else { throw ModelError.corrupt(file: path, reason: "read \(read) of \(size) bytes") }
        return bytes
    }

    /// Reads a model from memory; `file` names it in error messages.
    public static func read(bytes: [UInt8], file: String) throws(ModelError) -> PickleValue {
        let stream = try uncompressed(bytes, file: file)
        var unpickler = PickleUnpickler(bytes: stream, file: file)
        let root = try unpickler.load()
        var converter = PickleConverter(graph: unpickler.graph, file: file)
        return try converter.value(root)
    }

    /// The compressors joblib can write, by magic bytes (joblib/compressor.py), other than zlib.
    private static let otherCompressors: [(magic: [UInt8], name: String)] = [
        ([0x1F, 0x8B], "gzip"),
        ([0x42, 0x5A, 0x68], "bz2"),
        ([0xFD, 0x37, 0x7A, 0x58, 0x5A], "xz"),
        ([0x5D, 0x00], "lzma"),
        ([0x04, 0x22, 0x4D, 0x18], "lz4"),
    ]

    /// The pickle stream: the bytes themselves, or inflated when they are a zlib stream.
    static func uncompressed(_ bytes: [UInt8], file: String) throws(ModelError) -> [UInt8] {
        guard let first = bytes.first else { throw ModelError.corrupt(file: file, reason: "the file is empty") }
        // zlib: CMF 0x78 (deflate, 32K window) and a header checksum; "x" is not a pickle opcode.
        if first == 0x78, bytes.count >= 2, (UInt16(first) << 8 | UInt16(bytes[1])) % 31 == 0 {
            return try PickleInflate.inflate(bytes, file: file, limit: maxFileBytes)
        }
        for compressor in otherCompressors where bytes.starts(with: compressor.magic) {
            throw ModelError.unsupported(
                "\(file): a joblib file compressed with \(compressor.name), which isvc does not read; re-dump it with joblib.dump(model, path, compress=(\"zlib\", 3)) or without compression"
            )
        }
        if bytes.starts(with: Array("ZF".utf8)) {
            throw ModelError.unsupported(
                "\(file): written by joblib older than 0.10 (zfile format); re-dump the model with a current joblib")
        }
        if bytes.starts(with: [0x93] + Array("NUMPY".utf8)) {
            throw ModelError.unsupported("\(file): a numpy .npy file, not a pickled model")
        }
        return bytes
    }
}
