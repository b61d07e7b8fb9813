import CSystemShims
import Foundation
import OTPCrypto
import OTPSession
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// The unlocked agent (`otp unlock`): a process that holds one vault's master key in memory — locked pages when the
/// system allows, no core dumps, not ptrace-able by others — and answers code requests over a Unix socket in a
/// `0700` directory of the user's. It checks each peer's uid (`SO_PEERCRED`) and hands out codes only: never the
/// key, never a secret. It exits at its timeout or on `otp lock`, removing its socket.
enum Agent {
    /// A request, one JSON line.
    struct Request: Codable {
        var command: String  // "codes", "lock", "ping"
        var vault: String
        var query: String?
        var serial: String?
        var at: Int64 = 0
        var count: Int = 1
        var once = false
        var noWait = false
        var minRemaining: Int?

        /// What is wrong with a request, checked before the agent acts on it (any process of this user can send
        /// one): nil for a valid request.
        var problem: String? {
            guard ["codes", "lock", "ping"].contains(command) else { return "unknown command" }
            guard vault.utf8.count <= 4096, (query?.utf8.count ?? 0) <= 1024, (serial?.utf8.count ?? 0) <= 2048
            else { return "a field is too long" }
            guard (1...100).contains(count) else { return "count must be between 1 and 100" }
            guard (0...TimeOptions.latestTime).contains(at) else { return "the time is out of range" }
            if let minRemaining, !(0...86_400).contains(minRemaining) { return "min-remaining is out of range" }
            return nil
        }
    }

    /// A reply, one JSON line.
    struct Reply: Codable {
        var codes: [PrintedCodes] = []
        var damaged: [String] = []
        var skippedHOTP = 0
        var error: String?
        var status: Int32 = 0
        /// `--once` with `--no-wait` (or a fixed time): when the next step is due.
        var availableAt: Int64?
    }

