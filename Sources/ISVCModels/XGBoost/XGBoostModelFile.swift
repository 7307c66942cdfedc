import Foundation

/// Reads a file written by `Booster.save_model` and decodes its document, telling JSON from
/// UBJSON by content (KServe's xgbserver accepts .json, .ubj and .bst, and a .bst saved by
/// xgboost >= 3 is UBJSON): both begin with `{`, but in JSON the next byte is whitespace, `"` or
/// `}`, and in UBJSON it is the type marker of the first key's length.
enum XGBoostModelFile {
    enum Format: Equatable {
        case json
        case ubjson
        /// XGBoost's pre-1.0 binary format, deprecated in 1.6 and gone in 3.x.
        case legacyBinary
        /// A Python pickle (a pickled XGBClassifier or Booster rather than a saved model).
        case pickle
        case unknown
    }

    static func read(fileAt path: String) throws(ModelError) -> XGBoostValue {
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw ModelError.corrupt(file: path, reason: "cannot be read: \(error.localizedDescription)")
        }
        return try decode(bytes, file: path)
    }

    static func decode(_ bytes: [UInt8], file: String) throws(ModelError) -> XGBoostValue {
        switch format(of: bytes) {
        case .json:
            let hasByteOrderMark = bytes.starts(with: [0xEF, 0xBB, 0xBF])
            return try XGBoostJSONReader.read(hasByteOrderMark ? Array(bytes.dropFirst(3)) : bytes, file: file)
        case .ubjson: return try XGBoostUBJSONReader.read(bytes, file: file)
        case .legacyBinary:
            throw ModelError.unsupported(
                "\(file): this is XGBoost's deprecated binary model format, which isvc does not read; "
                    + "load it with the xgboost version that wrote it and re-save it with "
                    + "Booster.save_model(\"model.json\") or Booster.save_model(\"model.ubj\")")
        case .pickle:
            throw ModelError.unsupported(
                "\(file): this is a Python pickle, not a model saved by Booster.save_model; the XGBoost server "
                    + "loads .json/.ubj/.bst files: re-save it with model.save_model(\"model.json\")")
        case .unknown:
            let head = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            throw ModelError.corrupt(
                file: file,
                reason: "not an XGBoost model: neither JSON nor UBJSON "
                    + (bytes.isEmpty ? "(the file is empty)" : "(starts with bytes \(head))"))
        }
    }

    static func format(of bytes: [UInt8]) -> Format {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }  // a UTF-8 byte-order mark
        while start < bytes.count, isSpace(bytes[start]) { start += 1 }
        if start < bytes.count, bytes[start] == UInt8(ascii: "{") {
            if start + 1 >= bytes.count { return .json }  // truncated either way; JSON says why
            let next = bytes[start + 1]
            return isSpace(next) || next == UInt8(ascii: "\"") || next == UInt8(ascii: "}") ? .json : .ubjson
        }
        if bytes.count >= 2, bytes[0] == 0x80, (2...5).contains(bytes[1]) { return .pickle }
        return looksLikeLegacyBinary(bytes) ? .legacyBinary : .unknown
    }

    /// The old binary format starts with the learner parameters (optionally behind a "binf" or
    /// "bs64" header) followed by the objective and booster names as length-prefixed strings.
    private static func looksLikeLegacyBinary(_ bytes: [UInt8]) -> Bool {
        if bytes.starts(with: Array("binf".utf8)) || bytes.starts(with: Array("bs64".utf8)) { return true }
        let head = Array(bytes.prefix(1024))
        let names = ["gbtree", "gblinear", "dart", "binary:", "reg:", "multi:", "count:", "rank:", "survival:"]
        return names.contains { name in
            let needle = Array(name.utf8)
            guard head.count >= needle.count else { return false }
            return (0...(head.count - needle.count)).contains { head[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }
}
