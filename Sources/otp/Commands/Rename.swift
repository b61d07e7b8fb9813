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
        if account?.isEmpty == true { throw ValidationError("The account name cannot be empty.") }
        let text = (issuer ?? "") + (account ?? "")
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ValidationError("Names cannot contain control characters.")
        }
    }

    func run() throws {
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let (entry, _) = try VaultQuery.single(try opened.entries(), query)
                let newIssuer: String?? = issuer.map { $0.isEmpty ? nil : $0 }
                let renamed = try opened.rename(id: entry.id, issuer: newIssuer, name: account)
                if output.json {
                    Terminal.out(Terminal.json([EntryJSON(id: entry.id, account: renamed)]))
                } else {
                    Terminal.out("renamed  \(entry.id)  \(Terminal.escaped(renamed.displayName))\n")
                }
            }
        }
    }
}
