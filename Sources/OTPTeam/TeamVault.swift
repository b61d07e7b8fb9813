import Foundation
import OTPCrypto
public import OTPVault
import Synchronization

/// A member of a team vault, as `otp team members` lists it.
public struct TeamMember: Sendable, Equatable {
    /// The member's name (unique in the team).
    public let name: String
    /// In the verified membership log (holds the team key), or a join request waiting for approval.
    public let active: Bool
    /// Admin or member; nil for a request.
    public let role: TeamRosterMember.Role?
    /// The public key's fingerprint (``TeamVault/fingerprint(of:)``); empty for a request (approving needs the join
    /// code the joiner reads out, which is not shown here).
    public let fingerprint: String
    /// Unix seconds of the join request (or of the team's creation for its first member).
    public let requestedAt: Int64
    /// Who approved, and when.
    public let approvedBy: String?
    public let approvedAt: Int64?
}

/// One line of a team vault's log.
public struct TeamLogEntry: Sendable, Equatable {
    /// Order of writing.
    public let seq: Int64
    /// Unix seconds (the server's clock).
    public let at: Int64
    /// Who.
    public let member: String
    /// What: `create`, `join`, `approve`, `remove-member`, `import`, `code`, `export`, `edit`, `remove`, `copy`.
    public let action: String
    /// The entry, by id (names are sealed).
    public let entryID: String?
    /// Counts, code kinds, member names.
    public let detail: String?
}

/// A team vault on PostgreSQL: one random team key seals every entry (the vault's master key), and each member holds
/// it wrapped to their X25519 public key (``X25519/SealedBox``). A member's private keys (X25519 for the wrap,
/// Ed25519 for signing) are derived from their personal file vault's master key and the team's id, so unlocking the
/// team vault means unlocking one's own vault; the server sees ciphertexts, keyed fingerprints, public keys, member
/// names and times.
///
/// The server is not trusted with who is a member. Membership is a hash-chained log of records signed by admins
/// (``TeamChain``): every approval, role change, removal and re-key names the record before it, the key epoch after
/// it and the whole roster with the digest of each member's wrapped key. A client verifies the whole log from the
/// team it pinned when it joined (``TeamClientState``) before it uses any key, refuses a log shorter than or diverging
/// from the one it verified before, refuses a wrapped key the log did not sign, and refuses an entry row older than a
/// revision it has seen (each seal authenticates the entry's id, the key epoch and its revision).
///
/// Removing a member rotates the team key in one transaction: every entry is re-sealed under a new key and the
/// remaining members' wrapped keys are replaced. A removed member who kept copies of old rows (or codes' seeds seen
/// while a member) still knows those seeds: the remedy is to re-create those MFA devices.
public enum TeamVault {
    /// A team vault opened by one member, after its membership log verified.
    public struct Opened: Sendable {
        /// The vault: every vault operation works on it.
        public let vault: Vault
        /// The storage (members, log).
        public let storage: PostgresVaultStorage
        /// Who opened it.
        public let member: String
        /// The team key (the vault's master key), for approving members.
        let teamKey: SecureBytes
        /// The team's id.
        let team: String
        /// This member's signing key.
        let signingSeed: SecureBytes
        /// This client's state file.
        let statePath: String
        /// The verified membership log (advanced by this member's own changes).
        private let chain: ChainBox

        /// The membership log as verified when opening, with the changes this member made since.
        public var verified: TeamChain.Verified { chain.value.withLock { $0 } }

        /// The team's fingerprint (its first membership record's hash), the same for every member.
        public var teamFingerprint: String { TeamChain.display(verified.genesis) }

        /// This member's line in the verified roster.
        public var role: TeamRosterMember.Role? { verified.roster.first { $0.name == member }?.role }

        init(
            vault: Vault, storage: PostgresVaultStorage, member: String, teamKey: SecureBytes, team: String,
            signingSeed: SecureBytes, statePath: String, verified: TeamChain.Verified
        ) {
            self.vault = vault
            self.storage = storage
            self.member = member
            self.teamKey = teamKey
            self.team = team
            self.signingSeed = signingSeed
            self.statePath = statePath
            chain = ChainBox(verified)
        }

