/// The pickle virtual machine, without the part that runs code: opcodes push and pop node ids
/// (`PickleGraph`), every global is checked against `PickleAllowList`, and REDUCE / NEWOBJ / BUILD
/// record what Python would have called (`PickleUnpickler+Calls`) instead of calling it.
/// Iterative: no opcode recurses, so a deep pickle cannot exhaust the stack.
struct PickleUnpickler {
    var input: PickleInput
    var graph = PickleGraph()
    var stack: [Int] = []
    /// Stack heights at each MARK.
    var marks: [Int] = []
    var memo: [Int: Int] = [:]
    var protocolVersion = 0
    /// joblib's NumpyUnpickler: a NumpyArrayWrapper's BUILD is followed by the array's bytes in the stream.
    /// Off inside the nested pickle of an object array, as joblib reads that with a plain Unpickler.
    var joblibArrays = true
    /// Where the opcode being run starts, and its name, for error messages.
    var opcodeStart = 0
    var opcodeName = "the first opcode"

    init(bytes: [UInt8], file: String) {
        input = PickleInput(bytes: bytes, file: file)
    }

    var file: String { input.file }

    func corrupt(_ reason: String) -> ModelError {
        input.corrupt("\(reason) (at byte \(opcodeStart) in \(opcodeName))")
    }

    func unsupported(_ reason: String) -> ModelError {
        .unsupported("\(file): \(reason) (at byte \(opcodeStart) in \(opcodeName))")
    }

    // MARK: Stack

    mutating func push(_ id: Int) { stack.append(id) }

    mutating func push(_ value: PickleValue) { stack.append(graph.leaf(value)) }

    /// Pops one value above the last MARK, as Python's unpickler sees only the items since the mark.
    mutating func pop() throws(ModelError) -> Int {
        guard stack.count > (marks.last ?? 0), let id = stack.popLast() else { throw corrupt("the stack is empty") }
        return id
    }

    func top() throws(ModelError) -> Int {
        guard stack.count > (marks.last ?? 0), let id = stack.last else { throw corrupt("the stack is empty") }
        return id
    }

