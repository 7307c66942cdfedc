import Testing

@testable import ISVCCore

@Suite struct GoTextTemplateTests {
    @Test(arguments: GoCases.fieldsAndEmbedding) func fieldsAndEmbedding(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.mapsWithMissingKeyError) func mapsWithMissingKeyError(_ c: GoCase) {
        #expect(run(c.text, c.data) == c.expected)
    }
    @Test(arguments: GoCases.textTrimAndLiterals) func textTrimAndLiterals(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.conditionals) func conditionals(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.andOr) func andOr(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.printing) func printing(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.builtins) func builtins(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.userFunctions) func userFunctions(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }
    @Test(arguments: GoCases.executionErrorPositions) func executionErrorPositions(_ c: GoCase) {
        #expect(run(c.text, c.data) == c.expected)
    }
    @Test(arguments: GoCases.parseErrors) func parseErrors(_ c: GoCase) { #expect(run(c.text, c.data) == c.expected) }

    /// Constructs Go 1.19.8 accepts (its output in the comments) that isvc refuses when parsing.
    @Test(arguments: [
        ("{{ range .Spec.Args }}{{ . }}{{ end }}", "{{range}}"),  // Go: "ab"
        ("{{ with .Spec.Model }}{{ .URI }}{{ end }}", "{{with}}"),  // Go: "hf://meta/llama"
        ("{{ block \"b\" . }}x{{ end }}", "{{block}}"),  // Go: "x"
        ("{{ define \"x\" }}a{{ end }}b", "{{define}}"),  // Go: "b"
        ("{{ template \"x\" }}", "{{template}}"),  // Go: execution error, template "x" not defined
        ("{{ $x := .Name }}{{ $x }}", "the variable $x"),  // Go: "llama"
        ("{{ $.Name }}", "the variable $"),  // Go: "llama"
        ("{{ .Name | printf \"%s!\" }}", "the pipeline operator |"),  // Go: "llama!"
        ("{{ printf \"%d\" 1 }}", "the function printf"),  // Go: "1"
        ("{{ if 1 }}{{ printf \"x\" }}{{ end }}", "the function printf"),  // Go: "x"
        ("{{ 3.5 }} {{ 1e3 }}", "the number 3.5"),  // Go: "3.5 1000"
        ("{{ 0x10 }}", "the number 0x10"),  // Go: "16"
        ("{{ 'a' }}", "the number 'a'"),  // Go: "97"
        ("{{ 18446744073709551615 }}", "the number 18446744073709551615"),  // Go: execution error, overflows int
    ])
    func refusesWhatIsvcDoesNotImplement(_ text: String, _ what: String) {
        #expect(run(text) == .unsupported("template: config:1: \(what) is not supported by isvc"))
    }

    /// Offsets: `offset` is the `{{` of the failing action, `nodeOffset` where Go's LINE:COL point.
    @Test(arguments: [
        (Fixture.bare, "{\"a\": \"{{ .Spec.Parallelism.Tensor }}\"}", 7, 15),  // Go: config:1:15
        (.bare, "{{ if .GlobalConfig.EnableTLS }}a{{ else if .Spec.Parallelism.Tensor }}b{{ end }}", 33, 49),  // config:1:49
        (.full, "a\nb\n{{ if .X }}\n{{ bar }}{{ end }}", 16, 19),  // Go: config:4
        (.full, "{{ if .X }}", 0, 11),  // Go: unexpected EOF
        (.full, "x {{ print (fail `boom`) }}", 2, 12),
    ])
    func errorOffsets(_ data: Fixture, _ text: String, _ offset: Int, _ nodeOffset: Int) throws {
        let error = #expect(throws: GoTextTemplate.Error.self) {
            try GoTextTemplate(name: "config", text: text, functions: Fixture.functionNames)
                .execute(data: data.data, functions: Fixture.functions)
        }
        #expect(error?.offset == offset)
        #expect(error?.nodeOffset == nodeOffset)
    }

    /// A function named when parsing but not given to `execute`: exec.go's message.
    @Test func functionMissingAtExecution() throws {
        let template = try GoTextTemplate(name: "config", text: "{{ ChildName .Name `-x` }}", functions: ["ChildName"])
        #expect(throws: GoTextTemplate.Error.self) { try template.execute(data: Fixture.full.data, functions: [:]) }
        do {
            _ = try template.execute(data: Fixture.full.data, functions: [:])
        } catch {
            #expect(error.message == #"template: config:1:3: executing "config" at <ChildName>: "ChildName" is not a defined function"#)
        }
    }

    /// Go keeps a function's `any` result as an interface value until the pipeline ends, so
    /// `nilValue.X` fails as "nil pointer evaluating interface {}.X" in Go 1.19.8; isvc has no
    /// interface values and reports the untyped nil as `(nilValue).X` does in Go.
    @Test func functionResultIsNotAnInterface() {
        let go = #"template: config:1:3: executing "config" at <nilValue>: nil pointer evaluating interface {}.X"#
        #expect(run("{{ nilValue.X }}") != .execution(go))
        #expect(
            run("{{ nilValue.X }}")
                == .execution(#"template: config:1:3: executing "config" at <nilValue>: nil data; no entry for key "X""#))
    }

    /// Values isvc cannot print or compare as Go would (memory addresses, pointer identity), or
    /// fields it does not model: refused at execution rather than answered differently.
    @Test func unprintableUncomparableAndOpaque() {
        // Go 1.19.8 prints "{hf://meta/llama 0xc000012345}" (an address).
        #expect(
            run("{{ .Spec.Model }}")
                == .unsupported(
                    #"template: config:1:3: executing "config" at <{{.Spec.Model}}>: Go prints a non-nil *string here as a memory address, which isvc does not reproduce"#
                ))
        // Go 1.19.8: "true" (the same pointer).
        #expect(
            run("{{ eq .Spec.Prefill .Spec.Prefill }}")
                == .unsupported(
                    #"template: config:1:3: executing "config" at <eq .Spec.Prefill .Spec.Prefill>: isvc does not compare values of type *v1alpha2.WorkloadSpec with eq"#
                ))
        // Go 1.19.8: "error calling eq: non-comparable type map[a:b]: map[string]string".
        #expect(
            run("{{ eq .ObjectMeta.Labels .GlobalConfig.Labels }}")
                == .unsupported(
                    #"template: config:1:3: executing "config" at <eq .ObjectMeta.Labels .GlobalConfig.Labels>: isvc does not compare values of type map[string]string with eq"#
                ))
        #expect(
            run("{{ print .Spec.Replicas }}")
                == .unsupported(
                    #"template: config:1:3: executing "config" at <print .Spec.Replicas>: Go prints a non-nil *int32 here as a memory address, which isvc does not reproduce"#
                ))
        #expect(
            run("{{ .Spec.Template.Containers }}")
                == .unsupported(
                    #"template: config:1:8: executing "config" at <.Spec.Template.Containers>: can't evaluate field Containers in type *corev1.PodSpec: isvc does not model the fields of corev1.PodSpec"#
                ))
    }
}
