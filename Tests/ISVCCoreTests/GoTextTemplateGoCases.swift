import Testing

@testable import ISVCCore

/// Every expected value in `GoCases` is Go 1.19.8's output (linux/amd64): `text/template` with
/// `template.New("config").Funcs(…).Option("missingkey=error")`, run by /tmp/gotpl-go
/// (`go run . cases.json -swift`, which prints these lines) on the data and functions that
/// `Fixture` mirrors, and pasted here unchanged.
enum GoCases {
    /// Field chains, embedded-field promotion, pointers auto-dereferenced, nil pointers, unknown and unexported fields.
    static let fieldsAndEmbedding: [GoCase] = [
        GoCase(
            "fields", .full,
            "{{ .ObjectMeta.Name }}/{{ .Name }}/{{ .Namespace }}/{{ .Kind }}/{{ .Spec.Model.Name }}/{{ .GlobalConfig.EnableTLS }}/{{ .Spec.Model.URI }}",
            .ok("llama/llama/ns/LLMInferenceService/meta-llama/true/hf://meta/llama")),
        GoCase(
            "rootUnknown", .full, "{{ .Foo }}",
            .execution(
                "template: config:1:3: executing \"config\" at <.Foo>: can't evaluate field Foo in type struct { *v1alpha2.LLMInferenceService; GlobalConfig *llmisvc.Config }"
            )),
        GoCase(
            "unknownField", .full, "{{ .Spec.Foo }}",
            .execution(
                "template: config:1:8: executing \"config\" at <.Spec.Foo>: can't evaluate field Foo in type v1alpha2.LLMInferenceServiceSpec"
            )),
        GoCase(
            "unknownFieldPtr", .full, "{{ .Spec.Parallelism.Foo }}",
            .execution(
                "template: config:1:8: executing \"config\" at <.Spec.Parallelism.Foo>: can't evaluate field Foo in type *v1alpha2.ParallelismSpec"
            )),
        GoCase(
            "unknownFieldNilPtr", .bare, "{{ .Spec.Prefill.Foo }}",
            .execution(
                "template: config:1:8: executing \"config\" at <.Spec.Prefill.Foo>: can't evaluate field Foo in type *v1alpha2.WorkloadSpec"
            )),
        GoCase(
            "fieldOnString", .full, "{{ .Spec.Model.Name.Foo }}",
            .execution("template: config:1:8: executing \"config\" at <.Spec.Model.Name.Foo>: can't evaluate field Foo in type *string")),
        GoCase(
            "fieldOnSlice", .full, "{{ .Spec.Args.Foo }}",
            .execution("template: config:1:8: executing \"config\" at <.Spec.Args.Foo>: can't evaluate field Foo in type []string")),
        GoCase(
            "fieldOnMapValue", .full, "{{ .ObjectMeta.Labels.app.x }}",
            .execution("template: config:1:14: executing \"config\" at <.ObjectMeta.Labels.app.x>: can't evaluate field x in type string")),
        GoCase(
            "unexported", .full, "{{ .Spec.secret }}",
            .execution(
                "template: config:1:8: executing \"config\" at <.Spec.secret>: secret is an unexported field of struct type v1alpha2.LLMInferenceServiceSpec"
            )),
        GoCase(
            "embeddedNil", .nilsvc, "{{ .Name }}",
            .execution(
                "template: config:1:3: executing \"config\" at <.Name>: reflect: indirection through nil pointer to embedded struct field LLMInferenceService"
            )),
        GoCase(
            "embeddedNilSpec", .nilsvc, "{{ .Spec }}",
            .execution(
                "template: config:1:3: executing \"config\" at <.Spec>: reflect: indirection through nil pointer to embedded struct field LLMInferenceService"
            )),
        GoCase(
            "nilMiddle", .bare, "{\"a\": \"{{ .Spec.Parallelism.Tensor }}\"}",
            .execution(
                "template: config:1:15: executing \"config\" at <.Spec.Parallelism.Tensor>: nil pointer evaluating *v1alpha2.ParallelismSpec.Tensor"
            )),
        GoCase(
            "expertNil", .bare, "x {{- if .Spec.Parallelism.Expert -}} y {{- end }}",
            .execution(
                "template: config:1:14: executing \"config\" at <.Spec.Parallelism.Expert>: nil pointer evaluating *v1alpha2.ParallelismSpec.Expert"
            )),
        GoCase(
            "chainNilErr", .bare, "{{ (.Spec.Prefill).Parallelism }}",
            .execution(
                "template: config:1:9: executing \"config\" at <.Spec.Prefill>: nil pointer evaluating *v1alpha2.WorkloadSpec.Parallelism")),
        GoCase(
            "chainOnCall", .full, "{{ (ChildName .Name \"x\").Foo }}",
            .execution("template: config:1:20: executing \"config\" at <\"x\">: can't evaluate field Foo in type string")),
        GoCase(
            "paren", .full, "{{ (.Name) }} {{ (.Spec).Model.URI }} {{ (ChildName .Name \"-a\") }} {{ not (eq .Name \"llama\") }}",
            .ok("llama hf://meta/llama llama-a false")),
        GoCase(
            "fieldArgs", .full, "{{ .Name 1 }}",
            .execution("template: config:1:3: executing \"config\" at <.Name>: Name has arguments but cannot be invoked as function")),
    ]

