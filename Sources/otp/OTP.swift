import ArgumentParser
import Foundation
import OTPCore

@main
struct OTP: ParsableCommand {
    /// Runs the command. With `--json`, a failure of the whole command (a usage error, a vault that cannot be
    /// opened) still prints one JSON document on stdout, `{"error": {"code", "message"}}`, with the same exit status.
    static func main() {
        Terminal.jsonMode = CommandLine.arguments.dropFirst().contains("--json")
        if let problem = unknownSubcommand(Array(CommandLine.arguments.dropFirst())) {
            if Terminal.jsonMode { Terminal.errorDocument(code: "usage", message: problem) }
            Terminal.error("otp: \(problem)")
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            Terminal.error("otp: \(failure.description)")
            if Terminal.jsonMode, !Terminal.wroteJSON {
                Terminal.errorDocument(code: failure.code, message: failure.description)
            }
            Foundation.exit(failure.status)
        } catch {
            if Terminal.jsonMode, !(error is ExitCode), exitCode(for: error) != .success, !Terminal.wroteJSON {
                Terminal.errorDocument(code: "usage", message: fullMessage(for: error))
            }
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "otp",
        abstract: "Turn screenshots of MFA QR codes into one-time codes.",
        version: "otp 0.2.0 (swift-otp)",
        subcommands: [
            Scan.self, Check.self, Import.self, List.self, Code.self, Remove.self, Edit.self, Add.self, Init.self,
            Passwd.self, Export.self, Show.self, Backup.self, Unlock.self, Lock.self, Team.self, VaultCommand.self,
            AWSCommand.self, AgentCommand.self, ClearClipboard.self,
        ]
    )

    /// Subcommands other commands start, not people (`agent`, `clear-clipboard`).
    static let internalCommands: Set<String> = ["agent", "clear-clipboard"]

    /// The subcommand names, aliases included (the internal ones left out).
    static var commandNames: [String] {
        configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }.filter {
            !internalCommands.contains($0)
        }
    }

    /// A first word that is no subcommand (`otp imprt`), or `otp help` of one that does not exist: the error, with
    /// the nearest name when one is close.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        var words = arguments
        var helping = false
        if words.first == "help" {
            helping = true
            words.removeFirst()
        }
        guard let word = words.first, !word.hasPrefix("-"), !commandNames.contains(word),
            !internalCommands.contains(word)
        else {
            return nil
        }
        let nearest = commandNames.min { distance($0, word) < distance($1, word) }
        let suggestion = nearest.flatMap { distance($0, word) <= 2 ? " Did you mean '\($0)'?" : nil } ?? ""
        let kind = helping ? "no help for" : "unknown command"
        return "\(kind) '\(UntrustedText.escaped(word, limit: 40))'.\(suggestion) The commands: "
            + commandNames.joined(separator: ", ") + "."
    }

    /// Levenshtein distance (short words only).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(40))
        let b = Array(b.prefix(40))
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
