import ArgumentParser
import OTPSession
import OTPVault

/// `otp edit QUERY [--issuer X] [--account Y] [--note N] [--serial ARN]` (`otp rename` is a synonym).
struct Edit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change the issuer, account name, note or AWS MFA serial of one account.",
        discussion: """
            An empty value removes the issuer, note or serial. The serial (arn:aws:iam::123456789012:mfa/alice) \
            lets otp code --serial ARN select the account, as aws-vault's configuration names the device. \
            Everything is sealed like the secret.
            """,
        aliases: ["rename"])

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Issuer, account name or \"Issuer: name\", or an id prefix, matching exactly one account.")
    var query: String

    @Option(help: "The new issuer (an empty string removes it).")
    var issuer: String?

    @Option(help: "The new account name.")
    var account: String?

    @Option(help: "A note (an empty string removes it).")
    var note: String?

    @Option(
        help: ArgumentHelp(
            "The AWS MFA device serial, arn:aws:iam::ACCOUNT:mfa/NAME (empty removes it).", valueName: "arn"))
    var serial: String?

    func validate() throws {
        if issuer == nil, account == nil, note == nil, serial == nil {
            throw ValidationError("Give --issuer, --account, --note or --serial.")
        }
    }

    func run() throws {
        func change(_ value: String?) -> Vault.FieldChange {
            value.map { $0.isEmpty ? .removed : .set($0) } ?? .unchanged
        }
        let edit = Vault.AccountEdit(
            issuer: change(issuer), name: account, note: change(note), awsSerial: change(serial))
        let (id, edited) = try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let entry = try withQueryErrors { try VaultQuery(query).single(try opened.entries()).entry }
                return (entry.id, try VaultCall.run { () throws(VaultError) in try opened.edit(id: entry.id, edit) })
            }
        }
        if output.json {
            Terminal.out(Terminal.json([EntryJSON(id: id, account: edited)]))
        } else {
            Terminal.out("edited   \(id)  \(Terminal.escaped(edited.displayName))\n")
        }
    }
}
