import Foundation
import Testing

/// `isvc help <command>`: every flag a command has is shown in one of its examples, and the
/// completion scripts ArgumentParser generates exist for the shells the README names.
@Suite("Command line: help and completions")
struct CLIHelpTests {
    static let commands = ["check", "compile", "diff", "serve"]

    /// The options in a help page's OPTIONS section, each with all its names ("-n", "--namespace"),
    /// without --help and --version.
    static func flags(_ help: String) -> [[String]] {
        guard let options = help.range(of: "\nOPTIONS:\n") else { return [] }
        return help[options.upperBound...].split(separator: "\n").compactMap { line -> [String]? in
            let trimmed = line.drop { $0 == " " }
            // An option line starts with its names ("-n, --namespace <namespace>", "--strict").
            guard trimmed.hasPrefix("-"), line.hasPrefix("  "), !line.hasPrefix("         ") else { return nil }
            let names = trimmed.split(separator: " ").prefix { $0.hasPrefix("-") }
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }
            return names.isEmpty ? nil : names
        }.filter { !$0.contains("--help") && !$0.contains("--version") }
    }

    @Test("every flag of every command is used in one of its help examples", arguments: commands)
    func examplesCoverFlags(_ command: String) throws {
        let help = try CLITests().run(["help", command])
        #expect(help.status == 0)
        let page = help.stdout
        let examples = try #require(
            page.components(separatedBy: "Examples:\n").dropFirst().first?
                .components(separatedBy: "\nUSAGE:").first, "isvc help \(command) has an Examples section")
        // The command lines of the examples, with their continuation lines joined.
        let commands = examples.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n")
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }
            .filter { $0.contains("isvc \(command)") }
            .joined(separator: "\n")
        let flags = Self.flags(page)
        #expect(flags.count >= 5, "flags of \(command): \(flags)")
        let words = Set(commands.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for names in flags {
            #expect(names.contains { words.contains($0) }, "isvc help \(command): no example uses \(names)")
        }
        // ArgumentParser wraps lines past 80 columns; an example must not be cut in two.
        for line in examples.split(separator: "\n") { #expect(line.count <= 80, "too long: \(line)") }
    }

    @Test("completion scripts for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) throws {
        let r = try CLITests().run(["--generate-completion-script", shell])
        #expect(r.status == 0)
        // Each subcommand and a flag of serve are completed.
        for word in Self.commands + ["--watch"] { #expect(r.stdout.contains(word), "\(shell): \(word)") }
    }
}
