import Foundation
import OTPCrypto
public import OTPVault

/// A member of a team vault, as `otp team members` lists it.
public struct TeamMember: Sendable, Equatable {
    /// The member's name (unique in the team).
    public let name: String
    /// Approved (holds the team key) or waiting for approval.
    public let active: Bool
    /// The public key's fingerprint (``TeamVault/fingerprint(of:)``), compared out of band before approving.
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
/// it wrapped to their X25519 public key (``X25519/SealedBox``). A member's private key is derived from their personal
/// file vault's master key and the team's id, so unlocking the team vault means unlocking one's own vault; the server
/// sees ciphertexts, keyed fingerprints, public keys, member names and times.
///
/// Removing a member rotates the team key in one transaction: every entry is re-sealed under a new key and the
/// remaining members' wrapped keys are replaced. A removed member who kept copies of old rows (or codes' seeds seen
/// while a member) still knows those seeds: the remedy is to re-create those MFA devices.
public enum TeamVault {
    /// A team vault opened by one member.
    public struct Opened: Sendable {
        /// The vault: every vault operation works on it.
        public let vault: Vault
        /// The storage (members, log).
        public let storage: PostgresVaultStorage
        /// Who opened it.
        public let member: String
        /// The team key (the vault's master key), for approving members.
        let teamKey: SecureBytes
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
        let digest = (try? Digest.sha256(SecureBytes(publicKey)))?.withUnsafeBytes { Array($0.prefix(16)) } ?? []
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        return stride(from: 0, to: hex.count, by: 4).map {
            let start = hex.index(hex.startIndex, offsetBy: $0)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }

    /// A fingerprint as compared: its hex digits, lowercased.
    public static func normalisedFingerprint(_ text: String) -> String {
        text.lowercased().filter { $0.isHexDigit }
    }

    static func wrapAAD(team: String, member: String, epoch: Int32) -> [UInt8] {
        Array("otp team key v1:\(team):\(member):\(epoch)".utf8)
    }

    private static func crypto<T>(_ body: () throws(CryptoError) -> T) throws(TeamError) -> T {
        do {
            return try body()
        } catch {
            throw .vault(.crypto(error))
        }
    }

    private static func keys(
        of personal: Vault, team: String
    ) throws(TeamError) -> (privateKey: SecureBytes, publicKey: [UInt8]) {
        let privateKey: SecureBytes
        do {
            privateKey = try personal.memberPrivateKey(context: team)
        } catch {
            throw .vault(error)
        }
        return (privateKey, try crypto { () throws(CryptoError) in try X25519.publicKey(of: privateKey) })
    }

    private static func teamID(_ storage: PostgresVaultStorage) throws(TeamError) -> String {
        if let known = storage.knownTeamID { return known }
        let id = try storage.withConnection { statements in
            try statements.run("SELECT team_id FROM otp_team").first?.string(0)
        }
        guard let id else { throw .noTeam }
        return id
    }

    /// Creates the team vault in an empty database (schema included) with its first member, and opens it.
    ///
    /// - Throws: ``TeamError/teamExists`` when the database already holds one (nothing is changed).
    public static func create(
        storage: PostgresVaultStorage, personal: Vault, member: String
    ) throws(TeamError) -> Opened {
        try validate(member: member)
        let team = try crypto { () throws(CryptoError) in try SecureRandom.bytes(16) }
            .map { String(format: "%02x", $0) }.joined()
        let teamKey = try crypto { () throws(CryptoError) in try SecureRandom.key(32) }
        let (_, publicKey) = try keys(of: personal, team: team)
        let wrapped = try crypto { () throws(CryptoError) in
            try X25519.SealedBox.seal(
                teamKey, to: publicKey, authenticating: wrapAAD(team: team, member: member, epoch: 1))
        }
        let now = Int64(Date().timeIntervalSince1970)
        storage.setActor(member, epoch: nil)
        try storage.transaction(.exclusive) { statements in
            guard try statements.run("SELECT 1 FROM otp_team").isEmpty else { throw TeamError.teamExists }
            let entries = try statements.run("SELECT count(*) FROM otp_entries").first?.int64(0) ?? 0
            guard entries == 0 else { throw TeamError.teamExists }
            try statements.run("INSERT INTO otp_team (team_id, epoch, created_at) VALUES (\(team), 1, \(now))")
            try statements.run(
                """
                INSERT INTO otp_members (name, public_key, wrapped_key, epoch, status, requested_at, approved_at)
                VALUES (\(member), \(publicKey), \(wrapped), 1, 'active', \(now), \(now))
                """)
            try storage.log(statements, VaultAuditEvent(action: "create", detail: member))
        }
        storage.setActor(member, epoch: 1)
        do {
            return Opened(
                vault: try Vault.unlocked(storage: storage, masterKey: teamKey), storage: storage, member: member,
                teamKey: teamKey)
        } catch {
            throw .vault(error)
        }
    }

