import ArgumentParser
import Foundation
import OTPVault

/// `otp init`: create an empty vault.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an empty vault (asks for the passphrase twice on a terminal).")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Keep a weak passphrase without the warning (and without the question on a terminal).")
    var allowWeak = false

    func run() throws {
        try vault.requireFile("otp init")
        try withVaultErrors {
            let path = vault.path
            if FileManager.default.fileExists(atPath: path) { throw VaultFailure(.alreadyExists(path: path)) }
            try vault.withVault(
                create: true, newPassphrase: { try WeakPassphrase.check($0, allowWeak: allowWeak) }
            ) { _ in }
            if output.json {
                Terminal.out(Terminal.json(["vault": path]))
            } else {
                Terminal.error("otp: vault ready at \(path)")
            }
        }
    }
}