        fileprivate func appended(_ record: SignedTeamRecord) {
            let next = chain.value.withLock { value -> TeamChain.Verified in
                value = TeamChain.Verified(records: value.records + [record])
                return value
            }
            TeamClientState.advance(to: next, path: statePath)
        }

        /// The same member and log, under a new team key (after a re-key).
        fileprivate func rekeyed(vault: Vault, teamKey: SecureBytes) -> Opened {
            Opened(
                vault: vault, storage: storage, member: member, teamKey: teamKey, team: team,
                signingSeed: signingSeed, statePath: statePath, verified: verified)
        }
    }

    final class ChainBox: Sendable {
        let value: Mutex<TeamChain.Verified>
        init(_ verified: TeamChain.Verified) { value = Mutex(verified) }
    }

    /// Member names: 1–64 of letters, digits, `.`, `_`, `@`, `-`.
    static func validate(member name: String) throws(TeamError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-")
        guard (1...64).contains(name.count), name.allSatisfy({ allowed.contains($0) }) else {
            throw .member("a member name is 1 to 64 letters, digits, '.', '_', '@' or '-'")
        }
    }

    /// A public key's fingerprint: the first 16 bytes of its SHA-256, in groups of four hex digits.
    public static func fingerprint(of publicKey: [UInt8]) -> String {
        TeamChain.display(TeamChain.sha256(publicKey))
    }

    /// A fingerprint as compared: its hex digits, lowercased.
    public static func normalisedFingerprint(_ text: String) -> String {
        text.lowercased().filter { $0.isHexDigit }
    }

    static func wrapAAD(team: String, member: String, epoch: Int32) -> [UInt8] {
        Array("otp team key v1:\(team):\(member):\(epoch)".utf8)
    }

    /// What every entry's seal authenticates beside its id and revision.
    static func binding(team: String, epoch: Int32) -> String { "team \(team):epoch \(epoch)" }

    private static func crypto<T>(_ body: () throws(CryptoError) -> T) throws(TeamError) -> T {
        do {
            return try body()
        } catch {
            throw .vault(.crypto(error))
        }
    }

    private static func vaultCall<T>(_ body: () throws(VaultError) -> T) throws(TeamError) -> T {
        do {
            return try body()
        } catch {
            throw .vault(error)
        }
    }

    /// A member's keys for one team, derived from their personal vault.
    struct Keys {
        let privateKey: SecureBytes
        let publicKey: [UInt8]
        let signingSeed: SecureBytes
        let signingKey: [UInt8]
    }

    private static func keys(of personal: Vault, team: String) throws(TeamError) -> Keys {
        let privateKey = try vaultCall { () throws(VaultError) in try personal.memberPrivateKey(context: team) }
        let seed = try vaultCall { () throws(VaultError) in
            try personal.memberPrivateKey(context: "\(team):signing")
        }
        return Keys(
            privateKey: privateKey,
            publicKey: try crypto { () throws(CryptoError) in try X25519.publicKey(of: privateKey) },
            signingSeed: seed, signingKey: try crypto { () throws(CryptoError) in try Ed25519.publicKey(seed: seed) })
    }

    private static func teamID(_ storage: PostgresVaultStorage) throws(TeamError) -> String {
        if let known = storage.knownTeamID { return known }
        let id = try storage.withConnection { statements in
            try statements.run("SELECT team_id FROM otp_team").first?.string(0)
        }
        guard let id else { throw .noTeam }
        return id
    }

    private static func chainRows(
        _ statements: PostgresVaultStorage.Statements
    ) throws -> [(encoded: [UInt8], signature: [UInt8])] {
        try statements.run(
            "SELECT record, signature FROM otp_chain ORDER BY seq LIMIT \(Int64(TeamChain.maximumRecords + 1))"
        ).map { (try $0.bytes(0), try $0.bytes(1)) }
    }

