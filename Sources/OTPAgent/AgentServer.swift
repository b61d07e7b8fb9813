import CSystemShims
public import Foundation
public import OTPSession
public import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// The unlocked agent (`otp unlock`): holds one vault open — its master key in memory — and answers code requests
/// over a Unix socket in the endpoint's `0700` directory. It checks each peer's uid (`SO_PEERCRED`) and hands out
/// codes only: never the key, never a secret. The codes are ``CodeService``'s, the same call `otp code` makes on a
/// vault it opened itself. The process hardening (no core dumps, no ptrace) is the caller's: the agent process does
/// it before it opens the vault.
public final class AgentServer: Sendable {
    /// How long the agent waits for one client's whole request: a slow or silent client is dropped after it, so it
    /// never holds up the others.
    public static let requestDeadline: Duration = .seconds(2)

    let vault: Vault
    let vaultPath: String
    let endpoint: AgentEndpoint
    let clock: @Sendable () -> Int64

    /// - Parameter clock: Unix seconds now (injected by tests; `--once` requests are checked against it).
    public init(
        vault: Vault, vaultPath: String, endpoint: AgentEndpoint = AgentEndpoint(),
        clock: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.vault = vault
        self.vaultPath = AgentEndpoint.absolute(vaultPath)
        self.endpoint = endpoint
        self.clock = clock
    }

    /// Listens until `deadline` or a lock request, then removes its socket and returns. The socket is bound before
    /// this returns control to the loop, so a client that sees `ready` called can connect.
    public func run(until deadline: ContinuousClock.Instant, ready: () -> Void = {}) throws(AgentError) {
        let socketPath = try endpoint.socketPath(vault: vaultPath, create: true)
        unlink(socketPath)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw AgentError("socket: \(String(cString: strerror(errno)))") }
        defer {
            close(listener)
            unlink(socketPath)
        }
        let bound = AgentLine.withAddress(socketPath) { bind(listener, $0, $1) == 0 }
        guard bound, chmod(socketPath, 0o600) == 0, listen(listener, 16) == 0 else {
            throw AgentError("cannot listen on \(socketPath): \(String(cString: strerror(errno)))")
        }
        ready()
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let wait = min(left, .seconds(60)) / .milliseconds(1)
            guard poll(&poller, 1, Int32(wait) + 1) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            let locked = serve(client)
            close(client)
            if locked { return }
        }
    }

    /// Answers one client; true when it asked the agent to stop.
    private func serve(_ client: Int32) -> Bool {
        // Only this user: the socket's directory is 0700, and the peer's uid is checked too.
        guard CSystemShims_peer_uid(client) == Int64(getuid()) else { return false }
        AgentLine.setTimeouts(client, seconds: 2, receive: false)
        guard let line = AgentLine.read(client, deadline: .now + Self.requestDeadline),
            let request = try? JSONDecoder().decode(AgentRequest.self, from: line)
        else { return false }
        let reply = reply(to: request)
        _ = AgentLine.write(client, reply)
        return request.command == .lock && reply.error == nil
    }

    /// The reply to a request (what the socket carries back).
    public func reply(to request: AgentRequest) -> AgentReply {
        if let problem = request.problem {
            return AgentReply(error: "the agent refused the request: \(problem)", status: 64)
        }
        guard AgentEndpoint.absolute(request.vault) == vaultPath else {
            return AgentReply(error: "this agent holds another vault", status: 2)
        }
        guard request.command == .codes, let code = request.code else { return AgentReply() }
        do {
            switch try CodeService.answer(code, vault: vault, clock: clock()) {
            case .codes(let answer): return AgentReply(answer: answer)
            case .due(let time): return AgentReply(due: time)
            }
        } catch {
            return AgentReply(error: error.description, status: error.status)
        }
    }
}
