import Testing

@testable import ISVCModels

/// Opcodes of every protocol and numpy's array forms, on small pickles of known values
/// (`PickleTestVectors`, written by Python's pickle and joblib).
@Suite("Pickle protocols")
struct PickleProtocolTests {
    static func read(_ bytes: [UInt8]) throws -> PickleValue {
        try PickleReader.read(bytes: bytes, file: "test.pkl")
    }

    static let plain: [[UInt8]] = [
        PickleTestVectors.plainProtocol0, PickleTestVectors.plainProtocol1, PickleTestVectors.plainProtocol2,
        PickleTestVectors.plainProtocol3, PickleTestVectors.plainProtocol4, PickleTestVectors.plainProtocol5,
    ]

    @Test func plainValues() throws {
        let value = try Self.read(PickleTestVectors.plainProtocol4)
        #expect(value["a"]?.intValue == 1)
        let list = try #require(value["b"]?.items)
        #expect(list.count == 3 && list[0].doubleValue == 1.5 && list[1].intValue == -2 && list[2].stringValue == "x")
        guard case .tuple(let flags)? = value["c"] else { Issue.record("c is not a tuple"); return }
        #expect(flags.count == 3 && flags[1].isNone)
        if case .bool(let b) = flags[0] { #expect(b) } else { Issue.record("c[0] is not a bool") }
        // 2**70 and -(2**65) + 3, little-endian two's complement, minimal length.
        if case .bigInt(let bytes)? = value["big"] { #expect(bytes == [0, 0, 0, 0, 0, 0, 0, 0, 0x40]) } else { Issue.record("big") }
        if case .bigInt(let bytes)? = value["neg_big"] {
            #expect(bytes == [3, 0, 0, 0, 0, 0, 0, 0, 0xFE])
        } else {
            Issue.record("neg_big")
        }
        #expect(value["neg"]?.intValue == -5)
        #expect(value["i32"]?.intValue == 70000)
        #expect(value["i64"]?.intValue == -(1 << 40))
        #expect(value["u"]?.stringValue == "h\u{e9}llo \u{2603}")
        if case .bytes(let b)? = value["bytes"] { #expect(b == [0, 0xFF, 0x20, 0x6F, 0x6B]) } else { Issue.record("bytes") }
        if case .bytes(let b)? = value["barr"] { #expect(b == [1, 2]) } else { Issue.record("bytearray") }
        if case .set(let s)? = value["set"] { #expect(s.first?.intValue == 3) } else { Issue.record("set") }
        if case .set(let s)? = value["frozen"] { #expect(s.first?.intValue == 4) } else { Issue.record("frozenset") }
        #expect(value["od"]?["k"]?.intValue == 1)
        #expect(value["empty"]?.items?.isEmpty == true)
        #expect(value["float"]?.doubleValue?.sign == .minus)
        #expect(value["inf"]?.doubleValue == .infinity)
    }

    @Test(arguments: 0...5)
    func everyProtocolGivesTheSameValue(protocolVersion: Int) throws {
        let reference = String(describing: try Self.read(PickleTestVectors.plainProtocol4))
        #expect(String(describing: try Self.read(Self.plain[protocolVersion])) == reference)
    }

    @Test func numpyDTypes() throws {
        let arrays = try Self.read(PickleTestVectors.arraysProtocol5)
        func array(_ key: String) throws -> NDArray {
            guard case .array(let a)? = arrays[key] else { throw FixtureError("\(key) is \(arrays[key]?.kindName ?? "missing")") }
            return a
        }
        #expect(try array("f2").doubles() == [1.5, -0.25, 65504])
        #expect(try array("f4").doubles() == [Double(Float(0.1)), -3])
        #expect(try array("f8be").doubles() == [1.25, -7.5])
        #expect(try array("f8be").dtype == ">f8")
        #expect(try array("i1").ints() == [-128, 127])
        #expect(try array("i2").ints() == [-300, 300])
        #expect(try array("i4be").ints() == [-70000, 5])
        #expect(try array("i8").ints() == [-(1 << 40), 9])
        #expect(try array("u1").ints() == [255, 0])
        #expect(try array("u2").ints() == [65535])
        #expect(try array("u4").ints() == [4_294_967_295])
        #expect(try array("u8").ints() == [1 << 62])
        #expect(try array("b1").dtype == "|b1")
        if case .bool(let b) = try array("b1").elements { #expect(b == [true, false, true]) } else { Issue.record("b1") }
        if case .string(let s) = try array("U").elements { #expect(s == ["ab", "\u{e9}\u{2603}", ""]) } else { Issue.record("U") }
        #expect(try array("U").dtype == "<U2")
        if case .string(let s) = try array("S").elements { #expect(s == ["xy", "z"]) } else { Issue.record("S") }
        // Fortran-ordered arrays come out in C order.
        #expect(try array("F").shape == [2, 3, 4])
        #expect(try array("F").doubles() == (0..<24).map(Double.init))
        #expect(try array("Fi").ints() == [0, 1, 2, 3, 4, 5])
        #expect(try array("empty").shape == [0, 3])
        #expect(try array("empty").doubles().isEmpty)
        #expect(try array("zero_d").shape == [])
        #expect(arrays["zero_d"]?.doubleValue == 3.5)
        let structured = try array("struct")
        #expect(structured.dtype == "|V24")
        #expect(try structured.field("a").ints() == [1, -2, 3])
        #expect(try structured.field("b").doubles() == [0.5, 1.5, -2.5])
        #expect(try structured.field("c").ints() == [7, 8, 9])
        let objects = try #require(arrays["obj"]?.items)
        #expect(objects.count == 3 && objects[0].stringValue == "x" && objects[1].intValue == 2 && objects[2].isNone)
        let fortranObjects = try #require(arrays["objF"]?.items)
        #expect(fortranObjects.map { $0.intValue.map(String.init) ?? $0.stringValue ?? "?" } == ["1", "a", "2", "b"])
        // Dtypes isvc does not decode are kept as bytes, not an error.
        #expect(arrays["c16"]?.object?.className == "numpy.ndarray")
        #expect(arrays["M8"]?.object?.className == "numpy.ndarray")
        #expect(arrays["scalar_f"]?.doubleValue == 0.5)
        #expect(arrays["scalar_i"]?.intValue == -7)
        if case .bool(true)? = arrays["scalar_b"] {} else { Issue.record("scalar_b is \(arrays["scalar_b"]?.kindName ?? "missing")") }
        #expect(arrays["scalar_f4"]?.doubleValue == Double(Float(0.1)))
    }

    @Test(arguments: ["protocol 2", "joblib"])
    func numpyFormsAgree(encoding: String) throws {
        let reference = String(describing: try Self.read(PickleTestVectors.arraysProtocol5))
        let bytes = encoding == "joblib" ? PickleTestVectors.arraysJoblib : PickleTestVectors.arraysProtocol2
        #expect(String(describing: try Self.read(bytes)) == reference)
    }

    @Test func instAndObjCreateObjects() throws {
        // Protocol 0 INST: MARK 4 i<module>\n<name>\n ; protocol 1 OBJ: MARK <class> 4 o
        let inst = try Self.read(Array("(I4\nisklearn.tree._tree\nTree\n.".utf8))
        let obj = try Self.read(Array("(csklearn.tree._tree\nTree\nI4\no.".utf8))
        for value in [inst, obj] {
            let object = try #require(value.object)
            #expect(object.className == "sklearn.tree._tree.Tree")
            #expect(object.arguments.first?.intValue == 4)
        }
        #expect(throws: ModelError.forbiddenGlobal(file: "test.pkl", name: "os.system")) {
            try Self.read(Array("(S'ls'\nios\nsystem\n.".utf8))
        }
    }

    @Test func dictSubclassItemsJoinTheState() throws {
        // Bunch() ; SETITEMS {"a": 1} ; BUILD {"b": 2}  ==  Bunch with a and b.
        func short(_ s: String) -> [UInt8] { [0x8C, UInt8(s.utf8.count)] + Array(s.utf8) }
        let bytes: [UInt8] =
            [0x80, 4] + short("sklearn.utils._bunch") + short("Bunch") + [0x93, 0x29, 0x81]
            + [0x28] + short("a") + [0x4B, 1, 0x75] + [0x7D] + short("b") + [0x4B, 2, 0x73, 0x62, 0x2E]
        let bunch = try #require(try Self.read(bytes).object)
        #expect(bunch.className == "sklearn.utils._bunch.Bunch")
        #expect(bunch["a"]?.intValue == 1)
        #expect(bunch["b"]?.intValue == 2)
    }
}