    /// Appends a signed record after checking, in the caller's transaction, that the server's log still ends where
    /// this member verified it.
    private static func append(
        _ action: TeamLogRecord.Action, subject: String, epoch: Int32, roster: [TeamRosterMember], in opened: Opened,
        _ statements: PostgresVaultStorage.Statements
    ) throws -> SignedTeamRecord {
        let head = opened.verified.head
        let current = try statements.run("SELECT coalesce(max(seq), 0) FROM otp_chain").first?.int64(0) ?? 0
        guard current == head.record.seq else {
            throw TeamError.member(
                "the team's membership changed while this command ran (another admin?); nothing was written, run it "
                    + "again")
        }
        let record = TeamLogRecord(
            seq: head.record.seq + 1, previous: head.hash, epoch: epoch, action: action, subject: subject,
            signer: opened.member, at: Int64(Date().timeIntervalSince1970), roster: roster)
        let signed = try SignedTeamRecord.sign(record, team: opened.team, seed: opened.signingSeed)
        try statements.run(
            """
            INSERT INTO otp_chain (seq, record, signature)
            VALUES (\(record.seq), \(signed.encoded), \(signed.signature))
            """)
        return signed
    }

    private static func requireAdmin(_ opened: Opened, to what: String) throws(TeamError) {
        guard opened.role == .admin else {
            throw .member(
                "\(opened.member) is not an admin in the team's verified membership log, so cannot \(what); ask an "
                    + "admin (otp team members shows who is)")
        }
    }

    /// Creates the team vault in an empty database (schema included) with its first member, an admin, and opens it.
    /// The membership log starts with a record the creator signs; this client pins it.
    ///
    /// - Throws: ``TeamError/teamExists`` when the database already holds one (nothing is changed).
    public static func create(
        storage: PostgresVaultStorage, personal: Vault, member: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TeamError) -> Opened {
        try validate(member: member)
        let team = try crypto { () throws(CryptoError) in try SecureRandom.bytes(16) }
            .map { String(format: "%02x", $0) }.joined()
        let teamKey = try crypto { () throws(CryptoError) in try SecureRandom.key(32) }
        let keys = try keys(of: personal, team: team)
        let wrapped = try crypto { () throws(CryptoError) in
            try X25519.SealedBox.seal(
                teamKey, to: keys.publicKey, authenticating: wrapAAD(team: team, member: member, epoch: 1))
        }
        let now = Int64(Date().timeIntervalSince1970)
        let genesis = TeamLogRecord(
            seq: 1, previous: [UInt8](repeating: 0, count: 32), epoch: 1, action: .create, subject: member,
            signer: member, at: now,
            roster: [
                TeamRosterMember(
                    name: member, role: .admin, encryptionKey: keys.publicKey, signingKey: keys.signingKey,
                    wrappedKeyDigest: TeamChain.sha256(wrapped))
            ])
        let signed = try crypto { () throws(CryptoError) in
            try SignedTeamRecord.sign(genesis, team: team, seed: keys.signingSeed)
        }
        storage.setActor(member, epoch: nil)
        try storage.transaction(.exclusive) { statements in
            guard try statements.run("SELECT 1 FROM otp_team").isEmpty else { throw TeamError.teamExists }
            let entries = try statements.run("SELECT count(*) FROM otp_entries").first?.int64(0) ?? 0
            guard entries == 0 else { throw TeamError.teamExists }
            try statements.run("INSERT INTO otp_team (team_id, epoch, created_at) VALUES (\(team), 1, \(now))")
            try statements.run(
                """
                INSERT INTO otp_members (
                    name, public_key, signing_key, wrapped_key, epoch, status, requested_at, approved_at)
                VALUES (\(member), \(keys.publicKey), \(keys.signingKey), \(wrapped), 1, 'active', \(now), \(now))
                """)
            try statements.run(
                "INSERT INTO otp_chain (seq, record, signature) VALUES (1, \(signed.encoded), \(signed.signature))")
            try storage.log(statements, VaultAuditEvent(action: "create", detail: member))
        }
        let verified = TeamChain.Verified(records: [signed])
        let path = TeamClientState.path(team: team, publicKey: keys.publicKey, environment: environment)
        try TeamClientState.check(verified, logSequence: 0, path: path, server: "\(storage.url)")
        storage.setClientState(path)
        storage.setActor(member, epoch: 1)
        let vault = try vaultCall { () throws(VaultError) in
            try Vault.unlocked(storage: storage, masterKey: teamKey, binding: binding(team: team, epoch: 1))
        }
        return Opened(
            vault: vault, storage: storage, member: member, teamKey: teamKey, team: team,
            signingSeed: keys.signingSeed, statePath: path, verified: verified)
    }