    /// Map entries as fields with missingkey=error; `index` of a missing key.
    static let mapsWithMissingKeyError: [GoCase] = [
        GoCase(
            "missingKey", .full, "{{ .ObjectMeta.Labels.app }} {{ .ObjectMeta.Labels.k }}",
            .execution("template: config:1:43: executing \"config\" at <.ObjectMeta.Labels.k>: map has no entry for key \"k\"")),
        GoCase(
            "missingKeyNilMap", .bare, "{{ .ObjectMeta.Labels.k }}",
            .execution("template: config:1:14: executing \"config\" at <.ObjectMeta.Labels.k>: map has no entry for key \"k\"")),
        GoCase("quotedName", .full, "{{ index .ObjectMeta.Labels \"a\\\"b\" }}|{{ .ObjectMeta.Labels.app }}", .ok("|llm")),
        GoCase(
            "mapArgs", .full, "{{ .ObjectMeta.Labels.app 1 }}",
            .execution("template: config:1:14: executing \"config\" at <.ObjectMeta.Labels.app>: app is not a method but has arguments")),
    ]

    /// Text, trim markers, comments and literals.
    static let textTrimAndLiterals: [GoCase] = [
        GoCase(
            "trim", .full, "a \r\n\t {{- .Name -}} \n\t b {{-3}} c{{- 4 }} d {{ 5 -}}   e{{- /* c */ -}} f {{/* c2 */}} g",
            .ok("allamab -3 c4 d 5ef  g")),
        GoCase("trimComment", .full, "a  {{- /* c */}}  b", .ok("a  b")),
        GoCase("leftTrimNL", .full, "x\n  {{- if true }}\n  y\n  {{- end }}\nz", .ok("x\n  y\nz")),
        GoCase("commentOnly", .full, "x{{/* a\nb */}}y{{- /* z */}} w", .ok("xy w")),
        GoCase("rawCR", .full, "{{ `a\r\nb` }}", .ok("a\nb")),
        GoCase("raw", .full, "{{ `a\\nb` }}", .ok("a\\nb")),
        GoCase(
            "printLiterals", .full, "{{ 3 }} {{ -3 }} {{ +7 }} {{ true }} {{ \"q\" }} {{ `r` }} {{ \"a\\tb\\u00e9\\x41\\101\\\\\" }}",
            .ok("3 -3 7 true q r a\tbéAA\\")),
        GoCase("ifElseSpaces", .full, "{{ if .GlobalConfig.EnableTLS }} A {{ else }} B {{ end }}", .ok(" A ")),
    ]

    /// `if`/`else`/`else if`/`end`, nested, and Go's truth.
    static let conditionals: [GoCase] = [
        GoCase("ifTLS", .full, "[{{ if .GlobalConfig.EnableTLS }}--x{{- end }}]", .ok("[--x]")),
        GoCase("ifTLSoff", .bare, "[{{ if .GlobalConfig.EnableTLS }}--x{{- end }}]", .ok("[]")),
        GoCase("ifElse", .bare, "{{ if .GlobalConfig.EnableTLS }}A{{else}}B{{- end }}", .ok("B")),
        GoCase("expertSet", .full, "x {{- if .Spec.Parallelism.Expert -}} y {{- end }}", .ok("xy")),
        GoCase(
            "elseIf", .bare, "{{ if .GlobalConfig.EnableTLS }}a{{ else if .Spec.Prefill }}b{{ else if .Name }}c{{ else }}d{{ end }}",
            .ok("c")),
        GoCase(
            "nestedIf", .full,
            "{{ if .Spec.Parallelism }}{{ if .Spec.Parallelism.Expert }}E{{ else }}N{{ end }}-{{ if .Spec.Prefill }}P{{ end }}{{ end }}",
            .ok("E-P")),
        GoCase(
            "truthy", .full,
            "{{if 0}}a{{end}}{{if 1}}b{{end}}{{if \"\"}}c{{end}}{{if \"x\"}}d{{end}}{{if .Spec.Replicas}}e{{end}}{{if .Spec.Model}}f{{end}}{{if .GlobalConfig.Labels}}g{{end}}{{if .Spec.Args}}h{{end}}{{if false}}i{{end}}{{if .Spec.Prefill.Replicas}}j{{end}}",
            .ok("bdefgh")),
        GoCase(
            "truthyBare", .bare,
            "{{if .ObjectMeta.Labels}}a{{end}}{{if .Spec.Args}}b{{end}}{{if .Spec.Model.Name}}c{{end}}{{if .GlobalConfig}}d{{end}}{{if .Spec.Template}}e{{end}}",
            .ok("d")),
        GoCase(
            "ifNil", .full, "{{ if nil }}x{{ end }}",
            .execution("template: config:1:6: executing \"config\" at <nil>: nil is not a command")),
    ]

