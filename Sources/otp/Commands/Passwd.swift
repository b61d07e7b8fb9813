import ArgumentParser
import Foundation
import OTPCrypto
import OTPSession
import OTPVault

/// `otp passwd`: change the vault passphrase (re-wraps the master key; entries are not re-encrypted).
struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change the vault passphrase.",
        discussion: """
            The new passphrase comes from --new-passphrase-file (first line), else $OTP_NEW_PASSPHRASE, else a \
            prompt (asked twice). The master key is re-wrapped in one transaction: the old passphrase stops working \
            and every entry still opens.
            """)

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Option(
        help: ArgumentHelp("Read the new passphrase from the first line of this file.", valueName: "path"),
        completion: .file())
    var newPassphraseFile: String?

    @Flag(help: "Keep a weak new passphrase without the warning (and without the question on a terminal).")
    var allowWeak = false

    func run() throws {
        try vault.requireFile("otp passwd")
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let new = try newPassphrase()
                try WeakPassphrase.check(new, allowWeak: allowWeak)
                try opened.changePassphrase(to: new)
                if output.json {
                    Terminal.out(Terminal.json(["vault": vault.path]))
                } else {
                    Terminal.error("otp: passphrase changed")
                }
            }
        }
    }

    /// `--new-passphrase-file`, `$OTP_NEW_PASSPHRASE`, or asked twice on the terminal.
    private func newPassphrase() throws -> SecureBytes {
        let environment = ProcessInfo.processInfo.environment
        if let source = PassphraseSource.chosen(
            file: newPassphraseFile, command: nil, environment: environment, variable: "OTP_NEW_PASSPHRASE")
        {
            do { return try source.read() } catch { throw VaultFailure(.noPassphrase(error.description)) }
        }
        let first = try Passphrase.prompt(
            "New passphrase: ", otherwise: "give --new-passphrase-file or set OTP_NEW_PASSPHRASE")
        guard first == (try Passphrase.prompt("Repeat the new passphrase: ")) else {
            throw VaultFailure(.noPassphrase("the two passphrases differ; nothing was changed"))
        }
        return first
    }
}
