import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A helper program run with a deadline and a cap on what it may print: screenshot and clipboard tools. Nothing runs
/// through a shell; the program is looked up on `PATH`.
public struct ChildProcess: Sendable {
    /// What a run gave.
    public struct Outcome: Sendable {
        /// The exit status (128 + N for a signal).
        public let status: Int32
        /// Standard output, at most the cap.
        public let output: [UInt8]
        /// Standard error as text, at most 4 KiB (for error messages).
        public let errorText: String
        /// Whether the output went over the cap (the program was stopped).
        public let overflowed: Bool
        /// What it wrote to descriptor 3 (`sideChannel`): a secret kept out of its standard output and off the disk
        /// (`aws … --outfile /dev/fd/3`). The caller wipes it.
        public var side: [UInt8] = []
    }

    /// Why a program could not be run or did not finish.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        case notFound(String)
        case cannotStart(String, String)
        case timedOut(String, Double)

        public var description: String {
            switch self {
            case .notFound(let name): "\(name) is not installed (not found on PATH)"
            case .cannotStart(let name, let why): "cannot run \(name): \(why)"
            case .timedOut(let name, let seconds): "\(name) did not finish within \(Int(seconds)) s and was stopped"
            }
        }
    }

    /// The full path of `name` on `PATH` (or `name` itself when it holds a slash), or `nil`.
    public static func find(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> String?
    {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            var info = stat()
            if stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, access(candidate, X_OK) == 0 {
                return candidate
            }
        }
        return nil
    }

    /// Runs `name` with `arguments`, writes `input` to its standard input, and collects its output until it exits.
    ///
    /// - Parameters:
    ///   - timeout: Seconds before the program is stopped (SIGKILL) and ``Failure/timedOut(_:_:)`` thrown.
    ///   - maximumOutput: Bytes of standard output kept; past them the program is stopped and `overflowed` set.
    ///   - detached: For programs that fork a server and keep it running (`xclip` owning the clipboard): standard
    ///     output and error go to `/dev/null`, and only the program's own exit is waited for.
    public static func run(
        _ name: String, _ arguments: [String], input: [UInt8]? = nil, timeout: Double = 10,
        maximumOutput: Int = 1 << 20, detached: Bool = false, environment: [String: String]? = nil,
        sideChannel: Bool = false
    ) throws(Failure) -> Outcome {
        guard let path = find(name, environment: environment ?? ProcessInfo.processInfo.environment) else {
            throw .notFound(name)
        }
        closeOnExec()
        // posix_spawn and waitpid, not Foundation's Process: Process learns of an exit when a socket the child
        // inherited closes, and a tool that forks a server (xclip owning the clipboard) keeps it open for ever.
        var pipes = Pipes()
        defer { pipes.closeAll() }
        do {
            try pipes.open(input: input != nil, output: !detached, side: sideChannel && !detached)
        } catch {
            throw .cannotStart(name, String(cString: strerror(errno)))
        }
        var pid: pid_t = 0
        let spawned = spawn(&pid, path, arguments, pipes, detached: detached, environment: environment)
        pipes.closeChildEnds()
        guard spawned == 0 else { throw .cannotStart(name, String(cString: strerror(spawned))) }
        let deadline = Date().addingTimeInterval(timeout)
        if let input {
            // Small inputs only (a code, a few bytes): written whole before reading; EPIPE when it exits early.
            let signalBlocked = blockSIGPIPE()
            writeAll(input, to: pipes.stdin[1])
            close(pipes.stdin[1])
            pipes.stdin[1] = -1
            if signalBlocked { unblockSIGPIPE() }
        }
        var collected = Collected()
        if !detached { collected = collect(pipes, until: deadline, maximumOutput: maximumOutput) }
        let status = try reap(pid, name: name, until: deadline, timeout: timeout, overflowed: collected.overflowed)
        if collected.overflowed { collected.output = Array(collected.output.prefix(maximumOutput)) }
        var outcome = Outcome(
            status: status, output: collected.output, errorText: String(decoding: collected.errors, as: UTF8.self),
            overflowed: collected.overflowed)
        outcome.side = collected.side
        return outcome
    }

    /// The pipes to a child: standard input, output, error and the side channel (fd 3); -1 where there is none.
    struct Pipes {
        var stdin: [Int32] = [-1, -1]
        var stdout: [Int32] = [-1, -1]
        var stderr: [Int32] = [-1, -1]
        var side: [Int32] = [-1, -1]

        struct Failed: Error {}

        mutating func open(input: Bool, output: Bool, side wantSide: Bool) throws(Failed) {
            func made() throws(Failed) -> [Int32] {
                var ends: [Int32] = [-1, -1]
                guard pipe(&ends) == 0 else { throw Failed() }
                for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                return ends
            }
            if input { stdin = try made() }
            if output {
                stdout = try made()
                stderr = try made()
            }
            if wantSide { side = try made() }
        }

        /// The child's ends are the child's once it is spawned.
        mutating func closeChildEnds() {
            for fd in [stdin[0], stdout[1], stderr[1], side[1]] where fd >= 0 { close(fd) }
            stdin[0] = -1
            stdout[1] = -1
            stderr[1] = -1
            side[1] = -1
        }

        mutating func closeAll() {
            for fd in stdin + stdout + stderr + side where fd >= 0 { close(fd) }
            self = Pipes()
        }
    }

    /// posix_spawn with the pipes in place (or /dev/null), default SIGPIPE handling and an empty signal mask.
    private static func spawn(
        _ pid: inout pid_t, _ path: String, _ arguments: [String], _ pipes: Pipes, detached: Bool,
        environment: [String: String]?
    ) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if pipes.stdin[0] >= 0 {
            posix_spawn_file_actions_adddup2(&actions, pipes.stdin[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if detached {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, pipes.stdout[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipes.stderr[1], 2)
            if pipes.side[1] >= 0 { posix_spawn_file_actions_adddup2(&actions, pipes.side[1], 3) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { env in
            env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        }
        defer { for pointer in envp ?? [] { free(pointer) } }
        return envp.map { posix_spawn(&pid, path, &actions, &attributes, argv, $0) }
            ?? posix_spawn(&pid, path, &actions, &attributes, argv, environ)
    }

    /// What a child wrote: standard output up to the cap (then `overflowed`), the first 4 KiB of its errors, the
    /// first 64 KiB of the side channel.
    struct Collected {
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var side: [UInt8] = []
        var overflowed = false
    }

    /// Reads the child's output pipes until they close, the deadline passes or the output passes its cap.
    private static func collect(_ pipes: Pipes, until deadline: Date, maximumOutput: Int) -> Collected {
        var collected = Collected()
        var open = [pipes.stdout[0], pipes.stderr[0]] + (pipes.side[0] >= 0 ? [pipes.side[0]] : [])
        var buffer = [UInt8](repeating: 0, count: 65_536)
        defer { for i in buffer.indices { buffer[i] = 0 } }
        while !open.isEmpty {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { break }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 3600) * 1000) + 1)
            if ready <= 0 { continue }
            for descriptor in fds where descriptor.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { raw in
                    raw.baseAddress.map { read(descriptor.fd, $0, raw.count) } ?? -1
                }
                if n < 0, errno == EINTR { continue }
                if n <= 0 {
                    open.removeAll { $0 == descriptor.fd }
                    continue
                }
                if descriptor.fd == pipes.stdout[0] {
                    collected.output += buffer[..<n]
                } else if descriptor.fd == pipes.side[0] {
                    if collected.side.count < 65_536 {
                        collected.side += buffer[..<min(n, 65_536 - collected.side.count)]
                    }
                } else if collected.errors.count < 4096 {
                    collected.errors += buffer[..<min(n, 4096 - collected.errors.count)]
                }
            }
            if collected.output.count > maximumOutput {
                collected.overflowed = true
                break
            }
        }
        return collected
    }

    /// Waits for the program itself until the deadline (not for what it forked); then, or after an overflow, stops
    /// it. Its exit status, or 128 + the signal that ended it.
    private static func reap(
        _ pid: pid_t, name: String, until deadline: Date, timeout: Double, overflowed: Bool
    ) throws(Failure) -> Int32 {
        var status: Int32 = 0
        var exited = false
        // Past the cap it may be blocked writing to the pipe no one reads: it is stopped, never waited on.
        if overflowed { kill(pid, SIGKILL) }
        while !exited {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                exited = true
            } else if result < 0, errno != EINTR {
                break
            } else if deadline.timeIntervalSinceNow <= 0 || overflowed {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                if !overflowed { throw .timedOut(name, timeout) }
                exited = true
            } else {
                usleep(2_000)
            }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Marks every descriptor above standard error close-on-exec, so no child (nor the server a clipboard tool forks)
    /// inherits one: a socket the process that started us watches for our exit (Foundation's `Process` does), the
    /// vault file, a pipe. Nothing here relies on a descriptor being inherited.
    static func closeOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func blockSIGPIPE() -> Bool {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        var old = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &old)
        return sigismember(&old, SIGPIPE) == 0
    }

    private static func unblockSIGPIPE() {
        // A SIGPIPE raised while blocked is pending: take it before unblocking, so it is not delivered.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
            var timeout = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&set, nil, &timeout)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