    /// `and`/`or`: Go 1.18+ short-circuit, argument order, results.
    static let andOr: [GoCase] = [
        GoCase(
            "andGuardNil", .bare, "a {{- if and .Spec.Parallelism .Spec.Parallelism.Tensor }}--tp={{ .Spec.Parallelism.Tensor }}{{ end }}",
            .ok("a")),
        GoCase(
            "andGuardSet", .full, "a {{- if and .Spec.Parallelism .Spec.Parallelism.Tensor }}--tp={{ .Spec.Parallelism.Tensor }}{{ end }}",
            .ok("a--tp=2")),
        GoCase(
            "and3Prefill", .full,
            "{{- if and .Spec.Prefill .Spec.Prefill.Parallelism .Spec.Prefill.Parallelism.Tensor }}{{ .Spec.Prefill.Parallelism.Tensor }}{{ end }}",
            .ok("8")),
        GoCase(
            "and3PrefillNil", .bare,
            "[{{- if and .Spec.Prefill .Spec.Prefill.Parallelism .Spec.Prefill.Parallelism.Tensor }}{{ .Spec.Prefill.Parallelism.Tensor }}{{ end }}]",
            .ok("[]")),
        GoCase("orDataSet", .full, "{{ or .Spec.Parallelism.Data 1 }}", .ok("4")),
        GoCase("orDataNilPtr", .full, "{{ or .Spec.Parallelism.Pipeline 1 }}", .ok("1")),
        GoCase("orShortCircuit", .bare, "{{ or 1 .Spec.Parallelism.Tensor }} {{ and 0 .Spec.Foo }}", .ok("1 0")),
        GoCase(
            "andOr", .full,
            "{{ and 1 2 }} {{ and 0 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" 3 }} {{ and 1 nil }} {{ or nil }}|{{ and .Spec.Replicas 5 }}",
            .ok("2 0  x <no value> <no value>|5")),
        GoCase(
            "andNoArgs", .full, "{{ and }}",
            .execution("template: config:1:3: executing \"config\" at <and>: wrong number of args for and: want at least 1 got 0")),
        GoCase(
            "failInAnd", .full, "{{ and 1 (fail \"y\") }}",
            .execution("template: config:1:10: executing \"config\" at <fail \"y\">: error calling fail: y")),
    ]

    /// Printing: pointers dereferenced, nil pointers `<nil>`, no value `<no value>`, fmt's %v of composites; `print`.
    static let printing: [GoCase] = [
        GoCase(
            "printPtrs", .full,
            "{{ .Spec.Replicas }} {{ .Spec.Prefill.Replicas }} {{ .Spec.Model.Name }} {{ .Spec.Parallelism.Expert }} {{ .ObjectMeta.Generation }}",
            .ok("0 <nil> meta-llama true 0")),
        GoCase("printNilPtr", .bare, "{{ .Spec.Prefill }}|{{ .Spec.Model.Name }}|{{ nilValue }}", .ok("<nil>|<nil>|<no value>")),
        GoCase(
            "printComposite", .full, "{{ .GlobalConfig }}|{{ .ObjectMeta.Labels }}|{{ .Spec.Args }}|{{ .Spec.KVCacheOffloading }}",
            .ok("{true kserve map[a:b]}|map[app:llm tier:gpu]|[a b]|{true 10Gi}")),
        GoCase(
            "printStructPtr", .full, "{{ print .GlobalConfig }}|{{ .ObjectMeta }}|{{ print .ObjectMeta.Labels .Spec.Args }}",
            .ok("&{true kserve map[a:b]}|{llama ns map[app:llm tier:gpu] map[] 0}|map[app:llm tier:gpu] [a b]")),
        GoCase("dotPrint", .bare, "{{ .Spec.Model }}", .ok("{hf://x <nil>}")),
        GoCase(
            "print", .full, "{{ print 1 2 \"a\" \"b\" nil 3 true .Spec.Prefill.Replicas }}|{{ print }}|{{ print .Name 1 }}",
            .ok("1 2ab<nil> 3 true <nil>||llama1")),
        GoCase("funcAsArg", .full, "{{ not nilValue }} {{ print nilValue }}", .ok("true <nil>")),
    ]

}