    typealias MemberRow = (name: String, publicKey: [UInt8], status: String, wrapped: [UInt8]?)

    /// One snapshot of the team row, the log's length, the members and the chain.
    private static func snapshot(
        _ storage: PostgresVaultStorage
    ) throws(TeamError) -> (Int32, Int64, [(encoded: [UInt8], signature: [UInt8])], [MemberRow]) {
        try storage.transaction(.none) {
            statements -> (Int32, Int64, [(encoded: [UInt8], signature: [UInt8])], [MemberRow]) in
            try statements.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            guard
                let head = try statements.run(
                    "SELECT t.epoch, (SELECT coalesce(max(seq), 0) FROM otp_log) FROM otp_team t"
                ).first
            else { throw TeamError.noTeam }
            let members = try statements.run("SELECT name, public_key, status, wrapped_key FROM otp_members")
                .map { row throws -> MemberRow in
                    (try row.string(0), try row.bytes(1), try row.string(2), try row.optionalBytes(3))
                }
            return (try head.int32(0), try head.int64(1), try chainRows(statements), members)
        }
    }

    /// This member as the signed roster lists them, and the wrapped team key the server hands them, checked against
    /// the roster's digest; the server's epoch must be the log's.
    private static func member(
        _ keys: Keys, of verified: TeamChain.Verified, rows members: [MemberRow], serverEpoch epoch: Int32,
        server: String
    ) throws(TeamError) -> (TeamRosterMember, [UInt8]) {
        guard let me = verified.roster.first(where: { $0.encryptionKey == keys.publicKey }) else {
            if let request = members.first(where: { $0.publicKey == keys.publicKey && $0.status == "pending" }) {
                let code = TeamChain.joinCode(
                    genesis: verified.genesis, name: request.name, encryptionKey: keys.publicKey,
                    signingKey: keys.signingKey)
                throw .notAMember(
                    "\(request.name) has asked to join the team vault at \(server) and waits for an admin's approval "
                        + "(join code \(code))")
            }
            throw .notAMember(
                "this personal vault is not a member of the team vault at \(server) (run otp team join, then ask an "
                    + "admin to approve)")
        }
        guard me.signingKey == keys.signingKey else {
            throw .untrusted("the membership log lists \(me.name) with another signing key; nothing was used")
        }
        guard epoch == verified.epoch else {
            throw .untrusted(
                "the team vault at \(server) says key epoch \(epoch), its signed membership log \(verified.epoch); "
                    + "nothing was used")
        }
        guard let wrapped = members.first(where: { $0.name == me.name })?.wrapped,
            TeamChain.sha256(wrapped) == me.wrappedKeyDigest
        else {
            throw .untrusted(
                "the team key the server hands \(me.name) is not the one the membership log signed (substituted?); "
                    + "nothing was used")
        }
        return (me, wrapped)
    }

