import ArgumentParser

@main
struct OTP: ParsableCommand {
    /// Runs the command. With `--json`, a failure of the whole command (a usage error, a vault that cannot be
    /// opened) still prints one JSON document on stdout, `{"error": {"code", "message"}}`, with the same exit status.
    static func main() {
        Terminal.jsonMode = CommandLine.arguments.dropFirst().contains("--json")
        do {
            var command = try parseAsRoot()
            try command.run()
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
            Passwd.self, Unlock.self, Lock.self, AgentCommand.self,
        ]
    )
}
