/// The `Content-Type` Go's `net/http` server adds to a response whose handler set none
/// (`http.DetectContentType` of the first 512 bytes; nothing for an empty body). KServe's router sets
/// `application/json` only on JSON bodies, so a step's plain-text answer reaches the client as
/// `text/plain; charset=utf-8`.
///
/// Covered: the HTML and XML signatures, PDF, PostScript, the UTF-8/UTF-16 byte order marks, GIF,
/// PNG, JPEG, BMP, ICO, WebP, gzip, zip, RAR, WebAssembly, then text or binary. Not covered (they are
/// told apart from text only as `application/octet-stream`): audio, video, fonts and MP4 signatures.
enum GoContentSniffer {
    static func detect(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        let data = Array(body.prefix(512))
        var start = 0
        while start < data.count, [0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(data[start]) { start += 1 }
        let trimmed = Array(data[start...])
        for tag in htmlTags where matchesTag(trimmed, tag) { return "text/html; charset=utf-8" }
        if trimmed.starts(with: Array("<?xml".utf8)) { return "text/xml; charset=utf-8" }
        for (signature, type) in exact where data.starts(with: signature) { return type }
        if data.count >= 14, data.starts(with: Array("RIFF".utf8)), Array(data[8..<14]) == Array("WEBPVP".utf8) {
            return "image/webp"
        }
        let binary: Set<UInt8> = Set(Array(0x00...0x08) + [0x0B] + Array(0x0E...0x1A) + Array(0x1C...0x1F))
        return data.contains(where: { binary.contains($0) }) ? "application/octet-stream" : "text/plain; charset=utf-8"
    }

    private static let htmlTags = [
        "<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE",
        "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--",
    ]

    private static let exact: [([UInt8], String)] = [
        (Array("%PDF-".utf8), "application/pdf"),
        (Array("%!PS-Adobe-".utf8), "application/postscript"),
        ([0xFE, 0xFF], "text/plain; charset=utf-16be"),
        ([0xFF, 0xFE], "text/plain; charset=utf-16le"),
        ([0xEF, 0xBB, 0xBF], "text/plain; charset=utf-8"),
        ([0x00, 0x00, 0x01, 0x00], "image/x-icon"),
        ([0x00, 0x00, 0x02, 0x00], "image/x-icon"),
        (Array("BM".utf8), "image/bmp"),
        (Array("GIF87a".utf8), "image/gif"),
        (Array("GIF89a".utf8), "image/gif"),
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "image/png"),
        ([0xFF, 0xD8, 0xFF], "image/jpeg"),
        ([0x1F, 0x8B, 0x08], "application/x-gzip"),
        ([0x50, 0x4B, 0x03, 0x04], "application/zip"),
        ([0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00], "application/x-rar-compressed"),
        ([0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00], "application/x-rar-compressed"),
        ([0x00, 0x61, 0x73, 0x6D], "application/wasm"),
    ]

    /// An HTML signature: the tag, case-insensitive, then a space or `>`.
    private static func matchesTag(_ data: [UInt8], _ tag: String) -> Bool {
        let t = Array(tag.utf8)
        guard data.count > t.count, startsWithFolded(data, tag) else { return false }
        return data[t.count] == 0x20 || data[t.count] == UInt8(ascii: ">")
    }

    private static func startsWithFolded(_ data: [UInt8], _ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        guard data.count >= p.count else { return false }
        for (k, c) in p.enumerated() {
            let d = data[k]
            let folded = (d >= 0x61 && d <= 0x7A) ? d - 0x20 : d
            if folded != c { return false }
        }
        return true
    }
}
