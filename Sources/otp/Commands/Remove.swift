import ArgumentParser
import OTPVault

/// `otp remove QUERY`: delete one account.
struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove one account from the vault (an ambiguous QUERY lists the candidates and removes nothing).")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Issuer or name substring, or id prefix, matching exactly one account.")
    var query: String

    func run() throws {
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let (entry, account) = try withQueryErrors { try VaultQuery(query).single(try opened.entries()) }
                try opened.remove(ids: [entry.id])
                if output.json {
                    Terminal.out(Terminal.json([EntryJSON(id: entry.id, account: account)]))
                } else {
                    Terminal.out("removed  \(entry.id)  \(Terminal.escaped(account.displayName))\n")
                }
            }
        }
    }
}
