import OTPCore
public import OTPCrypto
import OTPScan

/// One payload found in an input, with where it came from.
public struct InputPayload: Sendable {
    /// Where it came from, for reports: `shot.png`, `shot.png#2` (second code), `uris.txt:4` (line 4),
    /// `argument 1`, `stdin:2`, `aegis.json (Aegis entry 3 of 9)`. Never the payload itself (it may hold a secret).
    public let source: String
    /// The payload text (empty for an account read from another app's export).
    public let text: String
    /// For an account read from another app's export: its check, already made.
    public let check: URICheck?
    /// On an export's first payload: how many of its entries had no one-time code (a password manager's notes,
    /// cards and logins without TOTP), skipped and counted, never errors.
    public let skipped: Int

    /// Creates a payload.
    public init(source: String, text: String, check: URICheck? = nil, skipped: Int = 0) {
        self.source = source
        self.text = text
        self.check = check
        self.skipped = skipped
    }
}

/// Bytes that are no file: the screen or the clipboard, captured in memory and read like a file's bytes.
public struct MemoryInput: Sendable {
    /// The source name in reports: `screen (import)`, `clipboard (xclip, image/png)`.
    public let name: String
    /// The captured bytes (an image or text).
    public let bytes: [UInt8]

    /// Creates an input.
    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }
}

/// One input after directory expansion, and what reading it gave.
public struct InputResult: Sendable {
    /// The file path, `-`, or the URI argument.
    public let input: String
    /// Its payloads, or why it gave none.
    public let result: Result<[InputPayload], InputError>
}

/// Why an input gave nothing.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input as given.
    public let source: String
    /// The contract's error code (`not-found`, `not-png`, `no-code`, `not-provisioning`, …).
    public let code: String
    /// A sentence for people, without the source (callers prefix it).
    public let message: String

    public var description: String { message }
}

/// A reader of files by path, for formats this module does not read itself (app databases, read by `otp`): the
/// accounts of the file at a path, or `nil` to leave it to ``InputReader``.
public typealias PathReader = @Sendable (String) -> Result<[(source: String, check: URICheck)], AppExports.Failure>?

