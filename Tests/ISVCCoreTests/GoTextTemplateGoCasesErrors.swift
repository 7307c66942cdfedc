import Testing

@testable import ISVCCore

/// More of Go 1.19.8's output (see `GoCases`): builtins, functions, error positions, parse errors.
extension GoCases {
    /// `not`, `eq`, `ne`, `len`, `index` results and errors.
    static let builtins: [GoCase] = [
        GoCase(
            "not", .full, "{{ not .GlobalConfig.EnableTLS }} {{ not .Spec.Prefill }} {{ not 0 }} {{ not nil }}",
            .ok("false false true true")),
        GoCase(
            "notTwo", .full, "{{ not 1 2 }}",
            .execution("template: config:1:3: executing \"config\" at <not>: wrong number of args for not: want 1 got 2")),
        GoCase(
            "notNoArgs", .full, "{{ not }}",
            .execution("template: config:1:3: executing \"config\" at <not>: wrong number of args for not: want 1 got 0")),
        GoCase(
            "eqne", .full,
            "{{ eq .Name \"llama\" }} {{ eq .Name \"x\" \"llama\" }} {{ ne 1 2 }} {{ eq 1 1 }} {{ eq nil nil }} {{ eq .Spec.Prefill.Replicas nil }} {{ eq .Spec.Parallelism.Expert true }} {{ eq .ObjectMeta.Generation 0 }}",
            .ok("true true true true true true true true")),
        GoCase(
            "eqNils", .bare,
            "{{ eq .Spec.Prefill nil }} {{ eq .Spec.Args nil }} {{ eq .ObjectMeta.Labels nil }} {{ eq nil .Spec.Prefill }} {{ ne .Spec.Prefill nil }}",
            .ok("true true true true false")),
        GoCase(
            "eqNilsFull", .full,
            "{{ eq .Spec.Prefill nil }} {{ eq .Spec.Args nil }} {{ eq .ObjectMeta.Labels nil }} {{ eq .Spec.Prefill.Template .Spec.KVCacheOffloading }}",
            .ok("false false false false")),
        GoCase(
            "eqPtrInt", .full, "{{ eq .Spec.Replicas 1 }}",
            .execution(
                "template: config:1:3: executing \"config\" at <eq .Spec.Replicas 1>: error calling eq: incompatible types for comparison")),
        GoCase(
            "eqStrInt", .full, "{{ eq \"a\" 1 }}",
            .execution("template: config:1:3: executing \"config\" at <eq \"a\" 1>: error calling eq: incompatible types for comparison")),
        GoCase(
            "eqOne", .full, "{{ eq 1 }}",
            .execution("template: config:1:3: executing \"config\" at <eq 1>: error calling eq: missing argument for comparison")),
        GoCase(
            "neThree", .full, "{{ ne 1 2 3 }}",
            .execution("template: config:1:3: executing \"config\" at <ne>: wrong number of args for ne: want 2 got 3")),
        GoCase("eqUint8", .full, "{{ eq (index .Name 0) 108 }}", .ok("true")),
        GoCase("len", .full, "{{ len .ObjectMeta.Labels }} {{ len .Spec.Args }} {{ len \"héllo\" }} {{ len .Name }}", .ok("2 2 6 5")),
        GoCase("lenMap", .bare, "{{ len .ObjectMeta.Labels }}", .ok("0")),
        GoCase(
            "lenNilPtr", .bare, "{{ len .Spec.Prefill }}",
            .execution("template: config:1:3: executing \"config\" at <len .Spec.Prefill>: error calling len: len of nil pointer")),
        GoCase(
            "lenInt", .full, "{{ len 3 }}",
            .execution("template: config:1:3: executing \"config\" at <len 3>: error calling len: len of type int")),
        GoCase(
            "lenNil", .full, "{{ len nil }}",
            .execution(
                "template: config:1:3: executing \"config\" at <len nil>: error calling len: reflect: call of reflect.Value.Type on zero Value"
            )),
        GoCase(
            "index", .full,
            "{{ index .ObjectMeta.Labels \"app\" }}|{{ index .ObjectMeta.Labels \"zz\" }}|{{ index .Spec.Args 1 }}|{{ index .Spec.Model.URI 0 }}|{{ index .ObjectMeta.Labels }}",
            .ok("llm||b|104|map[app:llm tier:gpu]")),
        GoCase("indexNested", .full, "{{ index .Spec.Args 1 0 }}", .ok("98")),
        GoCase(
            "indexEmptySlice", .bare, "{{ len .Spec.Args }} {{ index .Spec.Args 0 }}",
            .execution(
                "template: config:1:24: executing \"config\" at <index .Spec.Args 0>: error calling index: reflect: slice index out of range"
            )),
        GoCase(
            "indexBadKey", .full, "{{ index .ObjectMeta.Labels 1 }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .ObjectMeta.Labels 1>: error calling index: value has type int; should be string"
            )),
        GoCase(
            "indexOut", .full, "{{ index .Spec.Args 2 }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .Spec.Args 2>: error calling index: reflect: slice index out of range"
            )),
        GoCase(
            "indexOut3", .full, "{{ index .Spec.Args 3 }}",
            .execution("template: config:1:3: executing \"config\" at <index .Spec.Args 3>: error calling index: index out of range: 3")),
        GoCase(
            "indexNeg", .full, "{{ index .Spec.Args -1 }}",
            .execution("template: config:1:3: executing \"config\" at <index .Spec.Args -1>: error calling index: index out of range: -1")),
        GoCase(
            "indexNil", .full, "{{ index nil 1 }}",
            .execution("template: config:1:3: executing \"config\" at <index nil 1>: error calling index: index of untyped nil")),
        GoCase(
            "indexNilPtr", .bare, "{{ index .Spec.Prefill 1 }}",
            .execution("template: config:1:3: executing \"config\" at <index .Spec.Prefill 1>: error calling index: index of nil pointer")),
        GoCase(
            "indexStrOut", .full, "{{ index .Name 5 }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .Name 5>: error calling index: reflect: string index out of range")),
        GoCase(
            "indexErrors1", .full, "{{ index .ObjectMeta.Labels nil }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .ObjectMeta.Labels nil>: error calling index: value is nil; should be of type string"
            )),
        GoCase(
            "indexErrors2", .full, "{{ index 1 0 }}",
            .execution("template: config:1:3: executing \"config\" at <index 1 0>: error calling index: can't index item of type int")),
        GoCase(
            "indexErrors3", .full, "{{ index .Spec.Args \"a\" }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .Spec.Args \"a\">: error calling index: cannot index slice/array with type string"
            )),
        GoCase(
            "indexErrors4", .full, "{{ index .Spec.Args nil }}",
            .execution(
                "template: config:1:3: executing \"config\" at <index .Spec.Args nil>: error calling index: cannot index slice/array with nil"
            )),
    ]

    /// The caller's functions: arguments (raw strings, nil, ints, nil pointers), results, errors.
    static let userFunctions: [GoCase] = [
        GoCase(
            "childName", .full, "{\"name\":\"{{ ChildName .ObjectMeta.Name `-epp-service` }}\"}", .ok("{\"name\":\"llama-epp-service\"}")),
        GoCase(
            "childNameArity", .full, "{{ ChildName .Name }}",
            .execution("template: config:1:3: executing \"config\" at <ChildName>: wrong number of args for ChildName: want 2 got 1")),
        GoCase(
            "childNameType", .full, "{{ ChildName .Name 1 }}",
            .execution("template: config:1:19: executing \"config\" at <1>: expected string; found 1")),
        GoCase("kvTransfer", .full, "{{ kvTransferConfig .Spec.KVCacheOffloading }}", .ok("{\"size\":\"10Gi\"}")),
        GoCase("kvTransferNil", .bare, "{{ kvTransferConfig .Spec.KVCacheOffloading }}", .ok("none")),
        GoCase("shutdown", .full, "{{ shutdownTimeout .Spec.Template 15 }}|{{ shutdownTimeout nil 15 }}", .ok("30|15")),
        GoCase(
            "failFunc", .full, "ok {{ fail `boom` }}",
            .execution("template: config:1:6: executing \"config\" at <fail `boom`>: error calling fail: boom")),
        GoCase(
            "failNested", .full, "{{ print (fail \"x\") }}",
            .execution("template: config:1:10: executing \"config\" at <fail \"x\">: error calling fail: x")),
        GoCase(
            "nilFuncChain", .full, "{{ (nilValue).X }}",
            .execution("template: config:1:4: executing \"config\" at <nilValue>: nil data; no entry for key \"X\"")),
        GoCase(
            "jsonPreset", .bare,
            "{\"args\":[\"--served-model-name\",\"{{ .Spec.Model.Name }}\"{{- if .GlobalConfig.EnableTLS }},\"--ssl\"{{- end }}{{- if and .Spec.Parallelism .Spec.Parallelism.Tensor }},\"--tp\",\"{{ .Spec.Parallelism.Tensor }}\"{{- end }}],\"dp\":{{ or .Spec.Parallelism.Data 1 }}}",
            .execution(
                "template: config:1:230: executing \"config\" at <.Spec.Parallelism.Data>: nil pointer evaluating *v1alpha2.ParallelismSpec.Data"
            )),
        GoCase(
            "jsonPresetFull", .full,
            "{\"args\":[\"--served-model-name\",\"{{ .Spec.Model.Name }}\"{{- if .GlobalConfig.EnableTLS }},\"--ssl\"{{- end }}{{- if and .Spec.Parallelism .Spec.Parallelism.Tensor }},\"--tp\",\"{{ .Spec.Parallelism.Tensor }}\"{{- end }}],\"dp\":{{ or .Spec.Parallelism.Data 1 }},\"svc\":\"{{ ChildName .ObjectMeta.Name `-epp-service` }}\",\"grace\":{{ shutdownTimeout .Spec.Template 15 }}}",
            .ok(
                "{\"args\":[\"--served-model-name\",\"meta-llama\",\"--ssl\",\"--tp\",\"2\"],\"dp\":4,\"svc\":\"llama-epp-service\",\"grace\":30}"
            )),
    ]

    /// Execution errors' LINE:COL (0-based byte column; a field chain's position is its second field's) and context.
    static let executionErrorPositions: [GoCase] = [
        GoCase(
            "multiLineExec", .full, "line1\n  {{ .Spec.Foo }}",
            .execution(
                "template: config:2:10: executing \"config\" at <.Spec.Foo>: can't evaluate field Foo in type v1alpha2.LLMInferenceServiceSpec"
            )),
        GoCase(
            "multiLineExec2", .full, "a\nb\néé{{ if true }}\n{{ and 1 .Spec.Bar }}{{ end }}",
            .execution(
                "template: config:4:14: executing \"config\" at <.Spec.Bar>: can't evaluate field Bar in type v1alpha2.LLMInferenceServiceSpec"
            )),
        GoCase(
            "colMultibyte", .full, "é{{ .Spec.Foo }}",
            .execution(
                "template: config:1:10: executing \"config\" at <.Spec.Foo>: can't evaluate field Foo in type v1alpha2.LLMInferenceServiceSpec"
            )),
        GoCase(
            "elseIfErr", .bare, "{{ if .GlobalConfig.EnableTLS }}a{{ else if .Spec.Parallelism.Tensor }}b{{ end }}",
            .execution(
                "template: config:1:49: executing \"config\" at <.Spec.Parallelism.Tensor>: nil pointer evaluating *v1alpha2.ParallelismSpec.Tensor"
            )),
        GoCase(
            "literalArgs", .full, "{{ 1 2 }}",
            .execution("template: config:1:3: executing \"config\" at <1>: can't give argument to non-function 1")),
        GoCase(
            "parenArgs", .full, "{{ (.Name) 2 }}",
            .execution("template: config:1:3: executing \"config\" at <(.Name) 2>: can't give argument to non-function .Name")),
        GoCase("nilCommand", .full, "{{ nil }}", .execution("template: config:1:3: executing \"config\" at <nil>: nil is not a command")),
    ]

    /// Parse errors: Go's message and line.
    static let parseErrors: [GoCase] = [
        GoCase("funcUndefined", .full, "{{ foo .Name }}", .parse("template: config:1: function \"foo\" not defined")),
        GoCase(
            "funcUndefinedLine", .full, "a\nb\n{{ if .X }}\n{{ bar }}{{ end }}", .parse("template: config:4: function \"bar\" not defined")),
        GoCase(
            "funcUndefinedMultiAction", .full, "{{ if\n and\n (baz) }}{{ end }}", .parse("template: config:3: function \"baz\" not defined")
        ),
        GoCase(
            "lineAfterComment", .full, "a\n\n{{- /* x\n */ -}}\n\n{{ foo }}", .parse("template: config:6: function \"foo\" not defined")),
        GoCase("lineInRawString", .full, "{{ `a\nb` }}{{ foo }}", .parse("template: config:2: function \"foo\" not defined")),
        GoCase("unrecognized", .full, "{{ .X é }}", .parse("template: config:1: function \"é\" not defined")),
        GoCase("unexpectedEOF", .full, "{{ if .X }}", .parse("template: config:1: unexpected EOF")),
        GoCase("elseIfEOF", .full, "{{ if 1 }}a{{ else if 2 }}b", .parse("template: config:1: unexpected EOF")),
        GoCase("unexpectedEnd", .full, "x\n{{ end }}", .parse("template: config:2: unexpected {{end}}")),
        GoCase("unexpectedElse", .full, "{{ else }}", .parse("template: config:1: unexpected {{else}}")),
        GoCase("unclosedAction", .full, "{{ .X", .parse("template: config:1: unclosed action")),
        GoCase("unclosedActionML", .full, "{{ if\n.X\n", .parse("template: config:3: unclosed action started at config:1")),
        GoCase("unterminatedQuote", .full, "{{ \"abc }}", .parse("template: config:1: unterminated quoted string")),
        GoCase(
            "doubleElse", .full, "{{ if .A }}x{{ else }}y{{ else }}z{{ end }}", .parse("template: config:1: expected end; found {{else}}")),
        GoCase("emptyAction", .full, "{{}}", .parse("template: config:1: missing value for command")),
        GoCase("emptyIf", .full, "{{ if }}{{ end }}", .parse("template: config:1: missing value for if")),
        GoCase("badChar", .full, "{{ .X# }}", .parse("template: config:1: bad character U+0023 '#'")),
        GoCase("badChar2", .full, "{{ .X @ }}", .parse("template: config:1: unexpected \"@\" in operand")),
        GoCase("badEscape", .full, "{{ \"\\q\" }}", .parse("template: config:1: invalid syntax")),
        GoCase("unclosedComment", .full, "{{/* x }}", .parse("template: config:1: unclosed comment")),
        GoCase("commentNotClosed", .full, "{{/* x */ .X }}", .parse("template: config:1: comment ends before closing delimiter")),
        GoCase("endArgs", .full, "{{ if 1 }}{{ end .X }}", .parse("template: config:1: unexpected \".X\" in end")),
        GoCase("dotAfterLiteral", .full, "{{ \"a\".X }}", .parse("template: config:1: unexpected . after term \"\\\"a\\\"\"")),
        GoCase("unclosedParen", .full, "{{ (.X }}", .parse("template: config:1: unclosed left paren")),
        GoCase("extraParen", .full, "{{ .X) }}", .parse("template: config:1: unexpected \")\" in command")),
        GoCase("emptyParen", .full, "{{ () }}", .parse("template: config:1: missing value for parenthesized pipeline")),
        GoCase("trimNoSpace", .full, "a {{-.Name}}", .parse("template: config:1: bad number syntax: \"-.N\"")),
        GoCase("trimEmpty", .full, "a {{- -}} b", .parse("template: config:1: illegal number syntax: \"-\"")),
        GoCase("hugeInt", .full, "{{ 99999999999999999999 }}", .parse("template: config:1: integer overflow: \"99999999999999999999\"")),
        GoCase(
            "longToken", .full, "{{ if 1 }}{{ end \"abcdefghijklmnop\" }}",
            .parse("template: config:1: unexpected \"\\\"abcdefghi\"... in end")),
        GoCase("break", .full, "{{ break }}", .parse("template: config:1: {{break}} outside {{range}}")),
        GoCase(
            "defineNested", .full, "{{ if 1 }}{{ define \"x\" }}{{ end }}{{ end }}",
            .parse("template: config:1: unexpected <define> in command")),
    ]
}