    /// The agent's directory: `$XDG_RUNTIME_DIR/otp`, else `/tmp/otp-UID`; created `0700`, and refused unless it is
    /// a directory owned by us with no access for others (a planted directory or link is never used).
    static func directory(create: Bool = false) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 + "/otp" } ?? "/tmp/otp-\(getuid())"
        if create, mkdir(base, 0o700) != 0, errno != EEXIST {
            throw AgentError("cannot create \(base): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(base, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
            info.st_mode & 0o077 == 0
        else { throw AgentError("\(base) is not a private directory of this user (0700); remove it") }
        return base
    }

    /// The socket of the agent for `vault` (one agent per vault file).
    static func socketPath(vault: String, create: Bool = false) throws -> String {
        let absolute = vault.hasPrefix("/") ? vault : FileManager.default.currentDirectoryPath + "/" + vault
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: a name, not a secret
        for byte in absolute.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return try directory(create: create) + "/agent-" + String(hash, radix: 16) + ".sock"
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    // MARK: Client

    /// Sends a request to the vault's agent; `nil` when no agent answers (then the caller unlocks by itself).
    static func send(_ request: Request) -> Reply? {
        guard let path = try? socketPath(vault: request.vault) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard connect(fd, path) else { return nil }
        // An agent that was stopped (SIGSTOP) or hangs still accepts connections: the client gives up after a few
        // seconds and unlocks the vault itself instead of hanging.
        var timeout = timeval(tv_sec: clientTimeout, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard var line = try? JSONEncoder().encode(request) else { return nil }
        line.append(0x0A)
        guard writeAll(fd, line), let reply = readLine(fd) else { return nil }
        return try? JSONDecoder().decode(Reply.self, from: reply)
    }

    private static func connect(_ fd: Int32, _ path: String) -> Bool {
        withAddress(path) { address, length in Glibc.connect(fd, address, length) == 0 }
    }

    private static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8.prefix(107))
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Writes all of `data` to a socket. `MSG_NOSIGNAL`: a peer that went away is an error here, not the SIGPIPE
    /// that killed the agent when it answered a client that had given up.
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }

    /// How long a client waits for the agent's answer, in seconds.
    static let clientTimeout = 5
    /// How long the agent waits for one client's whole request: a slow or silent client is dropped after it, so it
    /// never holds up the others.
    static let requestDeadline: Double = 2

    /// One line (at most 64 KiB); with a deadline, nil when the whole line has not come by then.
    static func readLine(_ fd: Int32, deadline: Date? = nil) -> Data? {
        var data = Data()
        var byte: UInt8 = 0
        while data.count < 65_536 {
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard left > 0, poll(&poller, 1, Int32(left * 1000) + 1) > 0 else { return nil }
            }
            let n = read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { return data.isEmpty ? nil : data }
            if byte == 0x0A { return data }
            data.append(byte)
        }
        return nil
    }

    // MARK: Server

    /// Runs the agent for `vault` until `deadline` or a lock request. Called in the agent process.
    static func serve(vault: Vault, path vaultPath: String, deadline: Date) throws -> Never {
        // No core dumps, no ptrace by other processes of the user; keep the key out of swap when allowed.
        _ = CSystemShims_harden_process()
        let socketPath = try socketPath(vault: vaultPath, create: true)
        unlink(socketPath)
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw AgentError("socket: \(String(cString: strerror(errno)))") }
        let bound = withAddress(socketPath) { address, length in bind(listener, address, length) == 0 }
        guard bound, chmod(socketPath, 0o600) == 0, listen(listener, 16) == 0 else {
            throw AgentError("cannot listen on \(socketPath): \(String(cString: strerror(errno)))")
        }
        func finish() -> Never {
            unlink(socketPath)
            try? vault.close()
            exit(0)
        }
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { finish() }
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(left, 60) * 1000) + 1)
            if ready <= 0 { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            if handle(client, vault: vault, vaultPath: vaultPath) == .lock {
                close(client)
                finish()
            }
            close(client)
        }
    }

    enum Outcome { case served, lock }

    private static func handle(_ client: Int32, vault: Vault, vaultPath: String) -> Outcome {
        // Only this user: the socket's directory is 0700, and the peer's uid is checked too.
        guard CSystemShims_peer_uid(client) == Int64(getuid()) else { return .served }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let line = readLine(client, deadline: Date().addingTimeInterval(requestDeadline)),
            let request = try? JSONDecoder().decode(Request.self, from: line)
        else {
            return .served
        }
        var reply = Reply()
        if let problem = request.problem {
            reply.error = "the agent refused the request: \(problem)"
            reply.status = 64
        } else if absolute(request.vault) != absolute(vaultPath) {
            reply.error = "this agent holds another vault"
            reply.status = 2
        } else if request.command == "lock" {
            _ = respond(client, reply)
            return .lock
        } else if request.command == "codes" {
            reply = codes(request, vault: vault)
        }
        _ = respond(client, reply)
        return .served
    }

    private static func respond(_ client: Int32, _ reply: Reply) -> Bool {
        guard var data = try? JSONEncoder().encode(reply) else { return false }
        data.append(0x0A)
        return writeAll(client, data)
    }

    /// The same vault calls `otp code` makes itself.
    static func codes(_ request: Request, vault: Vault) -> Reply {
        var reply = Reply()
        let selector = request.serial.map(VaultQuery.serial) ?? VaultQuery(request.query)
        do {
            // A fresh pair: the codes of the next step when this one ends too soon; the client waits for it to
            // begin before printing.
            var at = request.at
            // Request fields are checked here too: a client is any process of this user.
            if request.once { try CodePlanner.checkOnce(at: at, clock: Int64(Date().timeIntervalSince1970)) }
            if request.once || (request.minRemaining ?? 0) > 0 {
                let selected = selector.select(try vault.entries())
                let accounts = selected.compactMap { try? $0.account.get() }
                at = try FreshStep.time(for: accounts, at: at, minRemaining: request.minRemaining, fixed: true)
                if request.once {
                    let entry = try selector.single(selected).entry
                    switch try vault.takeOnce(id: entry.id, at: at, count: request.count) {
                    case .codes(let codes): reply.codes = [PrintedCodes(codes, now: request.at)]
                    case .alreadyTaken(let availableAt): reply.availableAt = availableAt
                    }
                    return reply
                }
            }
            let report = try vault.codes(for: selector, at: at, count: request.count)
            reply.codes = report.codes.map { PrintedCodes($0, now: request.at) }
            reply.damaged = report.damaged.map { "entry \($0.id) is damaged and skipped: \($0.damage)" }
            reply.skippedHOTP = report.skippedHOTP.count
            reply.status = report.damaged.isEmpty ? 0 : 1
        } catch let error as VaultQueryError {
            reply.error = error.description
            reply.status = 1
        } catch let error as VaultCodesError {
            reply.error = error.description
            if case .query = error { reply.status = 1 } else { reply.status = 2 }
        } catch {
            reply.error = "\(error)"
            reply.status = 2
        }
        return reply
    }
}

struct AgentError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
