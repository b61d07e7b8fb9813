import ArgumentParser
import Foundation
import OTPAgent
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

    /// What the vault (or its agent) is asked for.
    private var request: CodeRequest {
        CodeRequest(
            query: query, serial: serial, at: time.unixTime, count: count, once: once, minRemaining: minRemaining,
            oneAccount: needsOneAccount)
    }

    /// The codes of the vault accounts selected: from the agent (`otp unlock`) when one runs for this vault, else
    /// from the vault opened here; either way ``CodeService``'s answer (HOTP counters advance there).
    private func codesFromVault() throws -> (codes: [PrintedCodes], failed: Bool) {
        let agent = AgentRequest(command: .codes, vault: AgentEndpoint.absolute(vault.path), code: request)
        if !vault.isTeam, let reply = AgentClient.send(agent) {
            return try answered(first: reply) {
                AgentClient.send(AgentRequest(command: .codes, vault: agent.vault, code: $0))
            }
        }
        return try withVaultErrors {
            try withQueryErrors {
                try vault.withVault(create: false) { opened in
                    try answered(first: nil) { request in
                        let clock = Int64(Date().timeIntervalSince1970)
                        do throws(CodeServiceError) {
                            switch try CodeService.answer(request, vault: opened, clock: clock) {
                            case .codes(let answer): return AgentReply(answer: answer)
                            case .due(let time): return AgentReply(due: time)
                            }
                        } catch {
                            switch error {
                            case .usage(let message): throw CommandFailure(message, status: 64, code: "usage")
                            case .query(let error): throw error
                            case .vault(let error): throw VaultFailure(error)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Asks until there are codes to print: a step already handed out (`--once`) is waited for, or with `--no-wait`
    /// (or a fixed time) reported; a fresh pair of the next step is printed when that step begins.
    private func answered(
        first: AgentReply?, ask: (CodeRequest) throws -> AgentReply?
    ) throws -> (codes: [PrintedCodes], failed: Bool) {
        var request = self.request
        var next = first
        while true {
            guard let reply = try next ?? ask(request) else {
                throw CommandFailure("the agent went away during the request; run the command again", status: 2)
            }
            next = nil
            if let error = reply.error {
                Terminal.error("otp: \(Terminal.escaped(error))")
                throw ExitCode(reply.status == 0 ? 1 : reply.status)
            }
            if let due = reply.due {
                if noWait || time.at != nil {
                    Terminal.error(
                        "otp: the code of this step was already handed out (--once); the next is due in "
                            + "\(due - request.at) s")
                    return ([], true)
                }
                FreshStep.wait(until: due, reason: "this step's code was already handed out")
                request.at = max(due, Int64(Date().timeIntervalSince1970))
                continue
            }
            return try printable(reply.answer ?? CodesAnswer(), asked: request.at)
        }
    }

    /// The answer's codes, their notes on stderr, and the one-account rule of what a script or the clipboard takes.
    private func printable(_ answer: CodesAnswer, asked: Int64) throws -> (codes: [PrintedCodes], failed: Bool) {
        for damaged in answer.damaged {
            Terminal.error(
                "otp: entry \(Terminal.escaped(damaged.id)) is damaged and skipped: \(Terminal.escaped(damaged.damage))"
            )
        }
        if answer.skippedHOTP > 0, resolvedFormat == .text {
            Terminal.error(
                "otp: \(answer.skippedHOTP) HOTP account(s) left out: name one to take its code (each code advances "
                    + "its counter)")
        }
        if needsOneAccount, answer.codes.count != 1 {
            throw CommandFailure(
                "\(copy ? "--copy" : "--format \(resolvedFormat.rawValue)") needs exactly one account; "
                    + "\(answer.codes.count) match.", status: 1, code: "ambiguous")
        }
        var codes = answer.codes
        if time.at == nil {
            // A fresh pair may belong to the next step: print it when that step begins.
            if let from = answer.startsAfter(asked) {
                FreshStep.wait(until: from, reason: "fewer than \(minRemaining ?? 0) s left")
            }
            let now = Int64(Date().timeIntervalSince1970)
            for index in codes.indices { codes[index].now = max(now, codes[index].now) }
        }
        return (codes, !answer.damaged.isEmpty)
    }
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
}
