import Foundation

/// Rules on writing the compiled output.
public enum OutputRule: String, RuleFamily {
    case unwritable = "output.unwritable"

    public var definition: RuleDefinition {
        switch self {
        case .unwritable: .error("the --out directory can be created and written")
        }
    }
}

/// `isvc compile --out DIR`: one file per object and a kustomization.yaml, replacing the `.yaml`
/// files an earlier compile left there (they would otherwise be applied though listed nowhere).
public enum OutputDirectory {
    /// Writes the plan's files into `dir`; a diagnostic on the directory when it cannot.
    public static func write(_ plan: Plan, to dir: String) -> Diagnostic? {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: dir) where name.hasSuffix(".yaml") {
                try fm.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
            }
            for file in PlanRenderer.files(plan) {
                let path = (dir as NSString).appendingPathComponent(file.path)
                try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path))
            }
            return nil
        } catch {
            return Diagnostic(
                OutputRule.unwritable, "cannot write the output directory: \(error.localizedDescription)",
                at: .wholeFile(dir))
        }
    }
}