/// Turns command-line inputs into payload texts, sniffing each by its bytes, never by its name: a PNG is scanned
/// for QR codes; UTF-8 text is read as one URI per line; a literal `otpauth://` or `otpauth-migration://`
/// argument is used as is; `-` reads standard input.
public enum InputReader {
    /// Reads every input (directories expanded; images scanned on every core, one scanner per thread), one result
    /// per expanded input, in order.
    ///
    /// - Parameters:
    ///   - inputs: Paths (files or directories), `-`, or URIs.
    ///   - standardInput: Reads all of standard input (injected for tests).
    ///   - sourcePassphrase: The password of encrypted exports (Aegis); `nil` when none can be had. Called from
    ///     worker threads; the caller serialises and caches.
    ///   - progress: Called after each input with (done, total).
    ///   - pathReader: Reads files this module cannot (app databases, read by `otp` with SQLite): called with each
    ///     file's path, named or found in a folder, before its bytes are read; `nil` leaves the file to the readers
    ///     here.
    public static func read(
        _ inputs: [String], workers: Int? = nil,
        standardInput: @Sendable () -> [UInt8] = { (try? FileLoader.readStandardInput()) ?? [] },
        sourcePassphrase: @escaping @Sendable () -> SecureBytes? = { nil },
        progress: (@Sendable (Int, Int) -> Void)? = nil, bareKey: BareKeyAccount? = nil,
        pathReader: PathReader? = nil, memory: [MemoryInput] = []
    ) -> [InputResult] {
        let expanded = InputExpansion.expand(inputs)
        var argumentNumber = 0
        let numbers: [Int] = expanded.map { item in
            if isURI(item.input) { argumentNumber += 1 }
            return argumentNumber
        }
        let total = expanded.count + memory.count
        var perItem: (@Sendable (Int) -> Void)?
        if let progress {
            perItem = { @Sendable done in progress(done, total) }
        }
        let results = WorkerThreads.map(
            total, workers: workers, makeWorker: { () -> QRReader? in nil }, progress: perItem
        ) { (reader: inout QRReader?, index: Int) -> Result<[InputPayload], InputError> in
            // The scanner (and with it zbar, which maps X11 and D-Bus) is made on the first image, so reading URIs,
            // text files and exports never loads it.
            func scanner(for bytes: [UInt8]) -> QRReader? {
                if reader == nil, ImageFormat.sniff(bytes) != nil { reader = try? QRReader() }
                return reader
            }
            if index >= expanded.count {
                let captured = memory[index - expanded.count]
                // Never tried as a headerless andOTP backup: random clipboard bytes must not ask for a password.
                return payloads(
                    in: captured.bytes, source: captured.name, reader: scanner(for: captured.bytes),
                    passphrase: sourcePassphrase, bareKey: bareKey, tryHeaderless: false)
            }
            let item = expanded[index]
            let input = item.input
            if let error = item.error {
                return .failure(InputError(source: input, code: "unreadable", message: error))
            }
            // A document or an archive found in a folder, or an empty folder: nothing to read, nothing failed (the
            // command says so with a note).
            if item.skipped != nil || item.emptyFolder { return .success([]) }
            if isURI(input) {
                return .success([InputPayload(source: "argument \(numbers[index])", text: input)])
            }
            if input == "-" {
                let bytes = standardInput()
                return payloads(
                    in: bytes, source: "stdin", reader: scanner(for: bytes), passphrase: sourcePassphrase,
                    bareKey: bareKey)
            }
            if let pathReader, let accounts = pathReader(input) {
                return payloads(of: accounts, source: input)
            }
            do throws(ScanError) {
                let bytes = try FileLoader.read(input)
                return payloads(
                    in: bytes, source: input, reader: scanner(for: bytes), passphrase: sourcePassphrase,
                    bareKey: bareKey, tryHeaderless: !item.foundInFolder)
            } catch .notFound where UntrustedText.mayCarrySecret(input) {
                // Almost a URI (a leading space, `otpauth:/`, an https URL with secret=): never echo it.
                return .failure(
                    InputError(
                        source: UntrustedText.argumentLabel(input, number: index + 1), code: "not-found",
                        message:
                            "no such file, and it looks like a provisioning URI, which must start exactly with "
                            + "otpauth:// or otpauth-migration:// (it is not repeated here: it may hold a secret)"
                    ))
            } catch {
                return .failure(InputError(source: input, code: error.code, message: error.description))
            }
        }
        return zip(expanded.map(\.input) + memory.map(\.name), results).map { input, result in
            // One input gives at most this many accounts (a real export holds hundreds at most): an archive or a
            // text file of hundreds of thousands is refused by name rather than checked for a minute.
            if case .success(let payloads) = result, payloads.count > maximumPayloadsPerInput {
                return InputResult(
                    input: input,
                    result: .failure(
                        InputError(
                            source: input, code: "too-large",
                            message: "\(payloads.count) accounts in one input (at most \(maximumPayloadsPerInput))")))
            }
            return InputResult(input: input, result: result)
        }
    }

    /// The most accounts (QR codes, URI lines, export entries) one input may give.
    public static let maximumPayloadsPerInput = 10_000

    /// An export reader's accounts as payloads, or its failure (and an export with no account) as the input's error.
    static func payloads(
        of accounts: Result<[(source: String, check: URICheck)], AppExports.Failure>, source: String,
        skipped: Int = 0
    ) -> Result<[InputPayload], InputError> {
        switch accounts {
        case .success(let accounts) where accounts.isEmpty:
            let rows = skipped == 0 ? "" : " (\(skipped) row\(skipped == 1 ? "" : "s") without a one-time code)"
            return .failure(
                InputError(source: source, code: "not-provisioning", message: "the export holds no account" + rows))
        case .success(let accounts):
            return .success(
                accounts.enumerated().map { index, account in
                    InputPayload(
                        source: account.source, text: "", check: account.check, skipped: index == 0 ? skipped : 0)
                })
        case .failure(let failure):
            return .failure(InputError(source: source, code: failure.code, message: failure.message))
        }
    }

