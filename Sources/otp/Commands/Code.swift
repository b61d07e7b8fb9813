import ArgumentParser
import OTPCore
import OTPImport
import OTPVault

/// `otp code [QUERY] [--at TIME] [--next N] [--json]`: codes of vault accounts; with `--from INPUT`, codes straight
/// from a URI, file, image or stdin.
struct Code: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print one-time codes.",
        discussion: """
            Without --from: the current code of every vault account matching QUERY (all accounts without one). \
            HOTP accounts advance their stored counter past the codes printed, in the same transaction. \
            With --from, codes come straight from a URI, a text file, a screenshot or - (stdin), without a vault: \
            otp code --from shot.png --next 2 prints "MFA code 1" and "MFA code 2" for AWS. Invalid accounts are \
            reported on stderr and give no code (exit 1).
            """
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var time: TimeOptions
    @OptionGroup var vault: VaultOptions
    @OptionGroup var export: ExportOptions

    @Argument(help: "Issuer or name substring, or id prefix (vault mode).")
    var query: String?

    @Option(
        help: ArgumentHelp("Read the account from a URI, text file, PNG screenshot or - for stdin.", valueName: "input")
    )
    var from: String?

    func validate() throws {
        if from != nil, query != nil { throw ValidationError("Give either QUERY (vault) or --from INPUT, not both.") }
    }

    func run() throws {
        guard let from else { return try runFromVault() }
        let source = export.passphrase
        let items = ProvisioningInputs.read([from], sourcePassphrase: { source.get() })
        var failed = false
        var results: [(OTPAccount, [OTPCode])] = []
        for item in items {
            guard let account = item.check.account else {
                failed = true
                let problems = item.check.diagnostics.filter { $0.severity == .error }.map {
                    Terminal.escaped($0.message)
                }
                Terminal.error("otp: \(Terminal.escaped(item.source)): no code: " + problems.joined(separator: "; "))
                continue
            }
            for d in item.check.diagnostics where d.severity == .warning {
                Terminal.error("otp: \(Terminal.escaped(item.source)): warning: \(Terminal.escaped(d.message))")
            }
            let generator = try OTPGenerator(account: account)
            results.append((account, generator.codes(at: time.unixTime, count: time.next)))
        }
        if output.json {
            Terminal.out(
                Terminal.json(
                    results.map { account, codes in
                        AccountCodesJSON(
                            id: nil, issuer: account.issuer, account: account.name, codes: codes.map(CodeJSON.init))
                    }))
        } else {
            Terminal.out(results.map { Self.describe($0, $1, now: time.unixTime) }.joined())
        }
        if failed { throw ExitCode(1) }
    }

    private func runFromVault() throws {
        try withVaultErrors {
            let report = try withQueryErrors {
                try vault.withVault(create: false) { opened in
                    do throws(VaultCodesError) {
                        return try opened.codes(for: VaultQuery(query), at: time.unixTime, count: time.next)
                    } catch {
                        switch error {
                        case .query(let error): throw error
                        case .vault(let error): throw VaultFailure(error)
                        }
                    }
                }
            }
            for (id, damage) in report.damaged {
                Terminal.error("otp: entry \(id) is damaged and skipped: \(damage.description)")
            }
            if output.json {
                Terminal.out(
                    Terminal.json(
                        report.codes.map {
                            AccountCodesJSON(
                                id: $0.id, issuer: $0.account.issuer, account: $0.account.name,
                                codes: $0.codes.map(CodeJSON.init))
                        }))
            } else {
                Terminal.out(report.codes.map { Self.describe($0.account, $0.codes, now: time.unixTime) }.joined())
            }
            if !report.damaged.isEmpty { throw ExitCode(1) }
        }
    }

    /// `Issuer: name  123456 654321  (17 s left)`.
    static func describe(_ account: OTPAccount, _ codes: [OTPCode], now: Int64) -> String {
        var line = Terminal.escaped(account.displayName) + "  " + codes.map(\.value).joined(separator: " ")
        if let until = codes.first?.validUntil {
            line += "  (\(until - now) s left)"
        } else if let counter = codes.first?.counter {
            line += "  (counter \(counter))"
        }
        return line + "\n"
    }
}
