import ArgumentParser
import Foundation
import OTPCapture
import OTPCore
import OTPImport
import OTPImportSQLite
import OTPSession
import OTPVault

/// `otp code [QUERY] [--at TIME] [--next N] [--min-remaining S] [--format F] [--once] [--serial ARN]`: codes of vault
/// accounts; with `--from INPUT`, codes straight from a URI, file, image or stdin.
struct Code: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one-time codes.",
        discussion: """
            Without --from: the codes of the vault accounts matching QUERY. Without QUERY, TOTP and Steam accounts \
            only: taking an HOTP code advances its stored counter, so it happens only for an account asked for. \
            With --from, codes come straight from a URI, a text file, a screenshot or - (stdin), without a vault. \
            For AWS: otp code aws --next 2 --min-remaining 20 prints two consecutive codes with at least 20 s left \
            (waiting for the next step when needed); --format aws prints them as the two flags of \
            aws iam enable-mfa-device; --format raw prints only the digits (aws-vault's mfa_process); --once never \
            hands out a code twice, waiting for the next step when this one was already used.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, raw, aws, json
    }

    @OptionGroup var output: OutputOptions
    @OptionGroup var time: TimeOptions
    @OptionGroup var vault: VaultOptions
    @OptionGroup var export: ExportOptions
    @OptionGroup var bare: BareKeyOptions

    @Argument(help: "Issuer, account name or \"Issuer: name\" (exact wins over substring), or an id prefix.")
    var query: String?

    @Option(
        help: ArgumentHelp(
            "Read the account from a URI, text file, image (PNG, JPEG, WebP, HEIC) or - for stdin.",
            valueName: "input"),
        completion: .file())
    var from: String?

    @Option(
        help:
            "text (default), raw (digits only, one per line), aws (the two flags of enable-mfa-device) or json."
    )
    var format: Format?

    @Option(
        help: ArgumentHelp(
            "Wait for the next step when the first code has fewer than this many seconds left.", valueName: "seconds"))
    var minRemaining: Int?

    @Flag(
        help:
            "Never hand out a TOTP code twice (the vault remembers, across processes); wait for a new step if needed."
    )
    var once = false

    @Flag(help: "With --once: exit 1 instead of waiting when the current step was already handed out.")
    var noWait = false

    @Option(
        help: ArgumentHelp(
            "Select the account by its exact AWS MFA serial (set with otp edit --serial).", valueName: "arn"))
    var serial: String?

    @Flag(help: "Put the code on the clipboard instead of printing it (wl-copy, xclip or xsel; else OSC 52).")
    var copy = false

    @Option(
        help: ArgumentHelp(
            "With --copy: clear the clipboard after this long (30s, 2m, 0 never), if it still holds the code.",
            valueName: "duration"))
    var clearAfter: String?

    var resolvedFormat: Format { output.json ? .json : format ?? .text }
    /// What a script or the clipboard takes must come from one account.
    var needsOneAccount: Bool { resolvedFormat == .raw || resolvedFormat == .aws || copy }

    /// A duration (`30s`, `2m`, `12h`, plain seconds) in seconds, at most 36 h (`--clear-after`, `aws session
    /// --duration`), or `nil` when it does not parse or is out of range.
    static func seconds(_ text: String) -> Int? {
        let units: [(String, Int)] = [("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            // Multiplied with an overflow check: "99999999999999999h" is a typing error, not a trap.
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int(digits) else { return nil }
            let (seconds, overflow) = value.multipliedReportingOverflow(by: factor)
            return !overflow && (0...129_600).contains(seconds) ? seconds : nil
        }
        guard let value = Int(text), (0...129_600).contains(value) else { return nil }
        return value
    }
    var count: Int { resolvedFormat == .aws ? 2 : time.next }

    func validate() throws {
        if from != nil, query != nil || serial != nil {
            throw ValidationError("Give either QUERY or --serial (vault) or --from INPUT, not both.")
        }
        if query != nil, serial != nil { throw ValidationError("Give QUERY or --serial, not both.") }
        if let query, FileManager.default.fileExists(atPath: query) || InputReader.isURI(query) {
            let shown = InputReader.isURI(query) ? "the URI" : "'\(Terminal.escaped(query))'"
            throw ValidationError("QUERY names an account in the vault; did you mean --from \(shown)?")
        }
        if format == .aws, time.next != 1, time.next != 2 {
            throw ValidationError(
                "--format aws prints exactly two consecutive codes; leave out --next or give --next 2.")
        }
        if output.json, let format, format != .json {
            throw ValidationError("--json and --format \(format.rawValue) disagree.")
        }
        if let minRemaining, !(0...86_400).contains(minRemaining) {
            throw ValidationError("--min-remaining must be between 0 and 86400 seconds.")
        }
        if once, from != nil {
            throw ValidationError("--once needs the vault (it remembers the steps handed out there).")
        }
        if noWait, !once { throw ValidationError("--no-wait goes with --once.") }
        if clearAfter != nil, !copy { throw ValidationError("--clear-after goes with --copy.") }
        if let clearAfter, Self.seconds(clearAfter) == nil {
            throw ValidationError("--clear-after '\(clearAfter)' is not a duration such as 30s, 2m or 0 (at most 36h).")
        }
        if copy, format != nil || output.json || time.next != 1 {
            throw ValidationError("--copy puts one code on the clipboard: leave out --format, --json and --next.")
        }
        if once, let at = time.at, let parsed = TimeOptions.parseTime(at) {
            do {
                try CodePlanner.checkOnce(at: parsed, clock: Int64(Date().timeIntervalSince1970))
            } catch {
                throw ValidationError(error.description + ".")
            }
        }
    }

    func run() throws {
        let results = try from.map(codesFromInput) ?? codesFromVault()
        if copy {
            try ClipboardCopy.copy(results.codes, clearAfter: clearAfter.flatMap(Self.seconds) ?? 30)
        } else {
            try CodePrinter(format: resolvedFormat, now: time.unixTime).print(
                results.codes, rejected: rejected(results))
        }
        if results.failed { throw ExitCode(1) }
    }

    /// With `--from`, the inputs that gave no account, for the JSON document (`{"source", "error"}` elements).
    private func rejected(_ results: (codes: [PrintedCodes], failed: Bool)) -> [ScanFileJSON.Rejected] {
        guard from != nil, results.failed else { return [] }
        return Self.rejectedItems.map { .init(source: $0.source, error: JSONError(code: $0.code, message: $0.message)) }
    }

    /// Filled by ``codesFromInput(_:)`` (the command runs once per process).
    nonisolated(unsafe) static var rejectedItems: [(source: String, code: String, message: String)] = []

    /// The codes of every valid account in an input, without a vault.
    private func codesFromInput(_ from: String) throws -> (codes: [PrintedCodes], failed: Bool) {
        let source = export.passphrase
        let items = ProvisioningInputs.read(
            [from], sourcePassphrase: { source.get() }, bareKey: bare.bareKey, pathReader: AppDatabaseInputs.pathReader)
        let accounts = items.compactMap(\.check.account)
        for item in items {
            CodePrinter.report(item)
            if item.check.account == nil {
                let error = item.check.diagnostics.first { $0.severity == .error }
                Self.rejectedItems.append(
                    (item.source, error?.code.rawValue ?? "not-provisioning", error?.message ?? "no account"))
            }
        }
        let at = try FreshStep.time(for: accounts, at: time.unixTime, minRemaining: minRemaining, fixed: time.at != nil)
        let codes = try accounts.map {
            PrintedCodes(
                id: nil, account: $0, codes: try OTPGenerator(account: $0).codes(at: at, count: count), now: at)
        }
        if needsOneAccount, codes.count != 1 {
            throw CommandFailure(
                "\(copy ? "--copy" : "--format \(resolvedFormat.rawValue)") needs exactly one account; this input "
                    + "holds \(codes.count).", status: 64, code: "usage")
        }
        return (codes, accounts.count != items.count)
    }

    /// The codes from the agent (`otp unlock`) when one runs for this vault: no passphrase needed.
    private func codesFromAgent() throws -> (codes: [PrintedCodes], failed: Bool)? {
        let path = Agent.absolute(vault.path)
        var request = Agent.Request(
            command: "codes", vault: path, query: query, serial: serial, at: time.unixTime, count: count, once: once,
            noWait: noWait, minRemaining: minRemaining)
        while true {
            guard let reply = Agent.send(request) else { return nil }
            if let error = reply.error {
                Terminal.error("otp: \(Terminal.escaped(error))")
                throw ExitCode(reply.status == 0 ? 1 : reply.status)
            }
            for message in reply.damaged { Terminal.error("otp: \(Terminal.escaped(message))") }
            if let availableAt = reply.availableAt {
                if noWait || time.at != nil {
                    Terminal.error("otp: the code of this step was already handed out (--once)")
                    return ([], true)
                }
                FreshStep.wait(until: availableAt, reason: "this step's code was already handed out")
                request.at = max(availableAt, Int64(Date().timeIntervalSince1970))
                continue
            }
            // A fresh pair may belong to the next step: print it when that step begins.
            if time.at == nil, let from = reply.codes.first?.codes.first?.validFrom, from > request.at {
                FreshStep.wait(until: from, reason: "fewer than \(minRemaining ?? 0) s left")
            }
            let now = Int64(Date().timeIntervalSince1970)
            let codes = reply.codes.map {
                PrintedCodes(
                    id: $0.id, issuer: $0.issuer, name: $0.name, codes: $0.codes, now: time.at == nil ? now : $0.now)
            }
            if needsOneAccount, codes.count != 1 {
                throw CommandFailure(
                    "\(copy ? "--copy" : "--format \(resolvedFormat.rawValue)") needs exactly one account; "
                        + "\(codes.count) match.", status: 1, code: "ambiguous")
            }
            return (codes, reply.status != 0)
        }
    }

    /// The codes of the vault accounts selected, through the vault's one call (HOTP counters advance there).
    private func codesFromVault() throws -> (codes: [PrintedCodes], failed: Bool) {
        if !vault.isTeam, let fromAgent = try codesFromAgent() { return fromAgent }
        let selector = serial.map(VaultQuery.serial) ?? VaultQuery(query)
        return try withVaultErrors {
            try withQueryErrors {
                try vault.withVault(create: false) { opened in
                    // What a script reads (raw digits, the two aws flags) must come from one account: several
                    // matches are an error listing them, before any HOTP counter moves.
                    if needsOneAccount {
                        _ = try selector.single(try VaultCall.run { () throws(VaultError) in try opened.entries() })
                    }
                    // Periods matter only for a fresh pair; otherwise the codes call opens the entries, once.
                    var at = time.unixTime
                    if let minRemaining, minRemaining > 0 {
                        let selected = try VaultCall.run { () throws(VaultError) in
                            try selector.select(opened.entries())
                        }
                        let accounts = selected.compactMap { try? $0.account.get() }
                        at = try FreshStep.time(
                            for: accounts, at: at, minRemaining: minRemaining, fixed: time.at != nil)
                    }
                    if once { return try onceCodes(opened, selector, at: at) }
                    let report = try VaultCall.codes { () throws(VaultCodesError) in
                        try opened.codes(for: selector, at: at, count: count)
                    }
                    for (id, damage) in report.damaged {
                        Terminal.error(
                            "otp: entry \(Terminal.escaped(id)) is damaged and skipped: \(damage.description)")
                    }
                    if !report.skippedHOTP.isEmpty, resolvedFormat == .text {
                        Terminal.error(
                            "otp: \(report.skippedHOTP.count) HOTP account(s) left out: name one to take its code "
                                + "(each code advances its counter)")
                    }
                    if resolvedFormat == .aws, report.codes.count != 1 {
                        throw CommandFailure(
                            "--format aws needs exactly one account; \(report.codes.count) match.", status: 64,
                            code: "usage")
                    }
                    return (report.codes.map { PrintedCodes($0, now: at) }, !report.damaged.isEmpty)
                }
            }
        }
    }

    /// `--once`: one account; waits (or exits 1 with --no-wait) while its current step was already handed out.
    private func onceCodes(
        _ vault: Vault, _ selector: VaultQuery, at start: Int64
    ) throws -> (codes: [PrintedCodes], failed: Bool) {
        let entry = try selector.single(try VaultCall.run { () throws(VaultError) in try vault.entries() }).entry
        var at = start
        while true {
            switch try VaultCall.run({ () throws(VaultError) in try vault.takeOnce(id: entry.id, at: at, count: count) }
            ) {
            case .codes(let codes):
                return ([PrintedCodes(codes, now: at)], false)
            case .alreadyTaken(let availableAt):
                if noWait || time.at != nil {
                    Terminal.error(
                        "otp: the code of this step was already handed out (--once); the next is due in "
                            + "\(availableAt - at) s")
                    return ([], true)
                }
                FreshStep.wait(until: availableAt, reason: "this step's code was already handed out")
                at = max(availableAt, Int64(Date().timeIntervalSince1970))
            }
        }
    }
}

/// One account's codes as printed, with the time they were made for (names only: no secret).
struct PrintedCodes: Codable {
    let id: String?
    let issuer: String?
    let name: String
    let codes: [AgentCode]
    let now: Int64

    init(id: String?, account: OTPAccount, codes: [OTPCode], now: Int64) {
        self.id = id
        self.issuer = account.issuer
        self.name = account.name
        self.codes = codes.map(AgentCode.init)
        self.now = now
    }

    init(_ entry: EntryCodes, now: Int64) {
        self.init(id: entry.id, account: entry.account, codes: entry.codes, now: now)
    }

    init(id: String?, issuer: String?, name: String, codes: [AgentCode], now: Int64) {
        self.id = id
        self.issuer = issuer
        self.name = name
        self.codes = codes
        self.now = now
    }

    /// `Issuer: name`, or the name alone.
    var displayName: String {
        if let issuer, !issuer.isEmpty { return "\(issuer): \(name)" }
        return name
    }

    var otpCodes: [OTPCode] { codes.map(\.code) }
}

/// A code in a form that crosses the agent's socket.
struct AgentCode: Codable {
    let value: String
    let validFrom: Int64?
    let validUntil: Int64?
    let counter: UInt64?

    init(_ code: OTPCode) {
        value = code.value
        validFrom = code.validFrom
        validUntil = code.validUntil
        counter = code.counter
    }

    var code: OTPCode { OTPCode(value: value, validFrom: validFrom, validUntil: validUntil, counter: counter) }
}

/// Vault calls with typed errors, rethrown as the CLI reports them.
enum VaultCall {
    static func run<T>(_ body: () throws(VaultError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw VaultFailure(error)
        }
    }

    static func codes(_ body: () throws(VaultCodesError) -> CodesReport) throws -> CodesReport {
        do {
            return try body()
        } catch {
            switch error {
            case .query(let error): throw error
            case .vault(let error): throw VaultFailure(error)
            }
        }
    }
}
