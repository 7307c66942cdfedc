/// A Go value as Go's `text/template` sees it through reflection: enough of Go's type system to
/// evaluate KServe's preset templates exactly (field lookup with embedding, nil pointers, truth,
/// printing, the builtins' type errors). Type names are Go's (`v1alpha2.ParallelismSpec`, `int32`,
/// `*corev1.PodSpec`), as they appear in Go's error messages.
indirect enum GoValue: Sendable {
    /// Go's untyped nil (an invalid `reflect.Value`, e.g. the `nil` literal or a nil `any`).
    case untypedNil
    case bool(Bool, type: String = "bool")
    /// Any Go integer type; `type` is its Go name (`int`, `int32`, `int64`, `uint8`).
    case int(Int64, type: String = "int")
    case string(String, type: String = "string")
    case structure(GoTemplateStruct)
    /// A non-nil pointer to a value.
    case pointer(GoValue)
    /// A nil pointer. The payload is the zero value of the pointed-to type: it gives the pointer its
    /// Go type and, for a struct, the fields Go's reflection knows the type has.
    case nilPointer(GoValue)
    /// A `map[string]T`; `nil` entries is a nil map. `element` is the zero value of `T` (its type,
    /// and what `index` returns for a missing key).
    case map([String: GoValue]?, element: GoValue)
    /// A `[]T`; `nil` items is a nil slice. `element` is the zero value of `T`.
    case slice([GoValue]?, element: GoValue)
    /// A value the template only passes to functions, which can read its payload.
    case opaque(GoTemplateOpaque)
}

/// A Go struct value: its type name and its fields in declaration order.
struct GoTemplateStruct: Sendable {
    var type: String
    var fields: [GoTemplateField]

    init(type: String, fields: [GoTemplateField]) {
        self.type = type
        self.fields = fields
    }
}

/// A struct field. An embedded field (`metav1.ObjectMeta`, `*v1alpha2.LLMInferenceService`) is named
/// after its type, as in Go, and its fields are promoted.
struct GoTemplateField: Sendable {
    var name: String
    var value: GoValue
    var embedded: Bool

    init(_ name: String, _ value: GoValue, embedded: Bool = false) {
        self.name = name
        self.value = value
        self.embedded = embedded
    }
}

/// A value of a Go type that isvc does not model field by field (a `corev1.PodSpec`, say). The
/// template can test it (`truth`), print it (`description`, what Go's fmt would print, if known)
/// and hand it to functions, which read `payload`.
struct GoTemplateOpaque: Sendable {
    var type: String
    var payload: any Sendable
    var description: String?
    var truth: Bool

    init(type: String, payload: any Sendable, description: String? = nil, truth: Bool = true) {
        self.type = type
        self.payload = payload
        self.description = description
        self.truth = truth
    }
}

extension GoValue {
    /// Go's name of the value's type, as `reflect.Type.String()` spells it.
    var typeName: String {
        switch self {
        case .untypedNil: "<nil>"
        case .bool(_, let type), .int(_, let type), .string(_, let type): type
        case .structure(let s): s.type
        case .pointer(let target), .nilPointer(let target): "*" + target.typeName
        case .map(_, let element): "map[string]" + element.typeName
        case .slice(_, let element): "[]" + element.typeName
        case .opaque(let o): o.type
        }
    }

    /// Go's `isTrue`: false, 0, "", nil pointers and empty maps and slices are false; structs true.
    var truth: Bool {
        switch self {
        case .untypedNil, .nilPointer: false
        case .bool(let b, _): b
        case .int(let i, _): i != 0
        case .string(let s, _): !s.isEmpty
        case .structure, .pointer: true
        case .map(let entries, _): !(entries?.isEmpty ?? true)
        case .slice(let items, _): !(items?.isEmpty ?? true)
        case .opaque(let o): o.truth
        }
    }

    /// Go's `indirect`: follows non-nil pointers; stops at a nil one (then `.nilPointer`, which
    /// Go reports as nil).
    var indirect: GoValue {
        var value = self
        while case .pointer(let target) = value { value = target }
        return value
    }

    /// The struct this value is, or points to (even through a nil pointer), for field-name lookup.
    var structShape: GoTemplateStruct? {
        switch self {
        case .structure(let s): s
        case .pointer(let target), .nilPointer(let target): target.structShape
        default: nil
        }
    }

    /// Whether Go's `reflect.Value.IsNil` holds (untyped nil, nil pointer, nil map or slice).
    var isNil: Bool {
        switch self {
        case .untypedNil, .nilPointer: true
        case .map(let entries, _): entries == nil
        case .slice(let items, _): items == nil
        default: false
        }
    }

    /// `reflect.Type.Name()`: the type's name without its package, empty for unnamed types.
    static func bareName(_ typeName: String) -> String {
        if typeName.hasPrefix("struct") || typeName.hasPrefix("*") || typeName.hasPrefix("[") || typeName.hasPrefix("map[") {
            return ""
        }
        guard let dot = typeName.lastIndex(of: ".") else { return typeName }
        return String(typeName[typeName.index(after: dot)...])
    }
}

extension GoTemplateStruct {
    private struct Candidate {
        var shape: GoTemplateStruct
        var path: [Int]
    }

    /// Go's `Type.FieldByName`: the index path of the field `name`, searching promoted fields of
    /// embedded structs breadth first; nil if absent or ambiguous at its shallowest depth.
    func fieldPath(_ name: String) -> [Int]? {
        var hasEmbedded = false
        for i in fields.indices {
            if fields[i].name == name { return [i] }
            hasEmbedded = hasEmbedded || fields[i].embedded
        }
        guard hasEmbedded else { return nil }
        var level = [Candidate(shape: self, path: [])]
        var visited: [String] = []
        while !level.isEmpty {
            var found: [Int]?
            var count = 0
            var next: [Candidate] = []
            for candidate in level where !visited.contains(candidate.shape.type) {
                visited.append(candidate.shape.type)
                for (i, field) in candidate.shape.fields.enumerated() {
                    if field.name == name {
                        count += 1
                        found = found ?? candidate.path + [i]
                    } else if field.embedded, let inner = field.value.structShape {
                        next.append(Candidate(shape: inner, path: candidate.path + [i]))
                    }
                }
            }
            if count == 1 { return found }
            if count > 1 { return nil }
            level = next
        }
        return nil
    }
}

extension GoValue {
    /// For a caller's function: the field `name` of this struct (through pointers and embedded
    /// structs, as the template's `.name` would find it); nil when absent or behind a nil pointer.
    func field(_ name: String) -> GoValue? {
        guard case .structure(let shape) = indirect, let path = shape.fieldPath(name) else { return nil }
        var current = GoValue.structure(shape)
        for index in path {
            guard case .structure(let inner) = current.indirect else { return nil }
            current = inner.fields[index].value
        }
        return current
    }
}
