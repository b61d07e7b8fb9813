import ArgumentParser
import OTPSession
import OTPVault

/// `otp remove QUERY`: delete one account.
struct Remove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove one account from the vault (an ambiguous QUERY lists the candidates and removes nothing).")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Issuer, account name or \"Issuer: name\", or an id prefix, matching exactly one account.")
    var query: String

    @Flag(help: "Remove without asking (for scripts); without a terminal to ask on, --yes is required.")
    var yes = false

    func validate() throws {
        if !yes, !Terminal.stdinIsTerminal {
            throw ValidationError(
                "Removing an MFA secret cannot be undone: confirm with --yes (there is no terminal to ask on).")
        }
    }

    func run() throws {
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let (entry, account) = try withQueryErrors { try VaultQuery(query).single(try opened.entries()) }
                if !yes {
                    let answer = Terminal.ask(
                        "Remove \(entry.id)  \(Terminal.escaped(account.displayName))? This cannot be undone. [y/N] ")
                    guard answer.lowercased() == "y" || answer.lowercased() == "yes" else {
                        Terminal.error("otp: nothing removed")
                        throw ExitCode(1)
                    }
                }
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
