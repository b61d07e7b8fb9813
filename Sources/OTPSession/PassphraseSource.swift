import Foundation
public import OTPCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Why no passphrase could be had. The message names the source and what is wrong, never the passphrase.
public struct PassphraseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Where a passphrase comes from, in the order the command line tries them: a file's first line, a command's first
/// line, the environment, or a prompt (which the caller supplies: libraries never touch the terminal).
public enum PassphraseSource: Sendable {
    /// The first line of a file (a regular file or a pipe, `<(pass show otp)`).
    case file(String)
    /// The first line a `/bin/sh -c` command prints (a password manager).
    case command(String)
    /// A value from the environment (`$OTP_PASSPHRASE`).
    case environment(String)

    /// The most read from a file or a command: a passphrase is one line.
    public static let maximumBytes = 65_536

    /// The source the options and the environment name, in the order every command uses: a file, a command, then
    /// `$OTP_PASSPHRASE` (when set and not empty); `nil` when none is given (then the caller asks on the terminal).
    public static func chosen(
        file: String?, command: String?, environment: [String: String], variable: String = "OTP_PASSPHRASE"
    ) -> PassphraseSource? {
        if let file { return .file(file) }
        if let command { return .command(command) }
        if let value = environment[variable], !value.isEmpty { return .environment(value) }
        return nil
    }
    /// How long a passphrase command may take to print its line (a password manager asking for its own
    /// passphrase on a terminal needs a while).
    public static let commandTimeout: Double = 120

    /// The passphrase.
    ///
    /// - Throws: ``PassphraseError`` naming the source.
    public func read(what: String = "passphrase") throws(PassphraseError) -> SecureBytes {
        switch self {
        case .file(let path): try Self.firstLine(ofFile: path, what: "\(what) file")
        case .command(let command): try Self.firstLine(ofCommand: command, timeout: Self.commandTimeout)
        case .environment(let value): SecureBytes(Array(value.utf8))
        }
    }

    /// The first line of a file: a regular file, or a pipe. At most ``maximumBytes`` are read, so `/dev/zero` or a
    /// huge file cannot exhaust memory; devices and directories are refused, and a FIFO with no writer does not
    /// block opening.
    public static func firstLine(
        ofFile path: String, what: String = "passphrase file"
    ) throws(PassphraseError)
        -> SecureBytes
    {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else {
            throw PassphraseError("cannot read the \(what) \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, [S_IFREG, S_IFIFO].contains(info.st_mode & S_IFMT) else {
            throw PassphraseError("the \(what) \(path) is not a regular file or a pipe")
        }
        // A regular file is read as it is; a pipe is waited on for at most the command timeout (its writer, a
        // password manager, may still be asking for its own passphrase), never for ever.
        let isPipe = (info.st_mode & S_IFMT) == S_IFIFO
        if !isPipe { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) }
        let line = try readLine(fd, timeout: isPipe ? commandTimeout : nil, what: "the \(what) \(path)")
        guard let line, line.count > 0 else { throw PassphraseError("the \(what) \(path) is empty") }
        return line
    }

    /// The first line a command prints (as totp-cli's `--password-command`); its stderr goes to ours. The line is
    /// taken as soon as it arrives: the command is not waited for beyond a second after that (a password manager
    /// that keeps running, or prints more, is stopped), nor beyond `timeout` before it.
    public static func firstLine(ofCommand command: String, timeout: Double) throws(PassphraseError) -> SecureBytes {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            throw PassphraseError("cannot run the passphrase command: \(error.localizedDescription)")
        }
        let reading = pipe.fileHandleForReading
        let line: SecureBytes?
        do {
            line = try readLine(reading.fileDescriptor, timeout: timeout, what: "the passphrase command")
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw error
        }
        // Whatever else it prints is not read: closing our end ends a command that keeps writing (SIGPIPE).
        try? reading.close()
        try? pipe.fileHandleForWriting.close()
        let stop = Date().addingTimeInterval(1)
        while process.isRunning && Date() < stop { usleep(10_000) }
        let stoppedByUs = process.isRunning
        // SIGKILL: a blocked or ignored SIGTERM (inherited from whoever started us) must not keep it alive.
        if stoppedByUs { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        // A command that went on writing after its line ends with SIGPIPE (status 141 from the shell) once we
        // stopped reading: that is not a failure.
        let brokenPipe =
            (process.terminationReason == .exit && process.terminationStatus == 128 + SIGPIPE)
            || (process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE)
            || (process.terminationReason == .exit && process.terminationStatus == 128 + SIGKILL && stoppedByUs)
        let exitedBadly = process.terminationReason == .exit && process.terminationStatus != 0 && !brokenPipe
        guard let line, line.count > 0 else {
            if exitedBadly {
                throw PassphraseError("the passphrase command failed (exit \(process.terminationStatus))")
            }
            throw PassphraseError("the passphrase command printed nothing")
        }
        if exitedBadly && !stoppedByUs {
            throw PassphraseError("the passphrase command failed (exit \(process.terminationStatus))")
        }
        return line
    }

    /// Reads until the first line break, end of file or ``maximumBytes``; the buffer is wiped. Returns the bytes
    /// before the line break (nil when nothing came).
    private static func readLine(_ fd: Int32, timeout: Double?, what: String) throws(PassphraseError) -> SecureBytes? {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var bytes = [UInt8](repeating: 0, count: maximumBytes)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        var count = 0
        reading: while count < bytes.count {
            if let deadline {
                let remaining = deadline.timeIntervalSinceNow
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = remaining > 0 ? poll(&descriptor, 1, Int32(min(remaining, 3600) * 1000) + 1) : 0
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 {
                    throw PassphraseError("\(what) gave no line within \(Int(timeout ?? 0)) s")
                }
            }
            let n = bytes.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return Glibc.read(fd, base + count, raw.count - count)
            }
            if n < 0, errno == EINTR || (deadline != nil && errno == EAGAIN) { continue }
            if n <= 0 { break }
            for i in count..<(count + n) where bytes[i] == 0x0A || bytes[i] == 0x0D {
                count = i
                break reading
            }
            count += n
        }
        if count == 0 { return nil }
        return SecureBytes(bytes[..<count])
    }
}