    /// Publishes a join request: the member's name and public key, to be approved by a member. Returns the public
    /// key's fingerprint, which the approver should compare before approving.
    public static func join(storage: PostgresVaultStorage, personal: Vault, member: String) throws(TeamError) -> String
    {
        try validate(member: member)
        let team = try teamID(storage)
        let (_, publicKey) = try keys(of: personal, team: team)
        let now = Int64(Date().timeIntervalSince1970)
        storage.setActor(member, epoch: nil)
        try storage.transaction(.none) { statements in
            try statements.run("SELECT pg_advisory_xact_lock(\(PostgresVaultStorage.writeLockKey))")
            if let existing = try statements.run(
                "SELECT name FROM otp_members WHERE public_key = \(publicKey)"
            ).first?.string(0) {
                throw TeamError.member("this personal vault is already known to the team as \(existing)")
            }
            guard try statements.run("SELECT 1 FROM otp_members WHERE name = \(member)").isEmpty else {
                throw TeamError.member("the name \(member) is taken in this team")
            }
            try statements.run(
                """
                INSERT INTO otp_members (name, public_key, status, requested_at)
                VALUES (\(member), \(publicKey), 'pending', \(now))
                """)
            try storage.log(statements, VaultAuditEvent(action: "join", detail: member))
        }
        return fingerprint(of: publicKey)
    }

    /// Opens the team vault as the member whose key `personal` holds.
    ///
    /// - Throws: ``TeamError/notAMember(_:)`` when that key is unknown or not yet approved.
    ///
    /// The server's key epoch and log position are checked against the highest this client has seen
    /// (``TeamHighWater``): a server that went back is ``TeamError/rollback(_:)``, before any key is used.
    public static func open(
        storage: PostgresVaultStorage, personal: Vault,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TeamError) -> Opened {
        let team = try teamID(storage)
        let (privateKey, publicKey) = try keys(of: personal, team: team)
        let row = try storage.withConnection { statements in
            try statements.run(
                """
                SELECT t.epoch, m.name, m.status, m.wrapped_key, m.epoch,
                    (SELECT coalesce(max(seq), 0) FROM otp_log) FROM otp_team t
                LEFT JOIN otp_members m ON m.public_key = \(publicKey)
                """
            ).first.map { row throws -> (Int32, String?, String?, [UInt8]?, Int32?, Int64) in
                (
                    try row.int32(0), try row.optionalString(1), try row.optionalString(2), try row.optionalBytes(3),
                    try row.optionalInt32(4), try row.int64(5)
                )
            }
        }
        guard let (epoch, name, status, wrapped, keyEpoch, logSequence) = row else { throw .noTeam }
        let memory = TeamHighWater.path(team: team, publicKey: publicKey, environment: environment)
        try TeamHighWater.check(epoch: epoch, logSequence: logSequence, path: memory, server: storage.url.description)
        storage.setHighWater(memory)
        guard let name else {
            throw .notAMember(
                "this personal vault is not a member of the team vault at \(storage.url) "
                    + "(run otp team join, then ask a member to approve)")
        }
        guard status == "active", let wrapped, keyEpoch == epoch else {
            throw .notAMember(
                "\(name) has asked to join the team vault at \(storage.url) and waits for a member's approval "
                    + "(fingerprint \(fingerprint(of: publicKey)))")
        }
        let opened = try crypto { () throws(CryptoError) in
            try X25519.SealedBox.open(
                Array(wrapped), privateKey: privateKey, authenticating: wrapAAD(team: team, member: name, epoch: epoch))
        }
        guard let teamKey = opened, teamKey.count == 32 else {
            throw .vault(.damaged("the team key wrapped for \(name) does not open with this personal vault's key"))
        }
        storage.setActor(name, epoch: epoch)
        do {
            return Opened(
                vault: try Vault.unlocked(storage: storage, masterKey: teamKey), storage: storage, member: name,
                teamKey: teamKey)
        } catch {
            throw .vault(error)
        }
    }