    /// Publishes a join request: the member's name and public keys, to be approved by an admin. Verifies the
    /// team's membership log and pins the team (its first record) in this client's state. Returns the join code the
    /// approver must type: it covers the team, the name and both keys.
    public static func join(
        storage: PostgresVaultStorage, personal: Vault, member: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TeamError) -> (code: String, teamFingerprint: String) {
        try validate(member: member)
        let team = try teamID(storage)
        let keys = try keys(of: personal, team: team)
        let path = TeamClientState.path(team: team, publicKey: keys.publicKey, environment: environment)
        let pinned = TeamClientState.load(path).pinnedGenesis
        let now = Int64(Date().timeIntervalSince1970)
        storage.setActor(member, epoch: nil)
        let verified = try storage.transaction(.none) { statements -> TeamChain.Verified in
            try statements.run("SELECT pg_advisory_xact_lock(\(PostgresVaultStorage.writeLockKey))")
            let verified = try TeamChain.verify(
                try chainRows(statements), team: team, pinnedGenesis: pinned, server: "\(storage.url)")
            if let existing = verified.roster.first(where: { $0.encryptionKey == keys.publicKey }) {
                throw TeamError.member("this personal vault is already a member of the team, as \(existing.name)")
            }
            if let existing = try statements.run(
                "SELECT name FROM otp_members WHERE public_key = \(keys.publicKey)"
            ).first?.string(0) {
                throw TeamError.member("this personal vault has already asked to join the team, as \(existing)")
            }
            guard verified.roster.allSatisfy({ $0.name != member }),
                try statements.run("SELECT 1 FROM otp_members WHERE name = \(member)").isEmpty
            else {
                throw TeamError.member("the name \(member) is taken in this team")
            }
            try statements.run(
                """
                INSERT INTO otp_members (name, public_key, signing_key, status, requested_at)
                VALUES (\(member), \(keys.publicKey), \(keys.signingKey), 'pending', \(now))
                """)
            try storage.log(statements, VaultAuditEvent(action: "join", detail: member))
            return verified
        }
        try TeamClientState.check(verified, logSequence: 0, path: path, server: "\(storage.url)")
        let code = TeamChain.joinCode(
            genesis: verified.genesis, name: member, encryptionKey: keys.publicKey, signingKey: keys.signingKey)
        return (code, TeamChain.display(verified.genesis))
    }

    /// Opens the team vault as the member whose key `personal` holds, after verifying the membership log from the
    /// team this client pinned, checking it against what this client verified before (``TeamClientState``), and
    /// checking that the wrapped key the server hands out is the one the log signed.
    ///
    /// - Parameter pin: The team fingerprint (``Opened/teamFingerprint``, as `otp team verify` prints it), needed
    ///   only when this client has no pinned record of the team (another machine, or its state was removed).
    /// - Throws: ``TeamError/notAMember(_:)``, ``TeamError/rollback(_:)``, ``TeamError/forked(_:)``,
    ///   ``TeamError/untrusted(_:)``, ``TeamError/unpinned(_:)``; nothing is used before the checks pass.
    public static func open(
        storage: PostgresVaultStorage, personal: Vault, pin: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TeamError) -> Opened {
        let team = try teamID(storage)
        let keys = try keys(of: personal, team: team)
        let server = "\(storage.url)"
        let path = TeamClientState.path(team: team, publicKey: keys.publicKey, environment: environment)
        let pinned = TeamClientState.load(path).pinnedGenesis
        if pinned == nil, pin == nil {
            throw .unpinned(
                "this client has no record of the team vault at \(server) (another machine, or \(path) was removed): "
                    + "ask a member for the team fingerprint otp team verify prints, compare it over another channel, "
                    + "and run otp team verify --pin FINGERPRINT")
        }
        let (epoch, logSequence, rows, members) = try snapshot(storage)
        let verified = try TeamChain.verify(rows, team: team, pinnedGenesis: pinned, server: server)
        if pinned == nil, let pin,
            normalisedFingerprint(pin) != normalisedFingerprint(TeamChain.display(verified.genesis))
        {
            throw .forked(
                "the team vault at \(server) has the team fingerprint \(TeamChain.display(verified.genesis)), not the "
                    + "one given; nothing was pinned or used")
        }
        // Remembered even when this key is no longer a member: a removed member's client refuses a later rollback.
        try TeamClientState.check(verified, logSequence: logSequence, path: path, server: server)
        storage.setClientState(path)
        let (me, wrapped) = try member(
            keys, of: verified, rows: members, serverEpoch: epoch, server: server)
        let opened = try crypto { () throws(CryptoError) in
            try X25519.SealedBox.open(
                wrapped, privateKey: keys.privateKey,
                authenticating: wrapAAD(team: team, member: me.name, epoch: verified.epoch))
        }
        guard let teamKey = opened, teamKey.count == 32 else {
            throw .untrusted("the team key wrapped for \(me.name) does not open with this personal vault's key")
        }
        storage.setActor(me.name, epoch: verified.epoch)
        let vault = try vaultCall { () throws(VaultError) in
            try Vault.unlocked(
                storage: storage, masterKey: teamKey, binding: binding(team: team, epoch: verified.epoch))
        }
        return Opened(
            vault: vault, storage: storage, member: me.name, teamKey: teamKey, team: team,
            signingSeed: keys.signingSeed, statePath: path, verified: verified)
    }

