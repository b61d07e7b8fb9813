import ArgumentParser
import OTPCore
import OTPCrypto
import OTPImport
import OTPVault

/// `otp export [QUERY] --format uri|google|google-uri|aegis [--encrypt] -o PATH`: accounts out, secrets included.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write accounts, secrets included, in a format other apps read.",
        discussion: """
            uri: one otpauth:// URI per line. google: Google Authenticator transfer codes as numbered PNG QR images \
            in the folder -o DIR, sized to be read from a screen. google-uri: the same payloads \
            (otpauth-migration://), \
            ten accounts each, one batch; accounts it cannot hold (Steam, steps other than 30 s, digits other than \
            6 or 8) are named and left out (exit 1). html: a printable paper backup, a QR code, the parameters and the \
            key in groups of four for each account, four to a page. aegis: an Aegis vault file, encrypted with \
            --encrypt (scrypt and AES-256-GCM as Aegis specifies; the password from --export-passphrase-file or a \
            prompt). csv: KeePassXC's CSV columns with an otpauth:// URI in TOTP (KeePassXC, Bitwarden, Proton Pass \
            read it). bitwarden: Bitwarden's unencrypted JSON export. cxf: the FIDO Credential Exchange Format, \
            unencrypted JSON (TOTP only: HOTP and Steam accounts are named and left out). All but an encrypted aegis \
            file are plaintext. Files are new and 0600 (--force overwrites); -o - writes to stdout.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case uri
        case googleURI = "google-uri"
        case google
        case aegis
        case html
        case csv
        case bitwarden
        case cxf
    }

    @OptionGroup var vault: VaultOptions

    @Argument(help: "Only accounts matching this (all without it).")
    var query: String?

    @Option(
        help: ArgumentHelp(
            "uri, google (PNG QR images in a folder), google-uri, aegis, html (a printable paper backup), csv, "
                + "bitwarden or cxf."))
    var format: Format

    @Option(
        name: .shortAndLong, help: ArgumentHelp("The file to write, or - for stdout.", valueName: "path"),
        completion: .file())
    var output: String

    @Flag(help: "Encrypt (aegis): the export gets its own password.")
    var encrypt = false

    @Option(
        help: ArgumentHelp("The export's password, from the first line of this file.", valueName: "path"),
        completion: .file())
    var exportPassphraseFile: String?

    @Flag(help: "Overwrite the output file.")
    var force = false

    func validate() throws {
        if encrypt, format != .aegis { throw ValidationError("--encrypt is for --format aegis.") }
    }

    func run() throws {
        let (selected, damaged) = try selectedAccounts()
        // An account too long for a QR code is named and left out of the transfer images (or printed without its
        // QR code on paper); it never makes the whole export fail.
        let (accounts, tooLong) = format == .google ? QRImages.drawable(selected) : (selected, [])
        let result = try exported(accounts)
        let unpictured = try write(result, accounts)
        for id in damaged { Terminal.error("otp: left out entry \(Terminal.escaped(id)): it is damaged") }
        for account in tooLong + unpictured {
            let what = format == .html ? "printed without a QR code" : "left out"
            Terminal.error("otp: \(what) \(Terminal.escaped(account.displayName)): too long for a QR code")
        }
        for (account, reason) in result.leftOut {
            Terminal.error("otp: left out \(Terminal.escaped(account.displayName)): \(reason)")
        }
        let destination = output == "-" ? "stdout" : output
        Terminal.error("otp: exported \(result.count) account\(result.count == 1 ? "" : "s") to \(destination)")
        if !result.leftOut.isEmpty || !damaged.isEmpty || !tooLong.isEmpty || !unpictured.isEmpty {
            throw ExitCode(1)
        }
    }

    private func selectedAccounts() throws -> (accounts: [OTPAccount], damaged: [String]) {
        let selected = try withVaultErrors {
            try vault.withVault(create: false) { opened in
                // The vault logs who exported what (by id) before anything is written.
                try VaultCall.run { () throws(VaultError) in
                    try opened.accountsForExport(VaultQuery(query).select(try opened.entries()))
                }
            }
        }
        if selected.accounts.isEmpty {
            Terminal.error("otp: no account to export")
            throw ExitCode(1)
        }
        return selected
    }

    private func exported(_ accounts: [OTPAccount]) throws -> Exporter.Output {
        let password = encrypt ? try exportPassword() : nil
        do throws(Exporter.Failure) {
            let library: Exporter.Format =
                format == .google
                ? .googleURI : format == .html ? .uri : Exporter.Format(rawValue: format.rawValue) ?? .uri
            return try Exporter.export(accounts, as: library, password: password)
        } catch {
            Terminal.error("otp: \(error.description)")
            throw ExitCode(1)
        }
    }

    /// Writes the export; returns the accounts a paper backup shows without a QR code.
    private func write(_ result: Exporter.Output, _ accounts: [OTPAccount]) throws -> [OTPAccount] {
        switch format {
        case .google:
            try QRImages.writeGoogleImages(result.data, folder: output, force: force)
        case .html:
            let (page, unpictured) = try PaperBackup.html(accounts)
            try SecretOutput.write(page, to: output, force: force)
            return unpictured
        default:
            try SecretOutput.write(result.data, to: output, force: force)
        }
        return []
    }

    private func exportPassword() throws -> SecureBytes {
        if let exportPassphraseFile {
            return try VaultOptions.readPassphraseFile(exportPassphraseFile, what: "export passphrase file")
        }
        let first = try Passphrase.prompt("Export password: ", otherwise: "give --export-passphrase-file")
        guard first == (try Passphrase.prompt("Repeat the export password: ")) else {
            throw CommandFailure("the two passwords differ; nothing was written")
        }
        return first
    }
}

/// `otp show QUERY --uri|--secret`: one account's URI or key, to move it to a phone by hand.
struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one account for a phone: a QR code in the terminal or as a PNG, its URI, or its Base32 key.")

    @OptionGroup var vault: VaultOptions

    @Argument(help: "Issuer, account name or \"Issuer: name\", or an id prefix, matching exactly one account.")
    var query: String

    @Flag(help: "Draw the QR code in the terminal (to scan with a phone).")
    var qr = false

    @Option(
        help: ArgumentHelp("Write the QR code as a PNG image (a new file, 0600).", valueName: "file"),
        completion: .file())
    var png: String?

    @Flag(help: "Print the otpauth:// URI.")
    var uri = false

    @Flag(help: "Print the Base32 key, in groups of four characters.")
    var secret = false

    func validate() throws {
        if [uri, secret, qr, png != nil].filter({ $0 }).count != 1 {
            throw ValidationError("Give one of --qr, --png FILE, --uri or --secret.")
        }
    }

    func run() throws {
        let account = try withVaultErrors {
            try vault.withVault(create: false) { opened in
                let entry = try withQueryErrors { try VaultQuery(query).single(try opened.entries()) }
                return try VaultCall.run { () throws(VaultError) in try opened.accountToShow(entry.entry) }
            }
        }
        if Exporter.googleRefusal(account) != nil || account.algorithm != .sha1 {
            Terminal.error(
                "otp: warning: many apps ignore this account's settings (\(account.algorithm.rawValue), "
                    + "\(account.digits) digits, \(account.period) s); check the codes the phone shows")
        }
        if qr || png != nil {
            try QRImages.show(OTPAuthURI.string(for: account), png: png)
            return
        }
        let text = uri ? OTPAuthURI.string(for: account) : Self.grouped(account)
        try SecretOutput.write(SecureBytes(Array((text + "\n").utf8)), to: "-", force: false)
    }

    /// The Base32 key in groups of four characters.
    private static func grouped(_ account: OTPAccount) -> String {
        let key = account.secret.withUnsafeBytes { Base32.encode($0) }
        return stride(from: 0, to: key.count, by: 4).map { start -> String in
            let from = key.index(key.startIndex, offsetBy: start)
            return String(key[from..<key.index(from, offsetBy: min(4, key.count - start))])
        }.joined(separator: " ")
    }
}

/// `otp backup FILE`: a consistent snapshot of the vault.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent copy of the vault to a new file (safe while other processes write).",
        discussion: "The copy is encrypted like the vault (same passphrase); otp --vault FILE opens it.")

    @OptionGroup var vault: VaultOptions

    @Argument(help: "The new file.", completion: .file())
    var file: String

    func run() throws {
        try vault.requireFile("otp backup")
        try withVaultErrors {
            try vault.withVault(create: false) { opened in
                try VaultCall.run { () throws(VaultError) in try opened.backup(to: file) }
            }
        }
        Terminal.error("otp: backed up to \(file)")
    }
}
