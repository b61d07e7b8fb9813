import ArgumentParser
import Foundation
import OTPCore
import OTPImport
import OTPImportSQLite
import OTPSession
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// `otp import INPUT... [--dry-run] [--replace] [--allow-incomplete]`: add accounts to the vault.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add accounts from screenshots, text files of URIs, URIs or stdin to the vault.",
        discussion: """
            Every input is reported: imported, duplicate (already in the vault, skipped), conflict (same issuer and \
            account with another secret: imported beside the old one, or replacing it with --replace) or failed \
            (with the reason). Google Authenticator transfer batches are imported whole or not at all. A new vault is \
            created only with --create (or a yes on the terminal), and not kept when nothing was imported. Exit \
            status: 0 when every input was imported or already there, 1 when any input failed, 2 when the vault \
            could not be opened or written.
            """
    )

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @OptionGroup var input: InputOptions
    @OptionGroup var export: ExportOptions
    @OptionGroup var bare: BareKeyOptions
    @OptionGroup var capture: CaptureOptions

    @Flag(help: "Once the accounts are committed, overwrite each source file that gave them and delete it.")
    var shred = false

    @Flag(help: "Create the vault when there is none (without it, a mistyped --vault is an error; a terminal asks).")
    var create = false

    @Flag(help: "Report what would be imported; write nothing.")
    var dryRun = false

    @Flag(help: "Replace accounts with the same issuer and name instead of keeping both.")
    var replace = false

    @Flag(help: "Import the parts present of an incomplete Google Authenticator transfer batch.")
    var allowIncomplete = false

    @Flag(help: "Print the formats read (recognised by content) and what each was checked against, then exit.")
    var listFormats = false

    @Argument(
        help: ArgumentHelp(
            "Images (PNG, JPEG, WebP, HEIC screenshots and photos), folders of them, text files of URIs, "
                + "other apps' exports, - for stdin, or URIs."),
        completion: .file())
    var inputs: [String] = []

    func validate() throws {
        if listFormats { return }
        if inputs.isEmpty, !capture.any { throw ValidationError("Give at least one input (or --screen, --clipboard).") }
        if shred, dryRun { throw ValidationError("--shred destroys what was imported; --dry-run imports nothing.") }
    }

    func run() throws {
        if listFormats {
            let width = AppExports.formats.map(\.format.count).max() ?? 0
            for (format, versions, checked) in AppExports.formats {
                Terminal.out(format.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + checked + "\n")
                Terminal.out("    read: \(versions)\n")
            }
            Terminal.out(
                "Encrypted formats take --source-passphrase-file or ask on the terminal; every key-derivation cost "
                    + "is checked before it runs.\n")
            return
        }
        try withVaultErrors {
            let (items, skipped) = readInputs()
            let result = try importInto(items)
            // The vault is closed: everything is committed. Only now are sources destroyed (vault files never).
            let shredFailed = shred ? Self.shredSources(ShredDecision(items: items, report: result)) : false
            try report(result, skipped: skipped)
            if shredFailed { throw ExitCode(1) }
        }
    }

    /// Every input read and checked (images on every core), with notes on stderr.
    private func readInputs() -> (items: [CheckedItem], skipped: Int) {
        if inputs.contains(where: InputReader.isURI) {
            Terminal.error(
                "otp: warning: a URI on the command line is visible to other local users and kept in shell "
                    + "history; prefer a file or stdin")
        }
        let (captured, captureFailed) = capture.capture()
        let progress = ProgressBar(label: "reading", json: output.json)
        let source = export.passphrase
        // Another otp vault (a backup) merges into this one: restore.
        let (vaultItems, notVaults) = VaultFileInputs.read(inputs, passphrase: { source.get() }, into: vault.path)
        let (items, skipped) = ProvisioningInputs.readCounting(
            notVaults, workers: input.jobs, sourcePassphrase: { source.get() }, progress: progress.callback,
            bareKey: bare.bareKey, pathReader: AppDatabaseInputs.pathReader, memory: captured)
        progress.finish()
        InputNotes.print(notVaults)
        return (items + vaultItems + captureFailed, skipped)
    }

    /// The plan written into the vault (or, for a dry run without a vault, what would be).
    private func importInto(_ items: [CheckedItem]) throws -> ImportReport {
        if dryRun, !vault.isTeam, !FileManager.default.fileExists(atPath: vault.path) {
            return Importer.dryRunWithoutVault(Importer.plan(items, allowIncomplete: allowIncomplete))
        }
        let creating = !dryRun && vault.mayCreate(explicitly: create)
        return try vault.withVault(create: creating, keepCreated: { !$0.imported.isEmpty || !$0.conflicts.isEmpty }) {
            opened in
            // Parts of a transfer batch imported by earlier runs count as present.
            let known = try VaultCall.run { () throws(VaultError) in
                try opened.importedBatchParts(items.compactMap(\.batch?.id))
            }
            let plan = Importer.plan(items, allowIncomplete: allowIncomplete, imported: known)
            for (id, parts) in plan.batchParts where known[id] != nil && !plan.accepted.isEmpty {
                if Set(0..<parts.size).isSubset(of: parts.parts.union(known[id] ?? [])) {
                    Terminal.error("otp: export batch \(id) is complete: its last parts came in this run")
                }
            }
            return try opened.commit(plan, replacing: replace, dryRun: dryRun, committed: Self.testStop)
        }
    }

    /// Shreds each file the decision names (every account it gave is in the vault); says which files were kept.
    /// Returns whether a shred failed.
    static func shredSources(_ decision: ShredDecision) -> Bool {
        for (path, reason) in decision.keep {
            Terminal.error("otp: not shredded (\(reason)): \(Terminal.escaped(path))")
        }
        var failed = false
        for path in decision.shred {
            do throws(Shredder.Failure) {
                try Shredder.shred(path)
                Terminal.error("otp: shredded \(Terminal.escaped(path))")
            } catch {
                failed = true
                Terminal.error("otp: \(Terminal.escaped(error.description))")
            }
        }
        return failed
    }

    /// For the crash-safety test only: with `OTP_TEST_STOP_AFTER_COMMITS=N` the process stops itself (SIGSTOP)
    /// right after its N-th transaction commits, so a test can kill it at an exact, known point instead of racing it.
    static let testStop: (@Sendable (Int, Int) -> Void)? = {
        guard let text = ProcessInfo.processInfo.environment["OTP_TEST_STOP_AFTER_COMMITS"], let limit = Int(text)
        else {
            return nil
        }
        return { done, _ in if done == limit { raise(SIGSTOP) } }
    }()

    /// Prints the report; exit 1 when any input failed.
    private func report(_ report: ImportReport, skipped: Int) throws {
        if output.json {
            Terminal.out(Terminal.json(Self.json(report, skipped: skipped)))
        } else {
            Terminal.out(Self.describe(report, dryRun: dryRun, skipped: skipped))
        }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }

    static func json(_ report: ImportReport, skipped: Int = 0) -> ImportJSON {
        ImportJSON(
            imported: report.imported.map { EntryJSON(id: $0.id, account: $0.account, source: $0.source) },
            duplicates: report.duplicates.map { EntryJSON(id: $0.id, account: $0.account, source: $0.source) },
            conflicts: report.conflicts.map { EntryJSON(id: $0.id, account: $0.account, source: $0.source) },
            failed: report.failed.map {
                .init(source: $0.source, error: JSONError(code: $0.code, message: $0.message))
            },
            warnings: report.warnings.map {
                .init(
                    source: $0.source, severity: $0.diagnostic.severity.rawValue, field: $0.diagnostic.field.rawValue,
                    code: $0.diagnostic.code.rawValue, message: $0.diagnostic.message)
            }, skipped: skipped)
    }

    static func describe(_ report: ImportReport, dryRun: Bool, skipped: Int = 0) -> String {
        var text = ""
        let verb = dryRun ? "would import" : "imported"
        for item in report.imported {
            // A dry run shows what would be stored, parameters included (they decide the codes).
            let a = item.account
            let facts =
                dryRun
                ? "(\(a.kind.rawValue.uppercased()), \(a.algorithm.rawValue), "
                    + "\(a.encoder == .steam ? "Steam" : "\(a.digits) digits"), "
                    + "\(a.kind == .totp ? "\(a.period) s" : "counter \(a.counter)"))  " : ""
            text +=
                "\(verb)   \(item.id)  \(Terminal.escaped(a.displayName))  \(facts)"
                + "[\(Terminal.escaped(item.source))]\n"
        }
        for item in report.duplicates {
            let replaced = item.replaced ? "; replaced \(item.conflictsWith.joined(separator: ", "))" : ""
            text +=
                "duplicate  \(item.id)  \(Terminal.escaped(item.account.displayName))  "
                + "[\(Terminal.escaped(item.source))] already in the vault\(replaced)\n"
        }
        for item in report.conflicts {
            let what = item.replaced ? "replaced" : "kept beside"
            text +=
                "conflict   \(item.id)  \(Terminal.escaped(item.account.displayName))  "
                + "[\(Terminal.escaped(item.source))] another secret for this account: \(what) "
                + "\(item.conflictsWith.joined(separator: ", "))\n"
        }
        for failure in report.failed {
            text +=
                "failed     \(Terminal.escaped(failure.source)): \(Terminal.escaped(failure.message)) "
                + "[\(failure.code)]\n"
        }
        for warning in report.warnings {
            text +=
                "warning    \(Terminal.escaped(warning.source)): \(Terminal.escaped(warning.diagnostic.message)) "
                + "[\(warning.diagnostic.code)]\n"
        }
        // A conflict kept (or replacing) is an account added too: count it with the imported ones.
        text +=
            "\(report.imported.count + report.conflicts.count) \(verb), \(report.duplicates.count) duplicate, "
            + "\(report.conflicts.count) conflict, \(report.failed.count) failed, \(report.warnings.count) "
            + "warning\(report.warnings.count == 1 ? "" : "s")\n"
        if skipped > 0 {
            text += "\(skipped) row\(skipped == 1 ? "" : "s") without a one-time code skipped\n"
        }
        return text
    }
}