extension ChildProcess {
    /// Starts `path` with `arguments` in a session of its own (it outlives us and no terminal hang-up reaches it),
    /// `input` on its standard input through a pipe (never on its command line, which other users can read), its
    /// output to `/dev/null`. Not waited for.
    public static func startDetached(_ path: String, _ arguments: [String], input: [UInt8]) throws(Failure) {
        closeOnExec()
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw .cannotStart(path, String(cString: strerror(errno))) }
        // Our write end must not leak into the child (it would never see end of file); its read end becomes fd 0.
        for fd in pipeEnds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(pipeEnds[1]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // POSIX_SPAWN_SETSID (glibc 2.26); SETSIGMASK with an empty mask, so a blocked SIGPIPE is not inherited.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(0x80 | POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        close(pipeEnds[0])
        guard status == 0 else { throw .cannotStart(path, String(cString: strerror(status))) }
        let signalBlocked = blockSIGPIPE()
        writeAll(input, to: pipeEnds[1])
        if signalBlocked { unblockSIGPIPE() }
    }

    /// Writes all of `bytes` to `fd` (stopping at an error: a reader that went away).
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let n = write(fd, base + offset, raw.count - offset)
                if n < 0, errno == EINTR { continue }
                if n <= 0 { break }
                offset += n
            }
        }
    }

    /// This program's own executable (`/proc/self/exe`).
    public static var ownExecutable: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