    /// Approves a pending member: only an admin, and only with the join code the joiner read out (it covers the team
    /// as this admin verified it, the name and both keys of the row whose key is wrapped, read in the same
    /// transaction). Wraps the team key to them and appends a signed record naming them and their wrapped key.
    ///
    /// - Parameter fingerprint: The join code `otp team join` printed (spaces and case do not matter). Required:
    ///   there is no approval without comparing.
    /// - Throws: ``TeamError/member(_:)`` when the code differs or the approver is not an admin (nothing is written).
    @discardableResult
    public static func approve(
        _ name: String, fingerprint expected: String, role: TeamRosterMember.Role = .member, in opened: Opened
    ) throws(TeamError) -> String {
        try requireAdmin(opened, to: "approve members")
        let wanted = normalisedFingerprint(expected)
        guard wanted.count == 32 else {
            throw .member(
                "give the join code otp team join printed for \(name) (32 hex digits); nothing was approved")
        }
        let verified = opened.verified
        let (code, signed) = try opened.storage.transaction(.exclusive) {
            statements -> (String, SignedTeamRecord) in
            let found = try statements.run(
                "SELECT public_key, signing_key, status FROM otp_members WHERE name = \(name) FOR UPDATE"
            ).first
            guard let found else { throw TeamError.member("no member or request named \(name)") }
            let (publicKey, signingKey, status) = (
                try found.bytes(0), try found.optionalBytes(1), try found.string(2)
            )
            guard status == "pending", verified.roster.allSatisfy({ $0.name != name }) else {
                throw TeamError.member("\(name) is already a member")
            }
            guard let signingKey else {
                throw TeamError.member("\(name)'s request was made by an older otp (no signing key): ask again")
            }
            let code = TeamChain.joinCode(
                genesis: verified.genesis, name: name, encryptionKey: publicKey, signingKey: signingKey)
            guard normalisedFingerprint(code) == wanted else {
                throw TeamError.member(
                    "\(name)'s request has another fingerprint than the one given (another key, or another team); "
                        + "nothing was approved")
            }
            let wrapped = try X25519.SealedBox.seal(
                opened.teamKey, to: publicKey,
                authenticating: wrapAAD(team: opened.team, member: name, epoch: verified.epoch))
            let roster =
                verified.roster + [
                    TeamRosterMember(
                        name: name, role: role, encryptionKey: publicKey, signingKey: signingKey,
                        wrappedKeyDigest: TeamChain.sha256(wrapped))
                ]
            if let error = TeamChain.transitionError(
                from: verified.head.record,
                to: TeamLogRecord(
                    seq: 0, previous: [], epoch: verified.epoch, action: .approve, subject: name, signer: "", at: 0,
                    roster: roster))
            {
                throw TeamError.member("\(name) cannot be approved: the change \(error)")
            }
            let signed = try append(
                .approve, subject: name, epoch: verified.epoch, roster: roster, in: opened, statements)
            let now = Int64(Date().timeIntervalSince1970)
            try statements.run(
                """
                UPDATE otp_members SET status = 'active', wrapped_key = \(wrapped), epoch = \(verified.epoch),
                    approved_by = \(opened.member), approved_at = \(now)
                WHERE name = \(name)
                """)
            try opened.storage.log(statements, VaultAuditEvent(action: "approve", detail: name))
            return (code, signed)
        }
        opened.appended(signed)
        return code
    }

