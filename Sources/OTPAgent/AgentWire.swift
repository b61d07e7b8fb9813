public import Foundation
public import OTPSession

#if canImport(Glibc)
    import Glibc
#endif

/// A request to the agent: one JSON line.
public struct AgentRequest: Codable, Sendable {
    public enum Command: String, Codable, Sendable {
        case codes, lock, ping
    }

    public var command: Command
    /// The vault file the client means (absolute): an agent holds one vault and refuses requests for another.
    public var vault: String
    /// For ``Command/codes``.
    public var code: CodeRequest?

    public init(command: Command, vault: String, code: CodeRequest? = nil) {
        self.command = command
        self.vault = vault
        self.code = code
    }

    /// What is wrong with a request, checked before the agent acts on it (any process of this user can send one):
    /// nil for a valid request.
    public var problem: String? {
        guard vault.utf8.count <= 4096 else { return "a field is too long" }
        if command == .codes {
            guard let code else { return "a codes request needs its codes" }
            return code.problem
        }
        return nil
    }
}

/// The agent's reply: one JSON line.
public struct AgentReply: Codable, Sendable {
    /// The codes, when the request got some.
    public var answer: CodesAnswer?
    /// `--once`: when the next step not yet handed out begins.
    public var due: Int64?
    /// Why the request got nothing (escaped by the client before printing: it is text from another process).
    public var error: String?
    /// The exit status the client uses for `error`.
    public var status: Int32 = 0

    public init(answer: CodesAnswer? = nil, due: Int64? = nil, error: String? = nil, status: Int32 = 0) {
        self.answer = answer
        self.due = due
        self.error = error
        self.status = status
    }
}

public struct AgentError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where the agent of a vault listens: `$XDG_RUNTIME_DIR/otp`, else `/tmp/otp-UID`, a directory created `0700`
/// and refused unless it is a directory owned by this user with no access for others (a planted directory or link
/// is never used); one socket per vault file.
public struct AgentEndpoint: Sendable {
    public let directory: String

    /// The endpoint the environment names.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        directory =
            environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 + "/otp" } ?? "/tmp/otp-\(getuid())"
    }

    public init(directory: String) { self.directory = directory }

    /// The private directory, created when asked.
    public func checkedDirectory(create: Bool = false) throws(AgentError) -> String {
        if create, mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw AgentError("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard lstat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid(),
            info.st_mode & 0o077 == 0
        else { throw AgentError("\(directory) is not a private directory of this user (0700); remove it") }
        return directory
    }

    /// The socket of the agent for `vault`.
    public func socketPath(vault: String, create: Bool = false) throws(AgentError) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325  // FNV-1a: a name, not a secret
        for byte in Self.absolute(vault).utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return try checkedDirectory(create: create) + "/agent-" + String(hash, radix: 16) + ".sock"
    }

    /// `path` from the current directory when it is relative.
    public static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// Lines over a socket: requests and replies are one JSON line each, at most 64 KiB.
enum AgentLine {
    static let limit = 65_536

    /// Writes all of `data` and a newline. `MSG_NOSIGNAL`: a peer that went away is an error here, not the SIGPIPE
    /// that killed the agent when it answered a client that had given up.
    static func write(_ fd: Int32, _ value: some Encodable) -> Bool {
        guard var data = try? JSONEncoder().encode(value) else { return false }
        data.append(0x0A)
        return data.withUnsafeBytes { raw in
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

    /// One line; with a deadline, nil when the whole line has not come by then.
    static func read(_ fd: Int32, deadline: ContinuousClock.Instant? = nil) -> Data? {
        var data = Data()
        var byte: UInt8 = 0
        while data.count < limit {
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard left > .zero, poll(&poller, 1, Int32(left / .milliseconds(1)) + 1) > 0 else { return nil }
            }
            let n = Glibc.read(fd, &byte, 1)
            if n < 0, errno == EINTR { continue }
            guard n == 1 else { return data.isEmpty ? nil : data }
            if byte == 0x0A { return data }
            data.append(byte)
        }
        return nil
    }

    /// Runs `body` with the socket address of `path`.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
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

    static func setTimeouts(_ fd: Int32, seconds: Int, receive: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        if receive { _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size) }
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    }
}

/// The client side: `otp code`, `otp unlock` (waiting for the agent to answer) and `otp lock`.
public enum AgentClient {
    /// How long a client waits for the agent's answer, in seconds: an agent that was stopped (SIGSTOP) or hangs
    /// still accepts connections, so the client gives up and unlocks the vault itself instead of hanging.
    public static let timeout = 5

    /// Sends a request to the vault's agent; `nil` when no agent answers (then the caller unlocks by itself).
    public static func send(_ request: AgentRequest, endpoint: AgentEndpoint = AgentEndpoint()) -> AgentReply? {
        guard let path = try? endpoint.socketPath(vault: request.vault) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard AgentLine.withAddress(path, { Glibc.connect(fd, $0, $1) == 0 }) else { return nil }
        AgentLine.setTimeouts(fd, seconds: timeout, receive: true)
        guard AgentLine.write(fd, request), let reply = AgentLine.read(fd) else { return nil }
        return try? JSONDecoder().decode(AgentReply.self, from: reply)
    }

    /// The passphrase the agent process reads on stdin when it starts (never in its arguments or environment).
    public static func readPassphraseLine(_ fd: Int32) -> Data? { AgentLine.read(fd) }
}
