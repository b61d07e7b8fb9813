import ArgumentParser
import Foundation
import OTPCore
import OTPCrypto
import OTPImport
import OTPScan
import OTPSession
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// `otp add --account A [--issuer I] [--type …] [--secret-file F] [--shred]`: an account from a bare Base32 key.
struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add an account from a bare Base32 key (AWS \"Show secret key\", or the CLI's Base32StringSeed).",
        discussion: """
            The key is read from --secret-file, else from standard input when it is not a terminal, else from a \
            prompt without echo; it is never a command-line value. Spaces, dashes and lower case are tolerated. \
            The key is checked by the same rules as URIs (a weak key gets a warning).
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case totp, hotp, steam }

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "The account name (alice@123456789012).")
    var account: String

    @Option(help: "The issuer (Amazon Web Services).")
    var issuer: String?

    @Option(help: "totp (default), hotp or steam.")
    var type: Kind = .totp

    @Option(help: "SHA1 (default), SHA256 or SHA512.")
    var algorithm: String?

    @Option(help: "Code length, 6 to 10 (default 6).")
    var digits: Int?

    @Option(help: "TOTP step in seconds (default 30).")
    var period: Int?

    @Option(help: "HOTP counter (default 0).")
    var counter: UInt64?

    @Option(
        help: ArgumentHelp("Read the key from this file (the AWS CLI's Base32StringSeed outfile).", valueName: "path"),
        completion: .file())
    var secretFile: String?

    @Option(
        help: ArgumentHelp("The AWS MFA device serial, to select it later with otp code --serial.", valueName: "arn"))
    var serial: String?

    @Flag(help: "Once the account is stored, overwrite the --secret-file and delete it.")
    var shred = false

    @Flag(help: "Create the vault when there is none (a terminal asks instead).")
    var create = false

    func validate() throws {
        if shred, secretFile == nil { throw ValidationError("--shred destroys the --secret-file; give one.") }
        if type != .hotp, counter != nil { throw ValidationError("--counter is for --type hotp.") }
        if type == .hotp, period != nil { throw ValidationError("--period is for TOTP accounts.") }
    }

    func run() throws {
        let account = try readAccount()
        let result = try withVaultErrors {
            try vault.withVault(create: vault.mayCreate(explicitly: create)) { opened in
                try VaultCall.run { () throws(VaultError) in
                    if let serial = account.awsSerial { try opened.ensureSerialIsFree(serial) }
                    return try opened.add([account])
                }
            }
        }
        guard let added = result.first else { throw ExitCode(2) }
        if output.json {
            Terminal.out(Terminal.json(EntryJSON(id: added.id, account: added.account)))
        } else {
            let verb = if case .duplicate = added.disposition { "duplicate" } else { "added    " }
            Terminal.out("\(verb) \(added.id)  \(Terminal.escaped(added.account.displayName))\n")
        }
        // Only now: the account is committed (or was already there).
        if shred, let secretFile { try Self.shred(secretFile) }
    }

    /// The account the options describe, checked as an imported one would be (diagnostics on stderr).
    private func readAccount() throws -> OTPAccount {
        let key = try readKey()
        let check = OTPAuthURI.check(OTPAuthURI.Fields(type: type.rawValue, name: account, parameters: parameters(key)))
        for d in check.diagnostics {
            Terminal.error("otp: \(d.severity.rawValue): \(Terminal.escaped(d.message)) [\(d.code)]")
        }
        guard var account = check.account else { throw ExitCode(1) }
        account.awsSerial = serial.flatMap { $0.isEmpty ? nil : $0 }
        if let serial = account.awsSerial {
            do throws(VaultError) {
                try Vault.validate(serial: serial)
            } catch {
                throw ValidationError(error.description)
            }
        }
        return account
    }

    private static func shred(_ secretFile: String) throws {
        do throws(Shredder.Failure) {
            try Shredder.shred(secretFile)
            Terminal.error("otp: shredded \(Terminal.escaped(secretFile))")
        } catch {
            Terminal.error("otp: \(Terminal.escaped(error.description))")
            throw ExitCode(1)
        }
    }

    private func parameters(_ key: String) -> [String: String] {
        var parameters = ["secret": key]
        if let issuer, !issuer.isEmpty { parameters["issuer"] = issuer }
        if let algorithm { parameters["algorithm"] = algorithm }
        if let digits { parameters["digits"] = String(digits) }
        if let period { parameters["period"] = String(period) }
        if type == .hotp { parameters["counter"] = String(counter ?? 0) }
        return parameters
    }

    /// The key from --secret-file, piped stdin, or a prompt; spaces and dashes removed.
    private func readKey() throws -> String {
        let raw: SecureBytes
        if let secretFile {
            raw = try VaultOptions.readPassphraseFile(secretFile, what: "secret file")
        } else if isatty(STDIN_FILENO) == 0 {
            raw = SecureBytes(try FileLoader.readStandardInput(maxBytes: 65_536).prefix { $0 != 0x0A && $0 != 0x0D })
        } else {
            raw = try Passphrase.prompt("Secret key (Base32): ")
        }
        let text = raw.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        return String(text.filter { $0 != " " && $0 != "-" && !$0.isNewline })
    }
}