    /// Approves a pending member: wraps the team key to their public key, only if that key's fingerprint is the one
    /// the approver compared out of band. The fingerprint is checked inside the transaction, on the row whose key
    /// is wrapped (a row the server swapped after a separate check would get nothing). Returns their fingerprint.
    ///
    /// - Parameter fingerprint: As `otp team join` printed it (spaces and case do not matter). Required: there is
    ///   no approval without comparing.
    /// - Throws: ``TeamError/member(_:)`` when the fingerprint differs (nothing is written).
    public static func approve(
        _ name: String, fingerprint expected: String, in opened: Opened
    ) throws(TeamError)
        -> String
    {
        let team = try teamID(opened.storage)
        let wanted = normalisedFingerprint(expected)
        guard wanted.count == 32 else {
            throw .member(
                "give the fingerprint otp team join printed for \(name) (32 hex digits); nothing was approved")
        }
        return try opened.storage.transaction(.exclusive) { statements in
            let found = try statements.run(
                "SELECT public_key, status FROM otp_members WHERE name = \(name) FOR UPDATE"
            ).first
            guard let found else { throw TeamError.member("no member or request named \(name)") }
            let row = (try found.bytes(0), try found.string(1))
            guard row.1 == "pending" else { throw TeamError.member("\(name) is already a member") }
            guard normalisedFingerprint(fingerprint(of: row.0)) == wanted else {
                throw TeamError.member("\(name)'s key has another fingerprint than the one given; nothing was approved")
            }
            let epoch = try statements.run("SELECT epoch FROM otp_team").first?.int32(0) ?? 0
            let wrapped = try X25519.SealedBox.seal(
                opened.teamKey, to: Array(row.0), authenticating: wrapAAD(team: team, member: name, epoch: epoch))
            let now = Int64(Date().timeIntervalSince1970)
            try statements.run(
                """
                UPDATE otp_members SET status = 'active', wrapped_key = \(wrapped), epoch = \(epoch),
                    approved_by = \(opened.member), approved_at = \(now)
                WHERE name = \(name)
                """)
            try opened.storage.log(statements, VaultAuditEvent(action: "approve", detail: name))
            return fingerprint(of: Array(row.0))
        }
    }

    /// Removes a member (or refuses a join request). Removing an approved member rotates the team key in one
    /// transaction: a new key, every entry re-sealed under it, the other members' wrapped keys replaced. Returns
    /// how many entries were re-sealed, and the vault under the new key.
    public static func remove(_ name: String, in opened: Opened) throws(TeamError) -> (resealed: Int, opened: Opened) {
        let team = try teamID(opened.storage)
        let newKey = try crypto { () throws(CryptoError) in try SecureRandom.key(32) }
        let (count, epoch) = try opened.storage.transaction(.exclusive) { statements -> (Int, Int32) in
            guard
                let status = try statements.run("SELECT status FROM otp_members WHERE name = \(name) FOR UPDATE")
                    .first?.string(0)
            else { throw TeamError.member("no member or request named \(name)") }
            let epoch = try statements.run("SELECT epoch FROM otp_team FOR UPDATE").first?.int32(0) ?? 0
            if status == "pending" {
                try statements.run("DELETE FROM otp_members WHERE name = \(name)")
                try opened.storage.log(
                    statements, VaultAuditEvent(action: "remove-member", detail: "\(name) (request)"))
                return (0, epoch)
            }
            let others = try statements.run(
                "SELECT name, public_key FROM otp_members WHERE status = 'active' AND name <> \(name) ORDER BY name"
            ).map { (try $0.string(0), try $0.bytes(1)) }
            guard !others.isEmpty else {
                throw TeamError.member("\(name) is the last member; a team vault needs one")
            }
            let next = epoch + 1
            let resealed = try opened.vault.resealed(try opened.storage.entries(statements), under: newKey)
            try opened.storage.rewrite(statements, resealed)
            // Batch fingerprints were keyed by the old key: they would never match again.
            try statements.run("DELETE FROM otp_batches")
            try statements.run("DELETE FROM otp_members WHERE name = \(name)")
            for (member, publicKey) in others {
                let wrapped = try X25519.SealedBox.seal(
                    newKey, to: Array(publicKey), authenticating: wrapAAD(team: team, member: member, epoch: next))
                try statements.run(
                    "UPDATE otp_members SET wrapped_key = \(wrapped), epoch = \(next) WHERE name = \(member)")
            }
            try statements.run("UPDATE otp_team SET epoch = \(next)")
            try opened.storage.log(
                statements, VaultAuditEvent(action: "remove-member", detail: "\(name); \(resealed.count) re-sealed"))
            return (resealed.count, next)
        }
        opened.storage.setActor(opened.member, epoch: epoch)
        do {
            let vault = try Vault.unlocked(storage: opened.storage, masterKey: newKey)
            return (count, Opened(vault: vault, storage: opened.storage, member: opened.member, teamKey: newKey))
        } catch {
            throw .vault(error)
        }
    }

    /// The members and join requests, oldest first.
    public static func members(storage: PostgresVaultStorage) throws(TeamError) -> [TeamMember] {
        _ = try teamID(storage)
        return try storage.withConnection { statements in
            try statements.run(
                """
                SELECT name, status, public_key, requested_at, approved_by, approved_at FROM otp_members
                ORDER BY requested_at, name
                """
            ).map {
                let (name, status, key, requested, by, at) = (
                    try $0.string(0), try $0.string(1), try $0.bytes(2), try $0.int64(3), try $0.optionalString(4),
                    try $0.optionalInt64(5)
                )
                return TeamMember(
                    name: name, active: status == "active", fingerprint: fingerprint(of: Array(key)),
                    requestedAt: requested, approvedBy: by, approvedAt: at)
            }
        }
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
