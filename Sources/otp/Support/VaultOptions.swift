import ArgumentParser
import Foundation
import OTPCrypto
import OTPSession
import OTPTeam
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// `--vault` and `--passphrase-file`, shared by every command that opens the vault.
struct VaultOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The vault file, or a team vault's postgresql:// URL (default: $OTP_VAULT, else "
                + "$XDG_DATA_HOME/otp/vault.sqlite).", valueName: "path"),
        completion: .file())
    var vault: String?

    @Option(
        help: ArgumentHelp(
            "For a team vault: the personal vault file holding your member key (default: $OTP_PERSONAL_VAULT, else "
                + "the default vault file). The passphrase options unlock it.", valueName: "path"),
        completion: .file())
    var personalVault: String?

    @Option(
        help: ArgumentHelp(
            "Read the passphrase from the first line of this file (else $OTP_PASSPHRASE, else a prompt).",
            valueName: "path"), completion: .file())
    var passphraseFile: String?

    @Option(
        help: ArgumentHelp(
            "Run this command (/bin/sh -c) and take the first line it prints as the passphrase (a password manager).",
            valueName: "command"))
    var passphraseCommand: String?

    /// The vault path or URL (``VaultLocation/resolve(explicit:environment:)``). An empty `--vault` is an error,
    /// not the default.
    var path: String { VaultLocation.resolve(explicit: vault, environment: ProcessInfo.processInfo.environment).text }

    /// Whether the vault is a team vault on PostgreSQL.
    var isTeam: Bool { VaultLocation.isTeamURL(path) }

    /// The personal vault that holds this member's key (``VaultLocation/personal(explicit:environment:)``).
    var personalPath: String {
        VaultLocation.personal(explicit: personalVault, environment: ProcessInfo.processInfo.environment)
    }

    /// Refuses a team vault URL for commands that only make sense on a file (`init`, `passwd`, `unlock`, `backup`).
    func requireFile(_ what: String) throws {
        guard !isTeam else {
            throw CommandFailure(
                "\(what) works on a vault file; a team vault is made with otp team create, and each member's "
                    + "passphrase is their personal vault's", status: 64, code: "usage")
        }
    }

    /// Opens the team vault with the member key of the personal vault, runs `body`, and closes both.
    func withTeamVault<T>(
        createSchema: Bool = false, _ body: (PostgresVaultStorage, Vault) throws -> T
    ) throws -> T {
        let url = try TeamFailure.run { () throws(TeamError) in try PostgresURL(path) }
        let personal = personalPath
        guard FileManager.default.fileExists(atPath: personal) else {
            throw VaultFailure(
                .noPassphrase(
                    "no personal vault at \(personal): a team vault opens with your personal vault's key "
                        + "(create one with otp init, or give --personal-vault)"))
        }
        let secret = try passphrase(prompt: "Personal vault passphrase: ")
        do {
            return try TeamVault.withMember(
                url: url, personalPath: personal, passphrase: secret, createSchema: createSchema, body)
        } catch let failure as TeamVault.MemberFailure {
            switch failure {
            case .team(let error): throw TeamFailure(error: error)
            case .personal(let error): throw VaultFailure(error)
            }
        }
    }

    func validate() throws {
        if let vault, vault.isEmpty { throw ValidationError("--vault needs a path (leave it out for the default).") }
    }

    /// The passphrase: `--passphrase-file` (first line), `$OTP_PASSPHRASE`, or a no-echo prompt on the terminal
    /// (asked twice when `confirm`).
    func passphrase(prompt: String = "Vault passphrase: ", confirm: Bool = false) throws -> SecureBytes {
        let source = PassphraseSource.chosen(
            file: passphraseFile, command: passphraseCommand, environment: ProcessInfo.processInfo.environment)
        if let source {
            do {
                return try source.read()
            } catch {
                throw VaultFailure(.noPassphrase(error.description))
            }
        }
        let first = try Passphrase.prompt(prompt)
        if confirm {
            let second = try Passphrase.prompt("Repeat the passphrase: ")
            guard first == second else {
                throw VaultFailure(.noPassphrase("the two passphrases differ; nothing was created"))
            }
        }
        return first
    }

    /// The first line of a file (``PassphraseSource/firstLine(ofFile:what:)``), as a vault failure.
    static func readPassphraseFile(_ path: String, what: String = "passphrase file") throws -> SecureBytes {
        do {
            return try PassphraseSource.firstLine(ofFile: path, what: what)
        } catch {
            throw VaultFailure(.noPassphrase(error.description))
        }
    }

    /// Whether a vault may be created when there is none: `init`, or `--create` on import and add, or a yes on
    /// the terminal. A typo in `--vault` or `$OTP_VAULT` never creates a vault silently.
    func mayCreate(explicitly create: Bool) -> Bool {
        if isTeam { return false }
        if create || FileManager.default.fileExists(atPath: path) { return true }
        guard Terminal.stdinIsTerminal else { return false }
        let answer = Terminal.ask("There is no vault at \(path). Create it? [y/N] ").lowercased()
        return answer == "y" || answer == "yes"
    }

    /// Opens the vault, runs `body`, and closes it (so its write-ahead log is folded back into the file). A vault
    /// this call created is removed again when `body` throws or `keepCreated` says it holds nothing worth keeping:
    /// a failed run never leaves an empty vault behind.
    func withVault<T>(
        create: Bool, keepCreated: (T) -> Bool = { _ in true }, newPassphrase: ((SecureBytes) throws -> Void)? = nil,
        _ body: (Vault) throws -> T
    ) throws -> T {
        if isTeam {
            return try withTeamVault { storage, personal in
                let opened = try TeamFailure.run { () throws(TeamError) in
                    try TeamVault.open(storage: storage, personal: personal)
                }
                return try body(opened.vault)
            }
        }
        let path = self.path
        guard !path.isEmpty else { throw VaultFailure(.notFound(path: path)) }
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists && !create { throw VaultFailure(.notFound(path: path)) }
        let secret = try passphrase(confirm: !exists)
        if !exists { try newPassphrase?(secret) }
        var created = false
        var discarded = false
        do {
            let result = try Vault.withVault(
                path: path, passphrase: secret, create: create, keepCreated: keepCreated,
                discarded: { discarded = true }
            ) { opening in
                created = opening.created
                return try body(opening.vault)
            }
            if discarded {
                Terminal.error("otp: nothing was stored, so the new vault was not kept")
            } else if created {
                Terminal.error("otp: created a new vault at \(path)")
            }
            return result
        } catch let error as VaultError {
            if discarded { Terminal.error("otp: nothing was stored, so the new vault was not kept") }
            throw VaultFailure(error)
        } catch {
            if discarded { Terminal.error("otp: nothing was stored, so the new vault was not kept") }
            throw error
        }
    }
}

