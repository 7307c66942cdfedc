/// The subset of Go's `text/template` that KServe's LLMInferenceService presets use, with Go's
/// semantics and error messages, executed as with `Option("missingkey=error")`.
///
/// Supported: text; actions printing a pipeline of one command; `if`/`else`/`else if`/`end`;
/// trim markers; comments; commands that are a field chain, `.`, a literal (decimal int, string,
/// raw string, bool, `nil`), a parenthesised pipeline (optionally followed by fields), or a call
/// of `and`, `or`, `not`, `eq`, `ne`, `len`, `index`, `print` or a caller's function. Everything
/// else Go accepts (`range`, `with`, `define`, `template`, `block`, variables, `|`, `printf` and
/// the other builtins, float/char/complex/non-decimal numbers) is refused at parse time.
///
/// Where Go's answer depends on things `GoValue` does not model, isvc refuses (`.unsupported`)
/// rather than answer differently: printing a non-nil pointer nested in a value (Go prints its
/// address), `eq` on non-nil pointers (identity) or on maps, slices and structs, fields of an
/// opaque value. Known differences: there are no interface values (a function's `any` result
/// is its dynamic value: `f.X` on a nil result says `nil data; no entry for key "X"` where Go
/// says `nil pointer evaluating interface {}.X`); no methods; a caller's function receives the
/// evaluated arguments as they are (Go converts them to its parameter types first, e.g.
/// dereferencing a `*string` for a `string`), and is called after its arguments are evaluated
/// (Go checks the argument count before).
struct GoTextTemplate: Sendable {
    /// A caller's function: receives the evaluated arguments, returns the result. Throw
    /// `FunctionError` (or any error) for Go's `error calling NAME: …`, `ArgumentError` for an
    /// error Go reports without that prefix (wrong argument count or type).
    typealias Function = ([GoValue]) throws -> GoValue

    let name: String
    let root: [GoTemplateNode]
    let source: [UInt8]

    /// Parses `text` as Go's `template.New(name).Funcs(…).Parse(text)` would, `functions` naming
    /// the caller's functions (Go checks at parse time that every called function exists).
    init(name: String, text: String, functions: Set<String>) throws(GoTextTemplate.Error) {
        self.name = name
        self.source = Array(text.utf8)
        var lexer = GoTemplateLexer(
            input: source, breakOK: !functions.contains("break"), continueOK: !functions.contains("continue"))
        let items = lexer.run()
        var parser = GoTemplateParser(name: name, source: source, items: items, functions: functions)
        self.root = try parser.parse()
    }

    /// Executes the template on `data` as Go's `Execute` would, returning the whole output.
    func execute(data: GoValue, functions: [String: Function]) throws(GoTextTemplate.Error) -> String {
        let executor = GoTemplateExecutor(template: self, functions: functions)
        try executor.walk(root, dot: data)
        return String(decoding: executor.output, as: UTF8.self)
    }
}

extension GoTextTemplate {
    /// A template error, with Go's message text.
    struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        enum Kind: Sendable, Equatable {
            /// Go's parse error (`template: NAME:LINE: …`).
            case parse
            /// Go's execution error (`template: NAME:LINE:COL: executing "NAME" at <…>: …`).
            case execution
            /// Something Go accepts but isvc does not implement (parse or execution time).
            case unsupported
        }

        var kind: Kind
        var message: String
        /// Byte offset in the template text of the `{{` opening the action that failed (for an
        /// error outside any action, such as an unclosed `if` at the end, where Go detected it).
        var offset: Int
        /// Byte offset of the node Go reports (its LINE:COL; for parse errors, the last token read).
        var nodeOffset: Int

        var description: String { message }
    }

    /// Thrown by a caller's function: becomes Go's `error calling NAME: message`.
    struct FunctionError: Swift.Error, Sendable {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Thrown by a caller's function for an error Go reports before calling it: becomes an
    /// execution error saying `message`, reported where Go does: at the function's name for
    /// `wrong number of args for NAME: want 2 got 1`, at the argument (its 0-based `argument`
    /// index) for a type error such as `expected string; found 1`.
    struct ArgumentError: Swift.Error, Sendable {
        var message: String
        var argument: Int?
        init(_ message: String, argument: Int? = nil) {
            self.message = message
            self.argument = argument
        }
    }
}
