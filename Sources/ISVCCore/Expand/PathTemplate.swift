import Foundation

/// inferenceservice-config's `ingress.pathTemplate` (`reconcilers/ingress/path.go`,
/// `GenerateUrlPath`): the template applied to the InferenceService's name and namespace must give a
/// request URI that is a path (no scheme, no host). KServe then serves the InferenceService also at
/// `<urlScheme>://<ingressDomain><path>`; when the path is invalid it logs the error and makes no
/// top-level VirtualService.
enum PathTemplate {
    struct Invalid: Error, Sendable {
        var message: String
    }

    static func path(_ name: String, namespace: String, config: ClusterConfig) -> Result<String, Invalid> {
        guard let source = config.pathTemplate else { return .success("") }
        let rendered: String
        do {
            guard let text = try GoTemplate(source).execute(fields: ["Name": name, "Namespace": namespace]) else {
                return .failure(Invalid(message: "error rendering the url template: it names a field other than Name and Namespace"))
            }
            rendered = text
        } catch {
            return .failure(Invalid(message: "isvc cannot evaluate the pathTemplate: \(error.reason)"))
        }
        // url.ParseRequestURI: an absolute URI or an absolute path.
        guard rendered.hasPrefix("/") || rendered.contains("://") else {
            return .failure(Invalid(message: "invalid url \"\(rendered)\": parse \"\(rendered)\": invalid URI for request"))
        }
        guard let url = URLComponents(string: rendered) else {
            return .failure(Invalid(message: "invalid url \"\(rendered)\""))
        }
        if url.scheme != nil || url.host != nil {
            return .failure(Invalid(message: "invalid url path \"\(rendered)\": contains either a scheme or a host"))
        }
        return .success(url.path)
    }
}
