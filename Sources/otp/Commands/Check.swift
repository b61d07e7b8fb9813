import ArgumentParser
import OTPCore
import OTPImport
import OTPImportSQLite
import OTPSession

/// `otp check INPUT... [--json] [--strict]`: validate provisioning URIs without storing anything.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate provisioning URIs (given directly, in images, or one per line in text files).",
        discussion: """
            Prints one line per account with its verdict — valid, valid* (valid, with warnings: a weak secret, a \
            missing issuer, …) or invalid — then each diagnostic, and a summary line. Secrets are never printed; \
            secretBits tells their strength. Exit status: 0 when every account is valid, 1 otherwise.
            """
    )

    @OptionGroup var output: OutputOptions

    @OptionGroup var input: InputOptions
    @OptionGroup var export: ExportOptions
    @OptionGroup var bare: BareKeyOptions
    @OptionGroup var capture: CaptureOptions

    @Flag(help: "Treat warnings (weak secret, missing issuer, …) as errors.")
    var strict = false

    @Argument(
        help: ArgumentHelp(
            "otpauth:// URIs, images (PNG, JPEG, WebP, HEIC), folders, text files with one URI per line, "
                + "or other apps' exports."),
        completion: .file())
    var inputs: [String] = []

    func validate() throws {
        if inputs.isEmpty, !capture.any {
            throw ValidationError("Give at least one URI, image or text file (or --screen, --clipboard).")
        }
    }

    func run() throws {
        InputNotes.print(inputs)
        let items = checkedItems()
        if output.json { printJSON(items) } else { printText(items) }
        if items.contains(where: { !$0.check.isValid }) { throw ExitCode(1) }
    }

    /// Every account of the inputs, checked; a transfer batch with parts missing warns on each of its accounts.
    private func checkedItems() -> [CheckedItem] {
        let source = export.passphrase
        let (captured, captureFailed) = capture.capture()
        let read = ProvisioningInputs.read(
            inputs, workers: input.jobs, sourcePassphrase: { source.get() }, bareKey: bare.bareKey,
            pathReader: AppDatabaseInputs.pathReader, memory: captured)
        return Importer.warningIncompleteBatches(read + captureFailed).map { strict ? $0.with($0.check.strict()) : $0 }
    }

    private func printJSON(_ items: [CheckedItem]) {
        Terminal.outJSONArray(items) {
            CheckJSON(
                source: $0.source, valid: $0.check.isValid, account: $0.check.account.map(AccountJSON.init),
                diagnostics: $0.check.diagnostics, issuer: $0.check.issuer, name: $0.check.name,
                batch: $0.batch.map { CheckJSON.Batch(id: $0.id, index: $0.index, size: $0.size) })
        }
    }

    private func printText(_ items: [CheckedItem]) {
        for item in items { Terminal.out(Self.describe(item)) }
        let valid = items.filter(\.check.isValid)
        let warned = valid.filter { !$0.check.diagnostics.isEmpty }.count
        Terminal.out(
            "\(items.count) account\(items.count == 1 ? "" : "s"): \(valid.count - warned) valid, "
                + "\(warned) valid with warnings, \(items.count - valid.count) invalid\n")
    }

    /// `valid    Issuer: name  (TOTP, SHA1, 6 digits, 30 s, 160-bit secret)  [source]` and indented diagnostics.
    static func describe(_ item: CheckedItem) -> String {
        let check = item.check
        let verdict = check.isValid ? (check.diagnostics.isEmpty ? "valid  " : "valid* ") : "invalid"
        var name = ""
        if let issuer = check.issuer { name = Terminal.escaped(issuer) + ": " }
        name += check.name.map(Terminal.escaped) ?? ""
        var line = name.isEmpty ? verdict : "\(verdict)  \(name)"
        if let account = check.account {
            var facts = [account.kind.rawValue.uppercased(), account.algorithm.rawValue]
            facts.append(account.encoder == .steam ? "Steam" : "\(account.digits) digits")
            facts.append(account.kind == .totp ? "\(account.period) s" : "counter \(account.counter)")
            facts.append("\(account.secretBits)-bit secret")
            line += "  (" + facts.joined(separator: ", ") + ")"
        }
        line += "  [\(Terminal.escaped(item.source))]"
        if let batch = item.batch {
            line += " export \(batch.id) part \(batch.index + 1) of \(batch.size)"
        }
        var text = line + "\n"
        for d in check.diagnostics {
            text += "    \(d.severity.rawValue) \(d.field.rawValue): \(Terminal.escaped(d.message)) [\(d.code)]\n"
        }
        return text
    }
}