    /// Makes a member an admin or a plain member (a signed record). The team keeps at least one admin.
    public static func setRole(_ name: String, to role: TeamRosterMember.Role, in opened: Opened) throws(TeamError) {
        try requireAdmin(opened, to: "change roles")
        let verified = opened.verified
        guard let current = verified.roster.first(where: { $0.name == name }) else {
            throw .member("\(name) is not a member")
        }
        guard current.role != role else {
            throw .member("\(name) is already \(role == .admin ? "an admin" : "a member")")
        }
        let roster = verified.roster.map {
            $0.name == name
                ? TeamRosterMember(
                    name: name, role: role, encryptionKey: $0.encryptionKey, signingKey: $0.signingKey,
                    wrappedKeyDigest: $0.wrappedKeyDigest) : $0
        }
        guard roster.contains(where: { $0.role == .admin }) else {
            throw .member("\(name) is the last admin; make another member an admin first")
        }
        let signed = try opened.storage.transaction(.exclusive) { statements -> SignedTeamRecord in
            let signed = try append(.role, subject: name, epoch: verified.epoch, roster: roster, in: opened, statements)
            try opened.storage.log(statements, VaultAuditEvent(action: "role", detail: "\(name) \(role)"))
            return signed
        }
        opened.appended(signed)
    }

    /// Removes a member (or refuses a join request): only an admin. Removing a member rotates the team key in one
    /// transaction: a new key, every entry re-sealed under it, the other members' wrapped keys replaced, and a signed
    /// record of the new roster and epoch. Returns how many entries were re-sealed, and the vault under the new key.
    public static func remove(_ name: String, in opened: Opened) throws(TeamError) -> (resealed: Int, opened: Opened) {
        try requireAdmin(opened, to: "remove members")
        if opened.verified.roster.allSatisfy({ $0.name != name }) {
            try opened.storage.transaction(.exclusive) { statements in
                let deleted = try statements.run(
                    "DELETE FROM otp_members WHERE name = \(name) AND status = 'pending' RETURNING name")
                guard !deleted.isEmpty else { throw TeamError.member("no member or request named \(name)") }
                try opened.storage.log(
                    statements, VaultAuditEvent(action: "remove-member", detail: "\(name) (request)"))
            }
            return (0, opened)
        }
        guard opened.verified.roster.count > 1 else {
            throw .member("\(name) is the last member; a team vault needs one")
        }
        return try rotate(removing: name, in: opened)
    }

    /// Rotates the team key without removing anyone (an admin suspects a key was seen): every entry re-sealed, every
    /// member's wrapped key replaced, a signed record of the new epoch.
    public static func rekey(in opened: Opened) throws(TeamError) -> (resealed: Int, opened: Opened) {
        try requireAdmin(opened, to: "re-key the team")
        return try rotate(removing: nil, in: opened)
    }

    private static func rotate(removing name: String?, in opened: Opened) throws(TeamError) -> (Int, Opened) {
        let verified = opened.verified
        let next = verified.epoch + 1
        let remaining = verified.roster.filter { $0.name != name }
        guard remaining.contains(where: { $0.role == .admin }) else {
            throw .member("\(name ?? "") is the last admin; make another member an admin first")
        }
        let newKey = try crypto { () throws(CryptoError) in try SecureRandom.key(32) }
        let newBinding = binding(team: opened.team, epoch: next)
        let (count, signed) = try opened.storage.transaction(.exclusive) { statements -> (Int, SignedTeamRecord) in
            let resealed = try opened.vault.resealed(
                try opened.storage.entries(statements), under: newKey, binding: newBinding)
            try opened.storage.rewrite(statements, resealed)
            // Batch fingerprints were keyed by the old key: they would never match again.
            try statements.run("DELETE FROM otp_batches")
            if let name { try statements.run("DELETE FROM otp_members WHERE name = \(name)") }
            var roster: [TeamRosterMember] = []
            for member in remaining {
                let wrapped = try X25519.SealedBox.seal(
                    newKey, to: member.encryptionKey,
                    authenticating: wrapAAD(team: opened.team, member: member.name, epoch: next))
                try statements.run(
                    "UPDATE otp_members SET wrapped_key = \(wrapped), epoch = \(next) WHERE name = \(member.name)")
                roster.append(
                    TeamRosterMember(
                        name: member.name, role: member.role, encryptionKey: member.encryptionKey,
                        signingKey: member.signingKey, wrappedKeyDigest: TeamChain.sha256(wrapped)))
            }
            let signed = try append(
                name == nil ? .rekey : .remove, subject: name ?? opened.member, epoch: next, roster: roster,
                in: opened, statements)
            try statements.run("UPDATE otp_team SET epoch = \(next)")
            try opened.storage.log(
                statements,
                VaultAuditEvent(
                    action: name == nil ? "rekey" : "remove-member",
                    detail: "\(name.map { "\($0); " } ?? "")\(resealed.count) re-sealed"))
            return (resealed.count, signed)
        }
        opened.appended(signed)
        opened.storage.setActor(opened.member, epoch: next)
        let vault = try vaultCall { () throws(VaultError) in
            try Vault.unlocked(storage: opened.storage, masterKey: newKey, binding: newBinding)
        }
        return (count, opened.rekeyed(vault: vault, teamKey: newKey))
    }

