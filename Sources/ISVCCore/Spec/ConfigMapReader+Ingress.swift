/// inferenceservice-config's `ingress` key, as KServe's `NewIngressConfig` reads and checks it.
extension ConfigMapReader {
    /// `data.ingress`: the gateways, domains and URL scheme, with the KServe controller's checks.
    func applyIngress(_ field: JSONFields, _ object: [String: Any], at: SourceLocation, to config: inout ClusterConfig) {
        field.string("ingressGateway") { config.ingressGateway = $0 }
        field.string("kserveIngressGateway") { config.kserveIngressGateway = $0 }
        field.string("localGateway") { config.localGateway = $0 }
        field.string("localGatewayService") { config.localGatewayService = $0 }
        field.string("knativeLocalGatewayService") { config.knativeLocalGatewayService = $0.isEmpty ? nil : $0 }
        field.string("ingressDomain") { config.ingressDomain = $0 }
        field.string("ingressClassName") { config.ingressClassName = $0 }
        field.string("domainTemplate") { template in
            do throws(GoTemplate.Unsupported) {
                _ = try GoTemplate(template)
                config.domainTemplate = template
            } catch {
                diagnostics.report(
                    "inferenceservice-config data.ingress.domainTemplate is not applied: isvc evaluates fields and map entries only, and \(error.reason); KServe's default is used",
                    at: at, rule: ConfigMapRule.notRead)
            }
        }
        field.string("urlScheme") { config.urlScheme = $0 }
        field.string("pathTemplate") { config.pathTemplate = $0.isEmpty ? nil : $0 }
        field.bool("disableIstioVirtualHost") { config.disableIstioVirtualHost = $0 }
        field.bool("disableIngressCreation") { config.disableIngressCreation = $0 }
        field.bool("enableGatewayApi") { config.enableGatewayApi = $0 }
        field.stringList("additionalIngressDomains") { config.additionalIngressDomains = $0 }
        field.bool("disableHTTPRouteTimeout") { config.disableHTTPRouteTimeout = $0 }
        field.bool("enableLLMInferenceServiceTLS") { config.enableLLMInferenceServiceTLS = $0 }
        field.string("modelBasedRoutingHeaderName") { config.modelBasedRoutingHeaderName = $0 }
        field.string("modelBasedRoutingMode") { config.modelBasedRoutingMode = $0.lowercased() }
        field.warnUnknown()
        if object["ingressGateway"] as? String == nil || (object["ingressGateway"] as? String)?.isEmpty == true {
            diagnostics.report("invalid ingress config - ingressGateway is required", at: at, rule: ConfigMapRule.ingress)
        }
        if config.enableGatewayApi, (object["kserveIngressGateway"] as? String)?.isEmpty ?? true {
            diagnostics.report("invalid ingress config - kserveIngressGateway is required", at: at, rule: ConfigMapRule.ingress)
        }
        if config.pathTemplate != nil, object["ingressDomain"] == nil {
            diagnostics.report(
                "invalid ingress config - ingressDomain is required if pathTemplate is given",
                at: at, rule: ConfigMapRule.ingress)
        }
        if let template = config.pathTemplate {
            // Rendered for a sample InferenceService: a template isvc cannot evaluate is not applied;
            // one that gives no valid path makes KServe skip every top-level VirtualService.
            if case .failure(let invalid) = PathTemplate.path("foo", namespace: "bar", config: config) {
                if (try? GoTemplate(template)) == nil {
                    config.pathTemplate = nil
                    diagnostics.report(
                        "inferenceservice-config data.ingress.pathTemplate is not applied: \(invalid.message)", at: at,
                        rule: ConfigMapRule.notRead)
                } else {
                    diagnostics.report(
                        "inferenceservice-config data.ingress.pathTemplate: \(invalid.message) (for an InferenceService foo in bar); "
                            + "KServe logs this and creates no top-level VirtualService (nor HTTPRoutes) for any InferenceService",
                        at: at, rule: ConfigMapRule.ingress)
                }
            }
        }
    }
}