    /// The items pushed since the last MARK, removing them and the mark.
    mutating func popMark() throws(ModelError) -> [Int] {
        guard let mark = marks.popLast(), mark <= stack.count else { throw corrupt("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    // MARK: Run

    /// Runs the stream to STOP and returns the id of the unpickled value.
    mutating func load() throws(ModelError) -> Int {
        while true {
            opcodeStart = input.position
            opcodeName = "an opcode"
            input.context = opcodeName
            input.contextStart = opcodeStart
            let code = try input.byte()
            guard let opcode = PickleOpcode(rawValue: code) else {
                throw input.corrupt("unknown pickle opcode 0x\(String(code, radix: 16)) at byte \(opcodeStart)")
            }
            opcodeName = opcode.name
            input.context = opcode.name
            if opcode == .stop { return try pop() }
            try run(opcode)
        }
    }

    private mutating func run(_ opcode: PickleOpcode) throws(ModelError) {
        switch opcode {
        case .proto:
            protocolVersion = Int(try input.byte())
            guard protocolVersion <= 5 else { throw unsupported("pickle protocol \(protocolVersion) is newer than 5") }
        case .frame:
            // Frames only group opcodes for buffered reading; the stream is in memory already.
            let length = try input.unsignedLE(8)
            guard length <= UInt64(input.remaining) else {
                throw input.truncated("a frame of \(length) bytes, \(input.remaining) left")
            }
        case .stop: break
        case .mark: marks.append(stack.count)
        case .pop:
            if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark() }
        case .popMark: _ = try popMark()
        case .dup: push(try top())
        case .none: push(.none)
        case .newTrue: push(.bool(true))
        case .newFalse: push(.bool(false))
        case .binInt: push(.int(try input.int32LE()))
        case .binInt1: push(.int(Int64(try input.byte())))
        case .binInt2: push(.int(Int64(try input.unsignedLE(2))))
        case .long1:
            let count = Int(try input.byte())
            push(PickleText.long(try input.read(count)))
        case .long4:
            let count = try input.int32LE()
            guard count >= 0 else { throw corrupt("negative byte count \(count)") }
            push(PickleText.long(try input.read(Int(count))))
        case .binFloat: push(.float(try input.float64BE()))
        case .int, .long, .float, .string, .unicode: try runText(opcode)
        case .binString:
            let count = try input.int32LE()
            guard count >= 0 else { throw corrupt("negative string length \(count)") }
            push(.string(PickleText.latin1String(try input.read(Int(count)))))
        case .shortBinString:
            let count = Int(try input.byte())
            push(.string(PickleText.latin1String(try input.read(count))))
        case .binUnicode, .shortBinUnicode, .binUnicode8:
            let length = try input.unsignedLE(opcode == .binUnicode ? 4 : opcode == .binUnicode8 ? 8 : 1)
            push(.string(String(decoding: try input.read(length: length), as: UTF8.self)))
        case .binBytes, .shortBinBytes, .binBytes8, .byteArray8:
            let length = try input.unsignedLE(opcode == .binBytes ? 4 : opcode == .shortBinBytes ? 1 : 8)
            push(.bytes(Array(try input.read(length: length))))
        case .emptyTuple: push(graph.add(.tuple([])))
        case .tuple: push(graph.add(.tuple(try popMark())))
        case .tuple1: push(graph.add(.tuple([try pop()])))
        case .tuple2:
            let b = try pop(), a = try pop()
            push(graph.add(.tuple([a, b])))
        case .tuple3:
            let c = try pop(), b = try pop(), a = try pop()
            push(graph.add(.tuple([a, b, c])))
        case .emptyList: push(graph.newList())
        case .list: push(graph.newList(try popMark()))
        case .emptyDict: push(graph.newDict())
        case .dict: push(graph.newDict(try pairs(popMark())))
        case .emptySet: push(graph.newSet())
        case .frozenSet: push(graph.newSet(try popMark()))
        case .append: try append([try pop()], toSet: false)
        case .appends: try append(try popMark(), toSet: false)
        case .addItems: try append(try popMark(), toSet: true)
        case .setItem:
            let value = try pop(), key = try pop()
            try setItems([(key, value)])
        case .setItems: try setItems(try pairs(popMark()))
        case .global:
            let module = try input.lineString(), name = try input.lineString()
            push(.global(try PickleAllowList.check(module: module, name: name, protocol: protocolVersion, file: file)))
        case .stackGlobal:
            let nameID = try pop(), moduleID = try pop()
            guard let module = graph.string(moduleID), let name = graph.string(nameID) else {
                throw corrupt("STACK_GLOBAL needs two str, got \(graph.describe(moduleID)) and \(graph.describe(nameID))")
            }
            push(.global(try PickleAllowList.check(module: module, name: name, protocol: protocolVersion, file: file)))
        case .reduce:
            let arguments = try pop(), callable = try pop()
            push(try reduce(callable, arguments: arguments))
        case .newObj:
            let arguments = try pop(), cls = try pop()
            push(try newObject(cls, arguments: arguments, keywords: nil))
        case .newObjEx:
            let keywords = try pop(), arguments = try pop(), cls = try pop()
            push(try newObject(cls, arguments: arguments, keywords: keywords))
        case .inst:
            let module = try input.lineString(), name = try input.lineString()
            let cls = graph.leaf(.global(try PickleAllowList.check(module: module, name: name, protocol: protocolVersion, file: file)))
            let arguments = graph.add(.tuple(try popMark()))
            push(try newObject(cls, arguments: arguments, keywords: nil))
        case .obj:
            let items = try popMark()
            guard let cls = items.first else { throw corrupt("OBJ without a class") }
            push(try newObject(cls, arguments: graph.add(.tuple(Array(items.dropFirst()))), keywords: nil))
        case .build:
            let state = try pop()
            try build(state)
        case .put:
            let key = try memoKey(input.lineString())
            memo[key] = try top()
        case .binPut, .longBinPut:
            let key = Int(try input.unsignedLE(opcode == .binPut ? 1 : 4))
            memo[key] = try top()
        case .memoize: memo[memo.count] = try top()
        case .get:
            let key = try memoKey(input.lineString())
            push(try memoValue(key))
        case .binGet, .longBinGet:
            let key = Int(try input.unsignedLE(opcode == .binGet ? 1 : 4))
            push(try memoValue(key))
        case .persID, .binPersID:
            throw unsupported("the pickle uses persistent ids (\(opcodeName)), which need the saving program's own loader")
        case .ext1, .ext2, .ext4:
            throw unsupported("the pickle uses the copyreg extension registry (\(opcodeName)), which isvc does not support")
        case .nextBuffer, .readonlyBuffer:
            throw unsupported("the pickle uses out-of-band buffers (\(opcodeName)); save it without buffer_callback")
        }
    }

    private func pairs(_ items: [Int]) throws(ModelError) -> [(key: Int, value: Int)] {
        guard items.count % 2 == 0 else { throw corrupt("an odd number of items (\(items.count)) for a dict") }
        return stride(from: 0, to: items.count, by: 2).map { (items[$0], items[$0 + 1]) }
    }

    private func memoKey(_ text: String) throws(ModelError) -> Int {
        guard let key = Int(text), key >= 0 else { throw corrupt("bad memo key '\(text.prefix(40))'") }
        return key
    }

    private func memoValue(_ key: Int) throws(ModelError) -> Int {
        guard let id = memo[key] else { throw corrupt("memo key \(key) was never stored") }
        return id
    }

    /// APPEND(S) to a list or a list subclass instance; ADDITEMS to a set.
    private mutating func append(_ items: [Int], toSet: Bool) throws(ModelError) {
        let target = try top()
        switch graph[target] {
        case .list(let index) where !toSet: graph.lists[index].append(contentsOf: items)
        case .set(let index) where toSet: graph.lists[index].append(contentsOf: items)
        case .object(let index) where !toSet: graph.objects[index].listItems.append(contentsOf: items)
        default: throw corrupt("cannot add items to \(graph.describe(target))")
        }
    }

    /// SETITEM(S) on a dict or a dict subclass instance.
    private mutating func setItems(_ items: [(key: Int, value: Int)]) throws(ModelError) {
        let target = try top()
        switch graph[target] {
        case .dict(let index): graph.dicts[index].append(contentsOf: items)
        case .object(let index): graph.objects[index].dictItems.append(contentsOf: items)
        default: throw corrupt("cannot set items on \(graph.describe(target))")
        }
    }

    /// Protocol 0's text arguments.
    private mutating func runText(_ opcode: PickleOpcode) throws(ModelError) {
        switch opcode {
        case .int:
            let text = try input.lineString()
            if text == "00" || text == "01" { push(.bool(text == "01")); return }
            guard let value = PickleText.decimal(text) else { throw corrupt("bad INT '\(text.prefix(40))'") }
            push(value)
        case .long:
            let text = try input.lineString()
            guard let value = PickleText.decimal(text) else { throw corrupt("bad LONG '\(text.prefix(40))'") }
            push(value)
        case .float:
            let text = try input.lineString()
            guard let value = Double(text) else { throw corrupt("bad FLOAT '\(text.prefix(40))'") }
            push(.float(value))
        case .string:
            guard let bytes = PickleText.quotedBytes(try input.line()) else { throw corrupt("bad STRING argument") }
            push(.string(PickleText.latin1String(bytes)))
        default:
            guard let text = PickleText.rawUnicodeEscape(try input.line()) else { throw corrupt("bad UNICODE argument") }
            push(.string(text))
        }
    }
}
