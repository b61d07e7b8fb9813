import ArgumentParser
import OTPVault

/// `otp rename QUERY --issuer X --account Y`.
struct Rename: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change the issuer and/or account name of one account.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Issuer or name substring, or id prefix, matching exactly one account.")
    var query: String

    @Option(help: "The new issuer (an empty string removes it).")
    var issuer: String?

    @Option(help: "The new account name.")
    var account: String?

    func validate() throws {
        if issuer == nil && account == nil { throw ValidationError("Give --issuer, --account or both.") }
    }

    func run() throws {
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let (entry, _) = try withQueryErrors { try VaultQuery(query).single(try opened.entries()) }
                let change = Vault.NameChange(
                    issuer: issuer.map { $0.isEmpty ? .removed : .set($0) } ?? .unchanged, name: account)
                let renamed = try opened.rename(id: entry.id, to: change)
                if output.json {
                    Terminal.out(Terminal.json([EntryJSON(id: entry.id, account: renamed)]))
                } else {
                    Terminal.out("renamed  \(entry.id)  \(Terminal.escaped(renamed.displayName))\n")
                }
            }
        }
    }
}
