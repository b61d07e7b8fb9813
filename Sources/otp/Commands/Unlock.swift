import ArgumentParser
import CSystemShims
import Foundation
import OTPAgent
import OTPCrypto
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// `otp unlock [--timeout 15m]`: start the agent that answers code requests without a passphrase.
struct Unlock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Unlock the vault for unattended use: an agent answers otp code until the timeout or otp lock.",
        discussion: """
            The agent holds the vault's key in memory (locked pages when allowed, no core dumps) and hands out codes \
            only, never the key or a secret, over a Unix socket in $XDG_RUNTIME_DIR/otp (else /tmp/otp-UID), a \
            0700 directory; it checks that each caller is this user. otp code uses it when it runs.
            """)

    @OptionGroup var vault: VaultOptions

    @Option(help: ArgumentHelp("How long the agent runs: 90s, 15m, 8h (default 15m).", valueName: "duration"))
    var timeout = "15m"

    static func seconds(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        if let unit = text.last, let factor = units[unit], let n = Int(text.dropLast()), n > 0 {
            // A huge number is an error, not a trap.
            let (seconds, overflow) = n.multipliedReportingOverflow(by: factor)
            return overflow ? nil : seconds
        }
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }

    func validate() throws {
        guard let seconds = Self.seconds(timeout), seconds <= 7 * 86_400 else {
            throw ValidationError("--timeout is a duration such as 90s, 15m or 8h (at most 7 days).")
        }
    }

    func run() throws {
        try vault.requireFile("otp unlock")
        let path = AgentEndpoint.absolute(vault.path)
        let seconds = Self.seconds(timeout) ?? 900
        let passphrase = try vault.passphrase()
        // Check the passphrase here, so a wrong one is reported by this command, not lost in the agent.
        try withVaultErrors {
            do {
                try Vault.withVault(path: path, passphrase: passphrase, create: false) { (_: VaultOpening) in }
            } catch let error as VaultError {
                throw VaultFailure(error)
            }
        }
        let process = try Self.startAgent(path: path, seconds: seconds, passphrase: passphrase)
        for _ in 0..<100 {
            if AgentClient.send(AgentRequest(command: .ping, vault: path)) != nil {
                Terminal.error("otp: unlocked \(path) for \(timeout) (otp lock ends it)")
                return
            }
            if !process.isRunning { break }
            usleep(50_000)
        }
        Terminal.error("otp: the agent did not start")
        throw ExitCode(2)
    }
}

extension Unlock {
    /// Starts `otp agent` detached, the passphrase on its stdin (never in its arguments or environment).
    static func startAgent(path: String, seconds: Int, passphrase: SecureBytes) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["agent", "--vault", path, "--seconds", String(seconds)]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = passphrase.withUnsafeBytes { Data($0) }
        line.append(0x0A)
        input.fileHandleForWriting.write(line)
        line.resetBytes(in: 0..<line.count)
        try input.fileHandleForWriting.close()
        return process
    }
}

/// `otp lock`: stop the agent.
struct Lock: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stop the agent started by otp unlock.")

    @OptionGroup var vault: VaultOptions

    func run() throws {
        let path = AgentEndpoint.absolute(vault.path)
        if AgentClient.send(AgentRequest(command: .lock, vault: path)) != nil {
            Terminal.error("otp: locked \(path)")
        } else {
            Terminal.error("otp: no agent was running for \(path)")
        }
    }
}

/// The agent process itself (started by `otp unlock`; not for people).
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agent", shouldDisplay: false)

    @Option var vault: String
    @Option var seconds: Int

    func run() throws {
        // The passphrase arrives on stdin (never in arguments or the environment).
        guard let data = AgentClient.readPassphraseLine(STDIN_FILENO) else { throw ExitCode(2) }
        var bytes = [UInt8](data)
        let passphrase = SecureBytes(bytes)
        for i in bytes.indices { bytes[i] = 0 }
        setsid()
        signal(SIGHUP, SIG_IGN)
        // No core dumps, no ptrace by other processes of the user; keep the key out of swap when allowed.
        _ = CSystemShims_harden_process()
        let opening = try Vault.open(path: vault, passphrase: passphrase, create: false)
        try AgentServer(vault: opening.vault, vaultPath: vault).run(until: .now + .seconds(seconds))
        try? opening.vault.close()
    }
}
