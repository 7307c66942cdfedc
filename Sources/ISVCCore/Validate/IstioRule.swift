/// Rules on the Istio objects given as input, as Istio's validation and its translation to Envoy apply them.
public enum IstioRule: String, RuleFamily {
    case authzUnsupported = "istio.authz-unsupported"
    case policyNamespace = "istio.policy-namespace"
    case jwtForward = "istio.jwt-forward"
    case weight = "istio.weight"
    case percentage = "istio.percentage"
    case regex = "istio.regex"
    case unknownHost = "istio.unknown-host"
    case unknownDestination = "istio.unknown-destination"
    case unknownGateway = "istio.unknown-gateway"
    case unknownSubset = "istio.unknown-subset"

    public var definition: RuleDefinition {
        switch self {
        case .authzUnsupported: .warning("an AuthorizationPolicy field isvc does not translate to the gateway's RBAC filter")
        case .policyNamespace: .warning("a policy that selects the ingress gateway lives where the gateway runs (istio-system)")
        case .jwtForward: .warning("a RequestAuthentication jwtRule option isvc does not translate")
        case .weight: .error("route weights are not negative and not all zero")
        case .percentage: .error("a fault or mirror percentage is between 0 and 100")
        case .regex: .error("a match regex is a valid RE2 expression")
        case .unknownHost: .error("a DestinationRule's host is a service of the compiled graph")
        case .unknownDestination: .warning("a VirtualService route's destination host is a service of the compiled graph")
        case .unknownGateway: .warning("a VirtualService's gateways are Knative's or given in the input")
        case .unknownSubset: .error("a route's subset is defined by a DestinationRule for its host")
        }
    }
}
