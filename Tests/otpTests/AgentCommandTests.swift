import Foundation
import Testing

/// `otp unlock` / `otp lock`: codes without a passphrase while the agent runs, for this user only, until the
/// timeout or the lock.
@Suite(.serialized) struct AgentCommandTests {
    let directory: URL
    let vaultPath: String

    init() throws {
        directory = try CLI.temporaryDirectory()
        vaultPath = directory.appendingPathComponent("vault/vault.sqlite").path
    }

    /// No passphrase in the environment: only the agent can answer.
    var locked: [String: String] { ["OTP_VAULT": vaultPath, "OTP_PASSPHRASE": ""] }
    var unlocked: [String: String] { ["OTP_VAULT": vaultPath, "OTP_PASSPHRASE": "agent tests"] }

    func prepare() throws {
        let uri = "otpauth://totp/Agent:a?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=Agent"
        #expect(try CLI.run(["import", "--create", "-"], stdin: uri + "\n", environment: unlocked).status == 0)
    }

    @Test func codesWithoutPassphraseUntilLock() throws {
        try prepare()
        #expect(try CLI.run(["code", "agent"], environment: locked).status == 2)
        #expect(try CLI.run(["unlock", "--timeout", "60s"], environment: unlocked).status == 0)
        defer { _ = try? CLI.run(["lock"], environment: locked) }
        let code = try CLI.run(["code", "agent", "--format", "raw"], environment: locked)
        #expect(code.status == 0 && code.stdout.range(of: #"^[0-9]{6}\n$"#, options: .regularExpression) != nil)
        let json = try CLI.run(["code", "agent", "--json", "--at", "59"], environment: locked)
        #expect((json.json as? [[String: Any]])?.first?["account"] as? String == "a")
        // Another user cannot use the socket (its directory is 0700, and the agent checks the peer's uid).
        if getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") {
            let other = try CLI.run(
                [
                    "-u", "nobody", "--", "env", "OTP_VAULT=\(vaultPath)", "OTP_PASSPHRASE=", CLI.binary.path, "code",
                    "agent",
                ],
                environment: locked, executable: URL(fileURLWithPath: "/usr/sbin/runuser"), wrapped: false)
            #expect(other.status != 0 && other.stdout.isEmpty)
        }
        #expect(try CLI.run(["lock"], environment: locked).status == 0)
        #expect(try CLI.run(["code", "agent"], environment: locked).status == 2)
    }

    @Test func theAgentEndsAtItsTimeout() throws {
        try prepare()
        // 5 s: time enough for the first request on a busy machine; the agent must be gone 2 s after.
        let started = Date()
        #expect(try CLI.run(["unlock", "--timeout", "5s"], environment: unlocked).status == 0)
        #expect(
            try CLI.run(["code", "agent"], environment: locked).status == 0 || Date().timeIntervalSince(started) > 4)
        Thread.sleep(forTimeInterval: max(0, 7 - Date().timeIntervalSince(started)))
        #expect(try CLI.run(["code", "agent"], environment: locked).status == 2)
    }

    @Test func aWrongPassphraseStartsNoAgent() throws {
        try prepare()
        let wrong = try CLI.run(["unlock"], environment: ["OTP_VAULT": vaultPath, "OTP_PASSPHRASE": "wrong"])
        #expect(wrong.status == 2)
        #expect(try CLI.run(["code", "agent"], environment: locked).status == 2)
    }
}
