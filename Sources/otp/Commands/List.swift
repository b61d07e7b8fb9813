import ArgumentParser
import Foundation
import OTPCore
import OTPSession
import OTPVault

/// `otp list`: the accounts in the vault, never their secrets.
struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the accounts in the vault (no secrets).",
        discussion: "Damaged entries are reported on stderr (exit 1); the others are listed.")

    @OptionGroup var vault: VaultOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Only accounts matching this (issuer or name substring, an alias such as aws, or id:PREFIX).")
    var query: String?

    @Flag(help: "Also show when each entry was created and its AWS serial (to tell look-alike entries apart).")
    var long = false

    @Flag(help: "Also list the accounts of retired AWS devices (otp aws rotate keeps them; --json always lists them).")
    var all = false

    /// `  created 2026-12-03  serial arn:…` for `--long`.
    static func details(_ account: OTPAccount, created: Int64?) -> String {
        var text = ""
        if let created {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            text += "  created \(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(created))))"
        }
        if let serial = account.awsSerial { text += "  serial \(Terminal.escaped(serial))" }
        return text
    }

    /// The entries that open, their creation times, and how many are damaged (each named on stderr).
    static func opened(_ entries: [VaultEntry]) -> ([EntryJSON], [String: Int64], Int) {
        var damaged = 0
        var listed: [EntryJSON] = []
        var created: [String: Int64] = [:]
        for entry in entries {
            switch entry.account {
            case .success(let account):
                listed.append(EntryJSON(id: entry.id, account: account))
                created[entry.id] = entry.createdAt
            case .failure(let damage):
                damaged += 1
                Terminal.error("otp: entry \(Terminal.escaped(entry.id)) is damaged: \(damage.description)")
            }
        }
        return (listed, created, damaged)
    }

    func run() throws {
        try withVaultErrors {
            let entries = VaultQuery(query).select(try vault.withVault(create: false) { try $0.entries() })
            let (listed, created, damaged) = Self.opened(entries)
            if output.json {
                Terminal.out(Terminal.json(listed))
            } else {
                for item in listed where all || !item.account.retired { Terminal.out(line(item, created[item.id])) }
            }
            if damaged > 0 { throw ExitCode(1) }
            if listed.isEmpty, let query, !query.isEmpty {
                Terminal.error("otp: no account matches '\(Terminal.escaped(query))'")
                throw ExitCode(1)
            }
        }
    }

    /// `ID  Issuer: name  (TOTP 30 s, SHA1, 6 digits)`, with `--long` details and the retired mark.
    private func line(_ item: EntryJSON, _ created: Int64?) -> String {
        let a = item.account
        let kind = a.kind == .totp ? "TOTP \(a.period) s" : "HOTP #\(a.counter)"
        return "\(item.id)  \(Terminal.escaped(a.displayName))  (\(kind), \(a.algorithm.rawValue), "
            + "\(a.encoder == .steam ? "Steam" : "\(a.digits) digits"))"
            + (long ? Self.details(a, created: created) : "") + (a.retired ? "  retired" : "") + "\n"
    }
}
