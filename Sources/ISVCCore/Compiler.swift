/// The pipeline in one call: sources -> inputs -> validated spec -> plan, with one diagnostics collector.
public enum Compiler {
    public struct Options: Sendable {
        public var defaultNamespace = "default"
        public var mode: DeploymentMode?
        public init() {}
    }

    public struct Result: Sendable {
        public var inputs: Inputs
        public var validated: ValidatedSpec
        public var plan: Plan
    }

    public static func compile(_ sources: [InputLoader.Source], options: Options, diagnostics: Diagnostics) -> Result {
        let inputs = InputLoader.load(sources, defaultNamespace: options.defaultNamespace, diagnostics: diagnostics)
        let validated = Validator.validate(inputs, mode: options.mode, diagnostics: diagnostics)
        let plan = diagnostics.hasErrors ? Plan() : Expander.expand(validated)
        return Result(inputs: inputs, validated: validated, plan: plan)
    }
}