    /// The members (from the verified membership log) and the join requests (from the server, unverified), oldest
    /// first.
    public static func members(in opened: Opened) throws(TeamError) -> [TeamMember] {
        let verified = opened.verified
        let rows = try opened.storage.withConnection { statements in
            try statements.run("SELECT name, status, requested_at FROM otp_members ORDER BY requested_at, name")
                .map { (try $0.string(0), try $0.string(1), try $0.int64(2)) }
        }
        var members: [TeamMember] = []
        for record in verified.records.map(\.record) where record.action == .create || record.action == .approve {
            guard let member = verified.roster.first(where: { $0.name == record.subject }),
                !members.contains(where: { $0.name == member.name })
            else { continue }
            members.append(
                TeamMember(
                    name: member.name, active: true, role: member.role,
                    fingerprint: fingerprint(of: member.encryptionKey),
                    requestedAt: rows.first { $0.0 == member.name }?.2 ?? record.at,
                    approvedBy: record.action == .approve ? record.signer : nil,
                    approvedAt: record.action == .approve ? record.at : nil))
        }
        for (name, status, requested) in rows where status == "pending" && !members.contains(where: { $0.name == name })
        {
            members.append(
                TeamMember(
                    name: name, active: false, role: nil, fingerprint: "", requestedAt: requested, approvedBy: nil,
                    approvedAt: nil))
        }
        return members
    }

    /// Follows the log: `emit` gets every line after `seq` (oldest first), then each batch of new lines as it is
    /// committed (announced on the channel `otp_log`; read again every `poll` seconds regardless, so a schema this
    /// client could not migrate is followed too), until `emit` returns false.
    public static func follow(
        storage: PostgresVaultStorage, after seq: Int64, poll: Double = 5, _ emit: ([TeamLogEntry]) -> Bool
    ) throws(TeamError) {
        _ = try teamID(storage)
        try storage.listenToLog()
        var last = seq
        while true {
            let lines = try storage.withConnection { statements in
                try statements.run(
                    """
                    SELECT \(unsafe: logColumns) FROM otp_log WHERE seq > \(last) ORDER BY seq LIMIT 1000
                    """
                ).map(logEntry)
            }
            if !lines.isEmpty {
                last = lines[lines.count - 1].seq
                guard emit(lines) else { return }
                if lines.count == 1000 { continue }
            }
            _ = try storage.waitForLog(timeout: poll)
        }
    }

    private static let logColumns = "seq, extract(epoch FROM at)::bigint, member, action, entry_id, detail"

    private static func logEntry(_ row: PQRow) throws -> TeamLogEntry {
        TeamLogEntry(
            seq: try row.int64(0), at: try row.int64(1), member: try row.string(2), action: try row.string(3),
            entryID: try row.optionalString(4), detail: try row.optionalString(5))
    }

    /// The last `limit` lines of the log, oldest first.
    public static func log(storage: PostgresVaultStorage, limit: Int = 100) throws(TeamError) -> [TeamLogEntry] {
        _ = try teamID(storage)
        let rows = try storage.withConnection { statements in
            try statements.run(
                "SELECT \(unsafe: logColumns) FROM otp_log ORDER BY seq DESC LIMIT \(Int64(max(limit, 1)))"
            ).map(logEntry)
        }
        return rows.reversed()
    }
}