    /// Whether a command-line input is a URI rather than a path.
    public static func isURI(_ input: String) -> Bool {
        let lower = input.prefix(20).lowercased()
        return lower.hasPrefix("otpauth://") || lower.hasPrefix("otpauth-migration://")
    }

    /// The payloads in a file's bytes (images → QR codes, text → lines). SPI for the fuzz targets.
    ///
    /// - Parameter tryHeaderless: Whether a random-looking file no reader recognises is tried as an old-format andOTP
    ///   backup (with the password): for files named on the command line, not for those found in a folder.
    @_spi(Fuzzing)
    public static func payloads(
        in bytes: [UInt8], source: String, reader: QRReader?, passphrase: () -> SecureBytes? = { nil },
        bareKey: BareKeyAccount? = nil, tryHeaderless: Bool = true
    ) -> Result<[InputPayload], InputError> {
        if ImageFormat.sniff(bytes) != nil {
            guard let reader else {
                return .failure(
                    InputError(source: source, code: "unreadable", message: ScanError.scannerUnavailable.description))
            }
            do throws(ScanError) {
                let found = try reader.read(image: bytes).payloads
                return .success(
                    found.enumerated().map { i, payload in
                        InputPayload(source: found.count > 1 ? "\(source)#\(i + 1)" : source, text: payload.text)
                    })
            } catch {
                return .failure(InputError(source: source, code: error.code, message: error.description))
            }
        }
        if ZipArchive.looksLikeZip(bytes) {
            return payloads(of: AppExports.zipExport(bytes, source: source, passphrase: passphrase), source: source)
        }
        if AppExports.looksLikeFreeOTPBackup(bytes) {
            return payloads(of: AppExports.freeOTPBackup(bytes, source: source, passphrase: passphrase), source: source)
        }
        if AppExports.looksLikeStratumEncrypted(bytes) {
            return payloads(
                of: AppExports.stratumEncrypted(bytes, source: source, passphrase: passphrase), source: source)
        }
        if AppExports.looksLikeAndOTPEncrypted(bytes), TextInput.decode(bytes) == nil {
            return payloads(
                of: AppExports.andOTPEncrypted(bytes, source: source, passphrase: passphrase), source: source)
        }
        guard let text = TextInput.decode(bytes) else {
            let looksLike = FileSniffer.describe(bytes)
            var note = ""
            // andOTP's old backup format has no header: random-looking bytes are tried with the run's password.
            if looksLike == FileSniffer.unknownBinary, FileSniffer.nonInputKind(Array(bytes.prefix(512))) == nil,
                AppExports.looksLikeCiphertext(bytes)
            {
                if !tryHeaderless {
                    note = "; an old-format andOTP backup (it has no header) is read when named on the command line"
                } else if let password = passphrase() {
                    if let old = AppExports.andOTPOldFormat(bytes, source: source, password: password) {
                        return payloads(of: old, source: source)
                    }
                    note = ", nor an old-format andOTP backup that opens with the password given"
                } else {
                    note =
                        "; if it is an old-format andOTP backup (it has no header), give its password with "
                        + "--source-passphrase-file"
                }
            }
            return .failure(
                InputError(
                    source: source, code: ScanError.notAnImage(looksLike: looksLike).code,
                    message: "neither an image (PNG, JPEG, WebP, HEIC) nor a text file of URIs (\(looksLike))" + note))
        }
        if let key = BareKeyAccount.key(in: text) {
            guard let bareKey else {
                return .failure(
                    InputError(
                        source: source, code: "not-provisioning",
                        message: "this file holds only a Base32 key (like the AWS CLI's Base32StringSeed outfile); "
                            + "give --account (and --issuer) to say which account it is"))
            }
            return .success([InputPayload(source: source, text: "", check: bareKey.check(key: key))])
        }
        if AppExports.looksLikeTOTPAuthenticatorBackup(text) {
            return payloads(
                of: AppExports.totpAuthenticatorBackup(text, source: source, passphrase: passphrase), source: source)
        }
        if AppExports.looksLikeJSON(text) || AppExports.looksLikeAndroidPreferences(text) {
            if AppExports.looksLikeJSON(text) {
                let found = AppExports.exportAccounts(in: text, source: source, passphrase: passphrase)
                return payloads(of: found.map(\.accounts), source: source, skipped: (try? found.get().skipped) ?? 0)
            }
            return payloads(
                of: AppExports.androidPreferences(text, source: source, passphrase: passphrase), source: source)
        }
        if let csv = AppExports.csv(text, source: source) {
            return payloads(of: .success(csv.accounts), source: source, skipped: csv.skipped)
        }
        let lines = TextInput.uriLines(bytes)
        if lines.isEmpty {
            return .failure(InputError(source: source, code: "not-provisioning", message: "no URI in this text file"))
        }
        return .success(
            lines.map { line in
                guard let text = line.text else {
                    return InputPayload(source: "\(source):\(line.line)", text: "", check: TextInput.overlongLineCheck)
                }
                return InputPayload(source: "\(source):\(line.line)", text: text)
            })
    }
}

