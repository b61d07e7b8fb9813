import Foundation
import OTPAgent
import OTPCore
import OTPCrypto
import OTPSession
import OTPVault
import Testing
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The agent in process: its server loop on a thread, the real client over a real Unix socket, the vault a real
/// SQLite file, the clock injected (so `--once` is tested at the RFC 6238 times without waiting).
@Suite(.serialized) struct AgentServerTests {
    static let rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    let directory: String
    let vaultPath: String
    let endpoint: AgentEndpoint
    let vault: Vault

    init() throws {
        var template = Array("/tmp/otp-agent-tests.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw AgentError("mkdtemp failed") }
        directory = String(cString: made)
        vaultPath = directory + "/vault.sqlite"
        endpoint = AgentEndpoint(directory: directory + "/otp")
        let cheap = ScryptParameters(n: 1 << 10, r: 8, p: 1)
        vault = try Vault.open(path: vaultPath, passphrase: SecureBytes(Array("agent".utf8)), create: true, kdf: cheap)
            .vault
        let uris = [
            "otpauth://totp/Example:alice?secret=\(Self.rfcSecret)&issuer=Example&digits=8",
            "otpauth://hotp/Counter:bob?secret=\(Self.rfcSecret)&issuer=Counter&counter=0",
        ]
        _ = try vault.add(uris.compactMap { OTPAuthURI.parse($0).account })
    }

    /// Runs the agent on a thread for the body, then locks it and checks that the loop returned and removed its
    /// socket.
    func withAgent(clock: Int64 = 59, _ body: (String) throws -> Void) throws {
        let ready = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let server = AgentServer(vault: vault, vaultPath: vaultPath, endpoint: endpoint, clock: { clock })
        let thread = Thread {
            try? server.run(until: .now + .seconds(60), ready: { ready.signal() })
            done.signal()
        }
        thread.start()
        #expect(ready.wait(timeout: .now() + 10) == .success)
        try body(try endpoint.socketPath(vault: vaultPath))
        #expect(AgentClient.send(AgentRequest(command: .lock, vault: vaultPath), endpoint: endpoint) != nil)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(!FileManager.default.fileExists(atPath: try endpoint.socketPath(vault: vaultPath)))
        // The test thread, not the server's, drops the last reference to the server and closes the vault: a
        // vault released by a Foundation Thread as it exits corrupted the heap (4 runs in 6; the agent process runs
        // its server on the main thread).
        withExtendedLifetime(server) {}
        try vault.close()
    }

    func codes(_ request: CodeRequest) -> AgentReply? {
        AgentClient.send(AgentRequest(command: .codes, vault: vaultPath, code: request), endpoint: endpoint)
    }

    @Test func codesOnceAndRefusals() throws {
        try withAgent { _ in
            #expect(AgentClient.send(AgentRequest(command: .ping, vault: vaultPath), endpoint: endpoint) != nil)
            // RFC 6238 Appendix B: SHA1, T = 59 s → 94287082.
            let alice = codes(CodeRequest(query: "alice", at: 59))
            #expect(alice?.answer?.codes.map { $0.codes.map(\.value) } == [["94287082"]])
            // --once: the step of 59 s is handed out once; the next is due at 60 s.
            let first = codes(CodeRequest(query: "alice", at: 59, once: true))
            #expect(first?.answer?.codes.first?.codes.first?.value == "94287082")
            #expect(codes(CodeRequest(query: "alice", at: 59, once: true))?.due == 60)
            // --once is for the current step only (the injected clock says 59).
            #expect(codes(CodeRequest(query: "alice", at: 100_000, once: true))?.status == 64)
            // One account where one is needed: both accounts match nothing narrower, nothing moves.
            let ambiguous = codes(CodeRequest(query: nil, at: 59, oneAccount: true))
            #expect(ambiguous?.status == 1 && ambiguous?.answer == nil)
            // HOTP only when asked for; RFC 4226 Appendix D.
            let all = codes(CodeRequest(at: 59))
            #expect(all?.answer?.skippedHOTP == 1 && all?.answer?.codes.count == 1)
            #expect(
                codes(CodeRequest(query: "bob", at: 0, count: 2))?.answer?.codes.first?.codes.map(\.value)
                    == ["755224", "287082"])
            // Checked fields, another vault.
            #expect(codes(CodeRequest(query: "alice", at: 59, count: 0))?.status == 64)
            #expect(codes(CodeRequest(query: "alice", at: -1))?.status == 64)
            // Another vault's socket has another name; the check behind it, for a name that collides.
            let other = AgentServer(vault: vault, vaultPath: vaultPath, endpoint: endpoint).reply(
                to: AgentRequest(command: .codes, vault: directory + "/other.sqlite", code: CodeRequest(at: 59)))
            #expect(other.status == 2 && other.error == "this agent holds another vault")
        }
    }

    @Test func aFreshPairComesFromTheNextStep() throws {
        try withAgent(clock: 55) { _ in
            // 5 s left at 55: with --min-remaining 20 the pair starts at 60 (RFC 6238: 07081804 is T = 1111111109,
            // so check against the generator instead of a table).
            let reply = codes(CodeRequest(query: "alice", at: 55, count: 2, minRemaining: 20))
            let answer = try #require(reply?.answer)
            #expect(answer.startsAfter(55) == 60)
            let account = try #require(
                OTPAuthURI.parse(
                    "otpauth://totp/Example:alice?secret=\(Self.rfcSecret)&issuer=Example&digits=8"
                ).account)
            let expected = try OTPGenerator(account: account).codes(at: 60, count: 2).map(\.value)
            #expect(answer.codes.first?.codes.map(\.value) == expected)
        }
    }

    @Test func silentGarbageAndHugeClientsDoNotStopIt() throws {
        try withAgent { socketPath in
            // Garbage, a line past the cap, and a client that hangs up without a word.
            for payload in [Data("not json\n".utf8), Data(repeating: 0x41, count: 70_000), Data()] {
                let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_un()
                address.sun_family = sa_family_t(AF_UNIX)
                withUnsafeMutableBytes(of: &address.sun_path) { raw in
                    let bytes = Array(socketPath.utf8)
                    raw.copyBytes(from: bytes)
                    raw[bytes.count] = 0
                }
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
                #expect(connected == 0)
                _ = payload.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
            }
            #expect(codes(CodeRequest(query: "alice", at: 59))?.answer?.codes.count == 1)
        }
    }

    @Test func aDirectoryOthersCanReadIsRefused() throws {
        defer { try? vault.close() }
        let open = directory + "/open"
        #expect(mkdir(open, 0o755) == 0)
        #expect(throws: AgentError.self) { try AgentEndpoint(directory: open).checkedDirectory() }
        // No agent: the client says so with nil, and the caller unlocks by itself.
        #expect(AgentClient.send(AgentRequest(command: .ping, vault: vaultPath), endpoint: endpoint) == nil)
    }
}

/// Keeps the XCTest runner's closing line counting this target.
final class AgentWireXCTests: XCTestCase {
    func testARequestRoundTripsAsOneJSONLine() throws {
        let request = AgentRequest(command: .codes, vault: "/v", code: CodeRequest(query: "a", at: 59, once: true))
        let data = try JSONEncoder().encode(request)
        XCTAssertFalse(data.contains(0x0A))
        let decoded = try JSONDecoder().decode(AgentRequest.self, from: data)
        XCTAssertEqual(decoded.code, request.code)
        XCTAssertNil(decoded.problem)
    }
}
