import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

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
    /// The agent's process (`otp agent --vault PATH …`), found by its command line.
    func agentPID() -> Int32? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                let cmdline = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
            else { continue }
            let words = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            if words.count > 3, words[1] == "agent", words.contains(vaultPath) { return pid }
        }
        return nil
    }

    /// Issue 24, class 8: a client that connects and says nothing holds up no one (the agent drops it after its
    /// request deadline), a stopped agent makes no client hang (it gives up after its timeout and unlocks by
    /// itself), and a request with fields out of range is refused.
    @Test func aSilentClientOrAStoppedAgentHoldsNobodyUp() throws {
        try prepare()
        #expect(try CLI.run(["unlock", "--timeout", "60s"], environment: unlocked).status == 0)
        defer { _ = try? CLI.run(["lock"], environment: locked) }
        let base =
            ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 + "/otp" }
            ?? "/tmp/otp-\(getuid())"
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in vaultPath.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        let socketPath = base + "/agent-" + String(hash, radix: 16) + ".sock"
        let silent = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(socketPath.utf8))
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(silent, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(connected == 0, "\(socketPath)")
        var started = Date()
        #expect(try CLI.run(["code", "agent"], environment: locked).status == 0)
        #expect(Date().timeIntervalSince(started) < 20, "the silent client held the agent up")

        let agent = try #require(agentPID())
        kill(agent, SIGSTOP)
        defer { kill(agent, SIGCONT) }
        started = Date()
        let fallback = try CLI.run(["code", "agent"], environment: unlocked)
        #expect(fallback.status == 0 && Date().timeIntervalSince(started) < 40, "\(fallback.stderr)")
        kill(agent, SIGCONT)
        // A request with a field out of range, written by hand: refused by the agent, not acted on.
        let raw = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(raw) }
        let rawConnected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(raw, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(rawConnected == 0)
        let code = #"{"count":100000000,"at":0,"once":false,"oneAccount":false}"#
        let fields = #""command":"codes","vault":"\#(vaultPath)","code":\#(code)"#
        let request = Array("{\(fields)}".utf8) + [10]
        #expect(request.withUnsafeBytes { write(raw, $0.baseAddress, $0.count) } == request.count)
        var reply = [UInt8](repeating: 0, count: 4096)
        let n = reply.withUnsafeMutableBytes { read(raw, $0.baseAddress, $0.count) }
        let answer = String(decoding: reply.prefix(max(n, 0)), as: UTF8.self)
        #expect(answer.contains("refused") && answer.contains("count"), "\(answer)")
    }
}