/// Text files of URIs: one per line, `#` comments and blank lines skipped, CRLF and a UTF-8 BOM tolerated, and
/// zbarimg's `QR-Code:` prefix removed (so `zbarimg shot.png > uris.txt` output can be read back).
public enum TextInput {
    /// The bytes as text when they are UTF-8 without NUL bytes (a BOM is dropped); `nil` for binary data.
    public static func decode(_ bytes: [UInt8]) -> String? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard !body.contains(0), let text = String(validating: body, as: UTF8.self) else { return nil }
        return text
    }

    /// What a line longer than a URI may be gives: an error, without the line (it is never turned into a string).
    static let overlongLineCheck = URICheck(
        account: nil,
        diagnostics: [
            Diagnostic(
                .error, .uri, .uriTooLong,
                "the line is longer than \(OTPAuthURI.maximumLength) bytes, the limit for a URI; it was not read")
        ], issuer: nil, name: nil)

    /// The non-blank, non-comment lines of UTF-8 bytes, trimmed, with their 1-based line numbers, in one linear
    /// pass over the bytes. A line longer than ``OTPAuthURI/maximumLength`` (64 KiB) comes back with `text` `nil`:
    /// it is never turned into a string, so one huge line costs nothing beyond the file itself.
    ///
    /// Lines end at LF, CR or CRLF.
    public static func uriLines(_ bytes: [UInt8]) -> [(line: Int, text: String?)] {
        var out: [(Int, String?)] = []
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        var lineNumber = 0
        var start = body.startIndex
        var index = start
        let end = body.endIndex
        func take(_ line: ArraySlice<UInt8>) {
            lineNumber += 1
            guard line.count <= OTPAuthURI.maximumLength else {
                out.append((lineNumber, nil))
                return
            }
            var text = String(decoding: line, as: UTF8.self).trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { return }
            if text.hasPrefix("QR-Code:") { text = String(text.dropFirst(8)).trimmingWhitespace() }
            out.append((lineNumber, text))
        }
        while index < end {
            let byte = body[index]
            if byte == 0x0A || byte == 0x0D {
                take(body[start..<index])
                index += (byte == 0x0D && index + 1 < end && body[index + 1] == 0x0A) ? 2 : 1
                start = index
            } else {
                index += 1
            }
        }
        if start < end { take(body[start..<end]) }
        return out
    }

    /// The non-blank, non-comment lines, trimmed, with their 1-based line numbers (lines over 64 KiB left out).
    public static func uriLines(_ text: String) -> [(line: Int, text: String)] {
        uriLines(Array(text.utf8)).compactMap { line in line.text.map { (line.line, $0) } }
    }

}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
