import Foundation

/// config-network's `domain-template` and `tag-template` (and their old names `domainTemplate`,
/// `tagTemplate`), as knative.dev/networking's config reads and checks them: a domain template
/// applied to a sample Route must give a host with no path; a tag template must execute.
extension ConfigMapReader {
    func applyNetwork(key: String, value: String, at: SourceLocation, to config: inout ClusterConfig) -> Bool {
        let domain: Bool
        switch key {
        case "domain-template", "domainTemplate": domain = true
        case "tag-template", "tagTemplate": domain = false
        default: return false
        }
        let template: GoTemplate
        do {
            template = try GoTemplate(value)
        } catch {
            diagnostics.report(
                "config-network data.\(key) is not applied: isvc evaluates fields and map entries only, and \(error.reason); Knative's default is used",
                at: at, rule: ConfigMapRule.notRead)
            return true
        }
        if domain {
            guard !template.names.contains("Annotations") else {
                diagnostics.report(
                    "config-network data.\(key) is not applied: isvc does not pass the Route's annotations to the template yet; Knative's default is used",
                    at: at, rule: ConfigMapRule.notRead)
                return true
            }
            // checkDomainTemplate: a sample Route's host must parse as https://<host> with no path.
            let sample = template.execute(fields: ["Name": "foo", "Namespace": "bar", "Domain": "baz.com"], maps: ["Labels": [:]])
            guard let sample else {
                return refuse(key, "template: domain-template: can't evaluate a field other than Name, Namespace, Domain, Labels", at: at)
            }
            guard let url = URLComponents(string: "https://" + sample), let host = url.host, !host.isEmpty else {
                return refuse(key, "empty hostname (the sample Route foo.bar with domain baz.com gives \"\(sample)\")", at: at)
            }
            let path = url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
            guard path.isEmpty || path == "/" else { return refuse(key, "domain template has url path: \(path)", at: at) }
            config.knativeDomainTemplate = template
        } else {
            guard template.execute(fields: ["Name": "foo", "Tag": "v2"]) != nil else {
                return refuse(key, "template: tag-template: can't evaluate a field other than Name and Tag", at: at)
            }
            config.knativeTagTemplate = template
        }
        return true
    }

    func refuse(_ key: String, _ why: String, at: SourceLocation) -> Bool {
        diagnostics.report(
            "config-network data.\(key): \(why); Knative refuses this config-network", at: at, rule: ConfigMapRule.network)
        return true
    }
}
