import Foundation
import OTPCore
import OTPSession

#if canImport(Glibc)
    import Glibc
#endif

/// Output helpers shared by the subcommands: escaping untrusted text, JSON, stderr.
enum Terminal {
    /// Writes a line to standard error (a closed stderr is ignored: there is nowhere left to say anything).
    static func error(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
    }

    /// Writes text to standard output.
    static func out(_ text: String) {
        wroteJSON = wroteJSON || jsonMode
        var text = text
        text.withUTF8 { writeOut(UnsafeRawBufferPointer($0)) }
    }

    /// Writes bytes to standard output. A write that fails (a closed pipe, a full disk) ends the command with a
    /// message and exit status 74 (`EX_IOERR`), never a signal. Whatever the command committed before stays
    /// committed.
    static func writeOut(_ bytes: UnsafeRawBufferPointer) {
        guard write(STDOUT_FILENO, bytes) else {
            error("otp: cannot write to standard output: \(String(cString: strerror(errno)))")
            exit(74)
        }
    }

    /// Writes all of `bytes` to `fd`; false with `errno` set when the system refuses. SIGPIPE is blocked in this
    /// thread for the write and a SIGPIPE it raised is taken back, so a closed pipe is an `EPIPE` here rather
    /// than the signal that would kill the process — while the process's own disposition stays the default that
    /// child processes (a passphrase command's `head`) expect.
    private static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var now = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &now)
            }
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    /// `--json` was given: failures print an error document on stdout (set once, by `main`, before any thread).
    nonisolated(unsafe) static var jsonMode = false
    /// Whether a JSON document was already written (then a failure adds none: one document per run).
    nonisolated(unsafe) static var wroteJSON = false

    /// `{"error": {"code", "message"}}` on stdout.
    static func errorDocument(code: String, message: String, candidates: [ErrorDocument.Candidate]? = nil) {
        out(json(ErrorDocument(error: .init(code: code, message: message, candidates: candidates))))
    }

    /// Whether standard error is a terminal (progress bars go there).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Whether standard input is a terminal (questions can be asked there).
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks a question on stderr and reads one line of the answer from stdin (empty at end of input).
    static func ask(_ question: String) -> String {
        FileHandle.standardError.write(Data(question.utf8))
        return (readLine() ?? "").trimmingCharacters(in: .whitespaces)
    }

    /// Text read from a QR code or a file made safe to print (``OTPCore/UntrustedText/escaped(_:limit:)``):
    /// control, format and separator characters become visible escapes (`\n`, `\u{1B}`, `\u{200B}`), so a hostile
    /// name cannot move the cursor, clear the screen, reorder what the user sees or pass for another name.
    static func escaped(_ text: String) -> String {
        UntrustedText.escaped(text)
    }

    /// Encodes a value as one JSON document (camelCase keys, slashes unescaped) followed by a newline.
    /// Writes a JSON array to standard output one element at a time (each encoded alone), so a long list never
    /// exists as one document in memory. The result is the same JSON value as ``json(_:)`` of the whole array.
    static func outJSONArray<Element, Encoded: Encodable>(_ elements: [Element], _ transform: (Element) -> Encoded) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard !elements.isEmpty else {
            out("[\n\n]\n")
            return
        }
        var chunk: [UInt8] = Array("[\n".utf8)
        chunk.reserveCapacity(1 << 17)
        for (index, element) in elements.enumerated() {
            guard let data = try? encoder.encode(transform(element)) else { continue }
            // Indent the element by two spaces, as the whole-array encoder would.
            chunk += [0x20, 0x20]
            data.withUnsafeBytes { raw in
                var start = 0
                for (offset, byte) in raw.enumerated() where byte == 0x0A {
                    chunk += raw[start...offset]
                    chunk += [0x20, 0x20]
                    start = offset + 1
                }
                chunk += raw[start...]
            }
            chunk += index + 1 < elements.count ? [0x2C, 0x0A] : [0x0A]
            if chunk.count > 1 << 16 {
                chunk.withUnsafeBytes { writeOut($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk += [0x5D, 0x0A]
        chunk.withUnsafeBytes { writeOut($0) }
    }

    /// One compact JSON document on one line (a stream of them: `team log --follow --json`).
    static func jsonLine<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A command that fails while it runs (not a parsing error): `otp: message` on stderr, the exit status given, and
/// with `--json` the error document. Unlike a `ValidationError` it prints no usage line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32
    let code: String

    init(_ description: String, status: Int32 = 1, code: String = "failed") {
        self.description = description
        self.status = status
        self.code = code
    }
}
