import Testing

@testable import ISVCCore

/// The text/template subset behind Knative's domain-template and tag-template and KServe's
/// ingress domainTemplate, with Go's answers for each case.
@Suite("Go templates")
struct GoTemplateTests {
    @Test("fields, map entries (dotted and with index), trimming, and Go's <no value> for a missing entry")
    func evaluates() throws {
        let fields = ["Name": "foo", "Namespace": "bar", "Domain": "example.com", "Tag": "v2"]
        let maps = ["Labels": ["app": "web"], "Annotations": [:]]
        func run(_ source: String) throws -> String? { try GoTemplate(source).execute(fields: fields, maps: maps) }
        #expect(try run("{{.Name}}.{{.Namespace}}.{{.Domain}}") == "foo.bar.example.com")
        #expect(try run("{{ .Name }}-{{ .Namespace }}.{{ .Domain }}") == "foo-bar.example.com")
        #expect(try run("{{.Labels.app}}.{{.Name}}") == "web.foo")
        #expect(try run(#"{{index .Labels "app"}}-{{.Tag}}"#) == "web-v2")
        #expect(try run("{{.Annotations.missing}}.{{.Name}}") == "<no value>.foo")
        #expect(try run("{{.Name}}  {{- .Tag}}") == "foov2")
        #expect(try run("{{.Name -}}  .{{.Tag}}") == "foo.v2")
        // A field the data does not have: Go fails executing the template.
        #expect(try run("{{.Revision}}.{{.Domain}}") == nil)
        #expect(try GoTemplate("no actions").execute(fields: [:]) == "no actions")
    }

    @Test(
        "what isvc does not evaluate is refused, not guessed",
        arguments: ["{{.Name | lower}}", "{{if .Tag}}x{{end}}", "{{.Name", "{{.A.b.c}}", "{{printf \"%s\" .Name}}"])
    func refuses(_ source: String) {
        #expect(throws: GoTemplate.Unsupported.self) { try GoTemplate(source) }
    }
}
