import ArgumentParser
import Foundation
import OTPCrypto
import OTPTeam
import OTPVault

/// `otp team …`: a vault on PostgreSQL shared by members, each opening it with their personal vault's key.
struct Team: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Share a vault on PostgreSQL with a team (members, approvals, the log).",
        discussion: """
            A team vault lives in a PostgreSQL database (--vault postgresql://user@host/db?sslmode=verify-full, or \
            $OTP_VAULT). Entries are sealed on the client; the server holds ciphertexts, keyed fingerprints, public \
            keys, member names and times. Each member opens it with their personal vault (--personal-vault, else \
            $OTP_PERSONAL_VAULT, else the default vault file): its key is the member's key. Every other command \
            (import, list, code, export, …) works unchanged with --vault URL.

            Membership is a hash-chained log signed by admins, verified by every client before it uses a key: the \
            server cannot re-admit a removed member, hand out a key of its own, or take the team back to an older \
            state without the clients refusing it. Compare `otp team verify` between members to know you all see \
            the same history.

            A removed member who kept copies still knows the seeds they saw: re-create those MFA devices.
            """,
        subcommands: [
            Create.self, Join.self, Approve.self, Members.self, Verify.self, Log.self, Role.self, RemoveMember.self,
            Rekey.self,
        ])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a team vault in an empty database, with you as its first member.")
        @OptionGroup var vault: VaultOptions
        @Option(help: "Your name in the team (letters, digits, . _ @ -).") var member: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let fingerprint = try team(vault, createSchema: true) { (storage, personal) throws(TeamError) in
                try TeamVault.create(storage: storage, personal: personal, member: member).teamFingerprint
            }
            if output.json {
                Terminal.out(Terminal.json(["member": member, "team": fingerprint]))
            } else {
                Terminal.out("\(fingerprint)\n")
                Terminal.error(
                    "otp: team vault created; \(member) is its first member and admin. Team fingerprint above: "
                        + "joiners compare it with what otp team join shows them")
            }
        }
    }

    struct Join: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask to join a team vault: publishes your name and public key for a member to approve.")
        @OptionGroup var vault: VaultOptions
        @Option(help: "Your name in the team (letters, digits, . _ @ -).") var member: String
        @OptionGroup var output: OutputOptions

        func run() throws {
            let (code, teamFingerprint) = try team(vault) { (storage, personal) throws(TeamError) in
                try TeamVault.join(storage: storage, personal: personal, member: member)
            }
            if output.json {
                Terminal.out(Terminal.json(["member": member, "fingerprint": code, "team": teamFingerprint]))
            } else {
                Terminal.out("\(code)\n")
                Terminal.error(
                    "otp: asked to join as \(member). Read the join code above to an admin over another channel "
                        + "(they approve with it), and check that the team fingerprint they see is "
                        + "\(teamFingerprint)")
            }
        }
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a join request: wraps the team key to that member's public key.")
        @Argument(help: "The member's name.") var name: String
        @OptionGroup var vault: VaultOptions
        @Option(help: "The join code `team join` printed for them, as they read it to you over another channel.")
        var fingerprint: String
        @Flag(help: "Make them an admin (they may approve, remove and change roles).") var admin = false
        @OptionGroup var output: OutputOptions

        func run() throws {
            let approved = try asMember(vault) { (opened) throws(TeamError) in
                try TeamVault.approve(name, fingerprint: fingerprint, role: admin ? .admin : .member, in: opened)
            }
            if output.json {
                Terminal.out(Terminal.json(["member": name, "fingerprint": approved]))
            } else {
                Terminal.error("otp: approved \(name) (key \(approved))")
            }
        }
    }

    struct Members: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the members and join requests.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions

        struct MemberJSON: Encodable {
            let name: String
            let status: String
            let role: String?
            let fingerprint: String
            let requestedAt: Int64
            let approvedBy: String?
            let approvedAt: Int64?
        }

        func run() throws {
            let members = try asMember(vault) { (opened) throws(TeamError) in
                try TeamVault.members(in: opened)
            }
            if output.json {
                Terminal.out(
                    Terminal.json(
                        members.map {
                            MemberJSON(
                                name: $0.name, status: $0.active ? "member" : "waiting",
                                role: $0.role?.description, fingerprint: $0.fingerprint,
                                requestedAt: $0.requestedAt, approvedBy: $0.approvedBy, approvedAt: $0.approvedAt)
                        }))
                return
            }
            for member in members {
                let status = member.role.map { $0 == .admin ? "admin  " : "member " } ?? "waiting"
                let by = member.approvedBy.map { " (approved by \(Terminal.escaped($0)))" } ?? ""
                // Rows come from the server: whoever holds the database could write any name.
                Terminal.out(
                    "\(status)  \(Terminal.escaped(member.name))  \(Terminal.escaped(member.fingerprint))\(by)\n")
            }
        }
    }

    struct Log: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the team vault's log: who took codes, imported, exported, joined, approved, removed.")
        @OptionGroup var vault: VaultOptions
        @Option(help: "How many of the latest lines.") var limit = 100
        @Flag(help: "Then print lines as they are committed, until interrupted (LISTEN/NOTIFY).") var follow = false
        @Flag(help: "The verified membership log instead: each change, who signed it, the epoch after it.")
        var membership = false
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if membership && follow { throw ValidationError("--membership and --follow do not go together") }
        }

        struct ChangeJSON: Encodable {
            let seq: Int64
            let at: Int64
            let signer: String
            let action: String
            let member: String
            let epoch: Int32
            let hash: String
        }

        private func printMembership(_ verified: TeamChain.Verified) {
            let changes = verified.records.suffix(max(limit, 1))
            if output.json {
                Terminal.out(
                    Terminal.json(
                        changes.map {
                            ChangeJSON(
                                seq: $0.record.seq, at: $0.record.at, signer: $0.record.signer,
                                action: $0.record.action.description, member: $0.record.subject,
                                epoch: $0.record.epoch, hash: TeamChain.display($0.hash))
                        }))
                return
            }
            let formatter = ISO8601DateFormatter()
            for change in changes.map(\.record) {
                let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(change.at)))
                Terminal.out(
                    "\(change.seq)  \(when)  \(Terminal.escaped(change.signer))  \(change.action)  "
                        + "\(Terminal.escaped(change.subject))  epoch \(change.epoch)\n")
            }
        }

        struct LineJSON: Encodable {
            let seq: Int64
            let at: Int64
            let member: String
            let action: String
            let entry: String?
            let detail: String?
        }

        func run() throws {
            try asMember(vault) { (opened) throws(TeamError) in
                if membership { return printMembership(opened.verified) }
                let lines = try TeamVault.log(storage: opened.storage, limit: limit)
                print(lines)
                guard follow else { return }
                try TeamVault.follow(storage: opened.storage, after: lines.last?.seq ?? 0) {
                    print($0)
                    return true
                }
            }
        }

        /// Text lines, or with --json one JSON array (or, following, one JSON object a line).
        private func print(_ lines: [TeamLogEntry]) {
            if output.json {
                let shapes = lines.map {
                    LineJSON(
                        seq: $0.seq, at: $0.at, member: $0.member, action: $0.action, entry: $0.entryID,
                        detail: $0.detail)
                }
                if follow {
                    for shape in shapes { Terminal.out(Terminal.jsonLine(shape)) }
                } else {
                    Terminal.out(Terminal.json(shapes))
                }
                return
            }
            let formatter = ISO8601DateFormatter()
            for line in lines {
                let when = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(line.at)))
                let what = [line.entryID, line.detail].compactMap { $0 }.joined(separator: " ")
                Terminal.out(
                    "\(when)  \(Terminal.escaped(line.member))  \(Terminal.escaped(line.action))  "
                        + "\(Terminal.escaped(what))\n")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the signed membership log; print the team fingerprint and the head to compare.",
            discussion: """
                Prints the team fingerprint (the log's first entry), then the head: the number of membership \
                changes, the newest one's hash and the key epoch. Members who print the same head see the same \
                history; if theirs differ, the server shows them different histories. On a machine with no record \
                of the team, --pin with the team fingerprint a member read to you pins it.
                """)
        @OptionGroup var vault: VaultOptions
        @Option(help: "The team fingerprint to pin, when this machine has no record of the team.") var pin: String?
        @OptionGroup var output: OutputOptions

        struct VerifiedJSON: Encodable {
            let team: String
            let changes: Int
            let head: String
            let epoch: Int32
            let member: String
            let role: String?
        }

        func run() throws {
            let (opened, verified) = try team(vault) { (storage, personal) throws(TeamError) in
                let opened = try TeamVault.open(storage: storage, personal: personal, pin: pin)
                return (opened, opened.verified)
            }
            let head = TeamChain.display(verified.head.hash)
            if output.json {
                Terminal.out(
                    Terminal.json(
                        VerifiedJSON(
                            team: opened.teamFingerprint, changes: verified.records.count, head: head,
                            epoch: verified.epoch, member: opened.member, role: opened.role?.description)))
                return
            }
            Terminal.out(
                "team   \(opened.teamFingerprint)\nhead   \(verified.records.count) \(head)\nepoch  \(verified.epoch)\n"
            )
            Terminal.error(
                "otp: the membership log verifies (\(verified.roster.count) members); compare the head with another "
                    + "member over another channel")
        }
    }

    struct Role: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a member an admin, or a plain member again.")
        @Argument(help: "The member's name.") var name: String
        @Argument(help: "admin or member.") var role: String
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard ["admin", "member"].contains(role) else { throw ValidationError("the role is admin or member") }
        }

        func run() throws {
            try asMember(vault) { (opened) throws(TeamError) in
                try TeamVault.setRole(name, to: role == "admin" ? .admin : .member, in: opened)
            }
            if output.json {
                Terminal.out(Terminal.json(["member": name, "role": role]))
            } else {
                Terminal.error("otp: \(name) is now \(role == "admin" ? "an admin" : "a member")")
            }
        }
    }

    struct Rekey: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rotate the team key: a new epoch, every entry re-sealed, every member's key re-wrapped.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let resealed = try asMember(vault) { (opened) throws(TeamError) in try TeamVault.rekey(in: opened).resealed
            }
            if output.json {
                Terminal.out(Terminal.json(["resealed": resealed]))
            } else {
                Terminal.error("otp: the team key was rotated and \(resealed) entries re-sealed")
            }
        }
    }

    struct RemoveMember: ParsableCommand {
        struct Removed: Encodable {
            let member: String
            let resealed: Int
        }

        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a member (or refuse a request); rotates the team key and re-seals every entry.",
            discussion: """
                In one transaction: a new team key, every entry re-sealed under it, the other members' wrapped \
                keys replaced. The removed member's key opens nothing afterwards; but seeds they saw while a member \
                stay known to them: re-create those MFA devices.
                """)
        @Argument(help: "The member's name.") var name: String
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let resealed = try asMember(vault) { (opened) throws(TeamError) in
                try TeamVault.remove(name, in: opened).resealed
            }
            if output.json {
                Terminal.out(Terminal.json(Removed(member: name, resealed: resealed)))
            } else {
                Terminal.error(
                    "otp: removed \(name); the team key was rotated and \(resealed) entries re-sealed. Seeds \(name) "
                        + "saw stay known to them: re-create those MFA devices")
            }
        }
    }
}

