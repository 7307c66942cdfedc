import Foundation
import Testing

@testable import ISVCModels

/// Pickles written to attack or confuse the reader: each must give the right `ModelError`, and nothing
/// may ever run (the hostile fixtures would `touch isvc-pickle-was-executed`).
@Suite("Pickle hostile input")
struct PickleHostileTests {
    static let marker = "isvc-pickle-was-executed"

    static func read(_ bytes: [UInt8]) throws(ModelError) -> PickleValue {
        try PickleReader.read(bytes: bytes, file: "hostile.pkl")
    }

    static func error(_ bytes: [UInt8]) -> ModelError? {
        do { _ = try read(bytes); return nil } catch { return error }
    }

    static func corruptReason(_ bytes: [UInt8]) -> String? {
        if case .corrupt(_, let reason)? = error(bytes) { return reason }
        return nil
    }

    /// Protocol 4 framing around `body` + STOP.
    static func p4(_ body: [UInt8]) -> [UInt8] { [0x80, 4] + body + [0x2E] }
    static func short(_ text: String) -> [UInt8] { [0x8C, UInt8(text.utf8.count)] + Array(text.utf8) }

    @Test(arguments: [
        ("os-system.pkl", "posix.system"),
        ("os-system-p5.joblib", "posix.system"),
        ("eval-builtin.pkl", "builtins.eval"),
    ])
    func hostileFixturesAreRefused(file: String, global: String) throws {
        let path = "fixtures/models/hostile/\(file)"
        #expect(throws: ModelError.forbiddenGlobal(file: path, name: global)) { try PickleReader.read(fileAt: path) }
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    @Test func textFileIsCorrupt() throws {
        let path = "fixtures/models/hostile/not-a-pickle.joblib"
        #expect { try PickleReader.read(fileAt: path) } throws: { error in
            guard case ModelError.corrupt(let file, let reason) = error else { return false }
            return file == path && reason.contains("TUPLE")
        }
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    static let forbidden = [
        "os.system", "posix.system", "nt.system", "subprocess.Popen", "subprocess.check_output", "sys.exit",
        "builtins.eval", "builtins.exec", "builtins.getattr", "builtins.__import__", "builtins.open",
        "builtins.compile", "builtins.setattr", "builtins.globals", "importlib.import_module", "pickle.loads",
        "shutil.rmtree", "socket.socket", "functools.partial", "operator.attrgetter", "types.FunctionType",
        "runpy.run_path", "code.interact", "numpy.load", "numpy.testing._private.utils.runstring",
        "sklearn.utils.fixes.eval", "joblib.load", "copyreg.add_extension",
    ]

    @Test(arguments: forbidden)
    func forbiddenGlobalsStopTheLoad(name: String) throws {
        let dot = try #require(name.lastIndex(of: "."))
        let module = String(name[..<dot]), function = String(name[name.index(after: dot)...])
        // STACK_GLOBAL (protocol 4) and GLOBAL (protocol 2), then a call that must never happen.
        let stacked = Self.p4(Self.short(module) + Self.short(function) + [0x93] + Self.short("echo hi") + [0x85, 0x52])
        let text = [0x80, 2, 0x63] + Array("\(module)\n\(function)\n".utf8) + [0x29, 0x52, 0x2E]
        for bytes in [stacked, text] {
            #expect(Self.error(bytes) == .forbiddenGlobal(file: "hostile.pkl", name: name))
        }
    }

    @Test func python2ModuleNamesAreMappedBeforeTheCheck() {
        let text: [UInt8] = [0x80, 2, 0x63] + Array("__builtin__\neval\n".utf8) + [0x2E]
        #expect(Self.error(text) == .forbiddenGlobal(file: "hostile.pkl", name: "builtins.eval"))
    }

    @Test func allowListIsSortedAndHasNothingDangerous() throws {
        let source = try String(contentsOfFile: "Sources/ISVCModels/Pickle/PickleAllowList.swift", encoding: .utf8)
        let block = try #require(
            source.components(separatedBy: "static let names").dropFirst().first?
                .components(separatedBy: "]\n").first)
        let listed = block.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("\""), let end = trimmed.dropFirst().firstIndex(of: "\"") else { return nil }
            return String(trimmed[trimmed.index(after: trimmed.startIndex)..<end])
        }
        #expect(listed.count == PickleAllowList.names.count)
        #expect(listed == listed.sorted(), "keep PickleAllowList.names sorted")
        let dangerousModules = [
            "os.", "posix.", "nt.", "subprocess.", "sys.", "importlib.", "pickle.", "shutil.",
            "socket.", "functools.", "operator.", "types.", "runpy.", "code.", "ctypes.",
        ]
        let dangerousBuiltins = ["eval", "exec", "getattr", "setattr", "__import__", "open", "compile", "globals", "vars"]
        for name in PickleAllowList.names {
            #expect(!dangerousModules.contains { name.hasPrefix($0) }, "\(name)")
            #expect(!dangerousBuiltins.contains { name == "builtins.\($0)" }, "\(name)")
        }
    }

    @Test func absurdLengthsAreRejectedBeforeAllocating() throws {
        func le(_ value: UInt64, _ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        let cases: [(String, Int, [UInt8])] = [
            ("BINUNICODE8", 11, [0x80, 4, 0x8D] + le(1 << 60, 8) + Array("abc".utf8)),
            ("BINBYTES8", 11, [0x80, 4, 0x8E] + le(UInt64.max, 8)),
            ("BYTEARRAY8", 11, [0x80, 5, 0x96] + le(1 << 62, 8)),
            ("BINUNICODE", 7, [0x80, 4, 0x58] + le(0xFFFF_FFFF, 4)),
            ("BINBYTES", 7, [0x80, 3, 0x42] + le(0x7FFF_FFFF, 4)),
            ("LONG4", 7, [0x80, 2, 0x8B] + le(0x7FFF_FFFF, 4)),
            ("FRAME", 11, [0x80, 4, 0x95] + le(1 << 40, 8)),
            ("SHORT_BINUNICODE", 4, [0x80, 4, 0x8C, 0xFF, 0x41]),
        ]
        for (opcode, offset, bytes) in cases {
            let reason = try #require(Self.corruptReason(bytes), "\(opcode)")
            #expect(reason.hasPrefix("truncated at byte \(offset) in \(opcode) (started at byte 2)"), "\(reason)")
        }
        #expect(Self.corruptReason([0x80, 4, 0x8D] + le(1 << 60, 8))?.hasSuffix("a length of 1152921504606846976 bytes, 0 left") == true)
    }

    @Test func truncationNamesTheOffsetAndOpcode() throws {
        let reason = try #require(Self.corruptReason([0x80, 4, 0x4A, 1, 2]))
        #expect(reason == "truncated at byte 3 in BININT (started at byte 2): needs 4 bytes, 2 left")
        #expect(Self.corruptReason([0x80, 4, 0x4E])?.contains("truncated at byte 3") == true)
        #expect(Self.corruptReason([])?.contains("empty") == true)
    }

    @Test func malformedStreamsAreCorrupt() throws {
        let cases: [(String, [UInt8])] = [
            ("unknown pickle opcode 0xff at byte 2", [0x80, 4, 0xFF]),
            ("the stack is empty (at byte 2 in APPEND)", Self.p4([0x61])),  // APPEND
            ("no MARK", Self.p4([0x74])),  // TUPLE
            ("memo key 7", Self.p4([0x68, 7])),  // BINGET 7
            ("odd number", Self.p4([0x28, 0x4B, 1, 0x64])),  // MARK 1 DICT
            ("cannot add items", Self.p4([0x4B, 1, 0x4B, 2, 0x61])),  // APPEND to an int
            ("cannot set items", Self.p4([0x5D, 0x4B, 1, 0x4B, 2, 0x73])),  // SETITEM on a list
            ("BUILD on", Self.p4([0x5D, 0x7D, 0x62])),  // BUILD on a list
            ("contains itself", Self.p4([0x5D, 0x94, 0x68, 0, 0x61])),  // l = []; l.append(l)
            ("negative", [0x80, 2, 0x8B, 0xFF, 0xFF, 0xFF, 0xFF, 0x2E]),  // LONG4 -1
            ("STACK_GLOBAL needs two str", Self.p4([0x4B, 1, 0x4B, 2, 0x93])),
        ]
        for (expected, bytes) in cases {
            let reason = Self.corruptReason(bytes)
            #expect(reason?.contains(expected) == true, "\(expected): \(String(describing: Self.error(bytes)))")
        }
    }

    @Test func unsupportedOpcodesSaySo() {
        let cases: [(String, [UInt8])] = [
            ("persistent ids", [0x80, 2, 0x4B, 1, 0x51, 0x2E]),  // BINPERSID
            ("persistent ids", Array("P1\n.".utf8)),  // PERSID
            ("extension registry", [0x80, 2, 0x82, 1, 0x2E]),  // EXT1
            ("out-of-band buffers", [0x80, 5, 0x97, 0x2E]),  // NEXT_BUFFER
            ("protocol 6", [0x80, 6, 0x4E, 0x2E]),
        ]
        for (expected, bytes) in cases {
            guard case .unsupported(let message)? = Self.error(bytes) else {
                Issue.record("\(expected): \(String(describing: Self.error(bytes)))")
                continue
            }
            #expect(message.contains(expected), "\(message)")
        }
    }

    @Test func nestingIsBounded() throws {
        func nested(_ depth: Int) -> [UInt8] {
            Self.p4([UInt8](repeating: 0x5D, count: depth) + [UInt8](repeating: 0x61, count: depth - 1))
        }
        let shallow = try Self.read(nested(150))
        #expect(shallow.items?.count == 1)
        #expect(Self.corruptReason(nested(250))?.contains("nested more than 200") == true)
        #expect(Self.corruptReason(nested(100_000))?.contains("nested more than 200") == true)
    }

    @Test func sharedReferencesAreNotExpandedExponentially() throws {
        // x0 = []; x(k+1) = [xk, xk] for 120 levels: 2^120 leaves if copied, 121 nodes if shared.
        var body: [UInt8] = [0x5D, 0x94]
        for level in 0..<120 { body += [0x28, 0x6A] + le32(level) + [0x6A] + le32(level) + [0x6C, 0x94] }
        let clock = ContinuousClock()
        let start = clock.now
        let value = try Self.read(Self.p4(body))
        #expect(value.items?.count == 2)
        #expect(clock.now - start < .seconds(5))
    }

    func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    @Test func mutationsAfterMemoizingAreSeenEverywhere() throws {
        // l = []; d = {"l": l}; l.append(1); o = Tree(); t = (o,); o.__setstate__({"k": 2}); return [d, t]
        let body: [UInt8] =
            [0x5D, 0x94]  // l, memo 0
            + [0x7D] + Self.short("l") + [0x68, 0, 0x73, 0x94]  // d = {"l": l}, memo 1
            + [0x30, 0x68, 0, 0x4B, 1, 0x61, 0x30]  // l.append(1)
            + Self.short("sklearn.tree._tree") + Self.short("Tree") + [0x93, 0x29, 0x81, 0x94]  // o, memo 2
            + [0x85, 0x94, 0x30]  // t = (o,), memo 3
            + [0x68, 2, 0x7D] + Self.short("k") + [0x4B, 2, 0x73, 0x62, 0x30]  // BUILD o
            + [0x68, 1, 0x68, 3, 0x86]  // (d, t)
        let value = try Self.read(Self.p4(body))
        let pair = try #require(value.items)
        #expect(pair[0]["l"]?.items?.first?.intValue == 1)
        let object = try #require(pair[1].items?.first?.object)
        #expect(object.className == "sklearn.tree._tree.Tree")
        #expect(object["k"]?.intValue == 2)
    }

    @Test(arguments: [
        ("gzip", [0x1F, 0x8B, 0x08, 0x00] as [UInt8]), ("bz2", Array("BZh91AY".utf8)),
        ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]), ("lzma", [0x5D, 0x00, 0x00, 0x80]), ("lz4", [0x04, 0x22, 0x4D, 0x18, 0x64]),
    ])
    func otherCompressorsAreNamed(name: String, magic: [UInt8]) {
        guard case .unsupported(let message)? = Self.error(magic + [UInt8](repeating: 0, count: 16)) else {
            Issue.record("\(name): \(String(describing: Self.error(magic)))")
            return
        }
        #expect(message.contains(name) && message.contains("zlib"), "\(message)")
    }

    @Test func zlibIsBoundedAndTruncationIsCorrupt() throws {
        let path = "fixtures/models/sklearn-iris-forest-zlib/model.joblib"
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect { try PickleInflate.inflate(bytes, file: path, limit: 1000) } throws: { error in
            guard case ModelError.corrupt(_, let reason) = error else { return false }
            return reason.contains("more than 1000 bytes")
        }
        let cut = Array(bytes.prefix(bytes.count / 2))
        guard case .corrupt(_, let reason)? = Self.error(cut) else { Issue.record("truncated zlib read"); return }
        #expect(reason.contains("zlib stream is truncated"))
        #expect(Self.error([0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF]).map { "\($0)" }?.contains("bad zlib data") == true)
    }

    @Test func missingFile() {
        #expect(throws: ModelError.missingModel("fixtures/models/nope/model.joblib: no such model file")) {
            try PickleReader.read(fileAt: "fixtures/models/nope/model.joblib")
        }
    }
}