extension VaultError {
    /// The code of a whole-command failure in `--json` error documents.
    var code: String {
        switch self {
        case .notFound: "vault-not-found"
        case .alreadyExists: "vault-exists"
        case .wrongPassphrase: "wrong-passphrase"
        case .damaged: "vault-damaged"
        case .notAVault: "not-a-vault"
        case .locked: "vault-locked"
        case .storage, .output: "storage"
        case .crypto: "crypto"
        case .noPassphrase: "no-passphrase"
        case .noSuchEntry: "no-such-entry"
        case .counterExhausted: "counter-exhausted"
        case .invalidName: "invalid-name"
        case .server: "server"
        }
    }
}

/// A vault error as the CLI reports it: message on stderr, exit status 2.
struct VaultFailure: Error, CustomStringConvertible {
    let error: VaultError
    init(_ error: VaultError) { self.error = error }
    var description: String { error.description }
}

/// A team vault error as the CLI reports it: message on stderr, exit status 2.
struct TeamFailure: Error, CustomStringConvertible {
    let error: TeamError
    var description: String { error.description }

    static func run<T>(_ body: () throws(TeamError) -> T) throws(TeamFailure) -> T {
        do {
            return try body()
        } catch {
            throw TeamFailure(error: error)
        }
    }
}

extension ParsableCommand {
    /// Runs `body`, turning vault failures into a message on stderr and exit status 2.
    func withVaultErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as TeamFailure {
            Terminal.error("otp: \(failure.description)")
            if Terminal.jsonMode, !Terminal.wroteJSON {
                Terminal.errorDocument(code: failure.error.code, message: failure.description)
            }
            throw ExitCode(2)
        } catch let failure as VaultFailure {
            Terminal.error("otp: \(failure.description)")
            if Terminal.jsonMode, !Terminal.wroteJSON {
                Terminal.errorDocument(code: failure.error.code, message: failure.description)
            }
            throw ExitCode(2)
        } catch let error as VaultError {
            Terminal.error("otp: \(error.description)")
            if Terminal.jsonMode, !Terminal.wroteJSON {
                Terminal.errorDocument(code: error.code, message: error.description)
            }
            throw ExitCode(2)
        }
    }
}

/// Reads a passphrase from the terminal without echo.
enum Passphrase {
    static func prompt(
        _ text: String, otherwise: String = "give --passphrase-file, --passphrase-command or set OTP_PASSPHRASE"
    ) throws -> SecureBytes {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            throw VaultFailure(.noPassphrase("no passphrase: \(otherwise) (there is no terminal to ask on)"))
        }
        defer { close(fd) }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        var original = termios()
        let isTerminal = tcgetattr(fd, &original) == 0
        if isTerminal {
            var silent = original
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(fd, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal { tcsetattr(fd, TCSAFLUSH, &original) }
            _ = "\n".withCString { write(fd, $0, 1) }
        }
        var bytes: [UInt8] = []
        defer { for i in bytes.indices { bytes[i] = 0 } }
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != 0x0A, byte != 0x0D {
            bytes.append(byte)
            if bytes.count > 4096 { break }
        }
        guard !bytes.isEmpty else { throw VaultFailure(.noPassphrase("an empty passphrase is not accepted")) }
        return SecureBytes(bytes)
    }
}

/// The warning (and, on a terminal, the question) for a weak new passphrase: `init` and `passwd`.
enum WeakPassphrase {
    static func check(_ secret: SecureBytes, allowWeak: Bool) throws {
        guard !allowWeak, PassphraseStrength.isWeak(secret) else { return }
        Terminal.error(
            "otp: warning: this passphrase is weak (about \(Int(PassphraseStrength.bits(secret))) bits; at least "
                + "\(Int(PassphraseStrength.weakBelowBits)) are advised): anyone with a copy of the vault can try "
                + "guesses offline. A few unrelated words are strong and easy to type. --allow-weak keeps it "
                + "without this warning")
        guard Terminal.stdinIsTerminal else { return }
        let answer = Terminal.ask("Use it anyway? [y/N] ").lowercased()
        guard answer == "y" || answer == "yes" else {
            throw VaultFailure(.noPassphrase("the weak passphrase was not used; nothing was changed"))
        }
    }
}