extension ParsableCommand {
    /// Runs a team command: `body` gets the team vault's storage and the personal vault, and its failures are
    /// reported as every vault command reports them (stderr, `--json` error document, exit 2).
    fileprivate func team<T>(
        _ vault: VaultOptions, createSchema: Bool = false,
        _ body: (PostgresVaultStorage, Vault) throws(TeamError) -> T
    ) throws -> T {
        guard vault.isTeam else {
            throw CommandFailure(
                "otp team needs a team vault: --vault postgresql://user@host/database (or $OTP_VAULT)", status: 64,
                code: "usage")
        }
        return try withVaultErrors {
            try vault.withTeamVault(createSchema: createSchema) { storage, personal in
                try TeamFailure.run { () throws(TeamError) in try body(storage, personal) }
            }
        }
    }

    /// As ``team(_:createSchema:_:)``, opened as the member whose key the personal vault holds.
    fileprivate func asMember<T>(_ vault: VaultOptions, _ body: (TeamVault.Opened) throws(TeamError) -> T) throws -> T {
        try team(vault) { (storage, personal) throws(TeamError) in
            try body(try TeamVault.open(storage: storage, personal: personal))
        }
    }
}

/// `otp vault copy`: moves every entry between a vault file and a team vault (or two of either), re-sealed under the
/// destination's key.
struct VaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault", abstract: "Move a vault between a file and PostgreSQL.", subcommands: [Copy.self])

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy every entry from one vault to another (file or postgresql:// URL), re-sealed.",
            discussion: """
                HOTP counters and --once steps are kept. Duplicates already in the destination are skipped. A file \
                destination that does not exist is created. The passphrase options unlock files; a team vault opens \
                with the personal vault (--personal-vault).
                """)
        @Option(help: "The source vault (file or URL).") var from: String
        @Option(help: "The destination vault (file or URL).") var to: String
        @Option(help: "The source file's passphrase, when it differs from the destination's.", completion: .file())
        var fromPassphraseFile: String?
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if from == to { throw ValidationError("--from and --to are the same vault") }
        }

        func run() throws {
            var source = vault
            source.vault = from
            if let fromPassphraseFile { source.passphraseFile = fromPassphraseFile }
            var destination = vault
            destination.vault = to
            let (added, damaged) = try withVaultErrors {
                try source.withVault(create: false) { sourceVault in
                    try destination.withVault(create: !destination.isTeam) { target in
                        try VaultCall.run { () throws(VaultError) in try target.copyEntries(from: sourceVault) }
                    }
                }
            }
            let inserted = added.filter { if case .duplicate = $0 { false } else { true } }.count
            if output.json {
                Terminal.out(
                    Terminal.json(["copied": inserted, "duplicates": added.count - inserted, "damaged": damaged.count]))
            } else {
                Terminal.error(
                    "otp: copied \(inserted) entries to \(to) (\(added.count - inserted) already there)"
                        + (damaged.isEmpty ? "" : "; \(damaged.count) damaged entries left out: \(damaged)"))
            }
            if !damaged.isEmpty { throw ExitCode(1) }
        }
    }
}
