import ArgumentParser

@main
struct OTP: ParsableCommand {
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
