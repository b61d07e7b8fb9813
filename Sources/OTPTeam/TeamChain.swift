import Foundation
import OTPCrypto

/// A member as the signed membership log lists them: their keys, their role, and the digest of the team key wrapped
/// to them at the record's epoch (so a wrapped key the server made up is refused).
public struct TeamRosterMember: Sendable, Equatable {
    /// What a member may do. Admins sign membership changes (approve, role, remove, re-key).
    public enum Role: UInt8, Sendable, CustomStringConvertible {
        case member = 1
        case admin = 2

        public var description: String { self == .admin ? "admin" : "member" }
    }

    /// The member's name (unique in the team).
    public let name: String
    /// Admin or member.
    public let role: Role
    /// X25519 public key: the team key is wrapped to it.
    public let encryptionKey: [UInt8]
    /// Ed25519 public key: verifies what the member signs.
    public let signingKey: [UInt8]
    /// SHA-256 of the team key wrapped to this member at the record's epoch.
    public let wrappedKeyDigest: [UInt8]

    /// Creates a roster line.
    public init(name: String, role: Role, encryptionKey: [UInt8], signingKey: [UInt8], wrappedKeyDigest: [UInt8]) {
        self.name = name
        self.role = role
        self.encryptionKey = encryptionKey
        self.signingKey = signingKey
        self.wrappedKeyDigest = wrappedKeyDigest
    }
}

/// One entry of a team vault's membership log: what changed, who signed it, the hash of the entry before it, the key
/// epoch after it, and the whole roster after it. Signed by an admin of the roster before it (the first entry by the
/// team's creator, over its own key).
public struct TeamLogRecord: Sendable, Equatable {
    /// The kinds of membership change.
    public enum Action: UInt8, Sendable, CustomStringConvertible {
        case create = 1
        case approve = 2
        case role = 3
        case remove = 4
        case rekey = 5

        public var description: String {
            switch self {
            case .create: "create"
            case .approve: "approve"
            case .role: "role"
            case .remove: "remove-member"
            case .rekey: "rekey"
            }
        }
    }

    /// 1 for the first entry, then one more for each.
    public let seq: Int64
    /// The previous entry's hash (32 zero bytes for the first).
    public let previous: [UInt8]
    /// The team key's epoch after this change.
    public let epoch: Int32
    /// What changed.
    public let action: Action
    /// The member it concerns (the creator for `create`, the signer for `rekey`).
    public let subject: String
    /// The admin who signed it.
    public let signer: String
    /// Unix seconds, the signer's clock.
    public let at: Int64
    /// Every member after the change, sorted by name.
    public let roster: [TeamRosterMember]

    /// Creates a record (the roster is sorted by name).
    public init(
        seq: Int64, previous: [UInt8], epoch: Int32, action: Action, subject: String, signer: String, at: Int64,
        roster: [TeamRosterMember]
    ) {
        self.seq = seq
        self.previous = previous
        self.epoch = epoch
        self.action = action
        self.subject = subject
        self.signer = signer
        self.at = at
        self.roster = roster.sorted { $0.name < $1.name }
    }

    /// The most members one record may list.
    public static let maximumMembers = 10_000
    /// The largest encoded record accepted.
    public static let maximumBytes = 1 << 20

    private static let magic = Array("otp team membership v1\u{0}".utf8)

    /// The canonical bytes that are signed and hashed; the team's id is part of them, so a record cannot be moved to
    /// another team.
    public func encoded(team: String) -> [UInt8] {
        var out = Self.magic
        func string(_ text: String) {
            let bytes = Array(text.utf8.prefix(Int(UInt16.max)))
            out.append(contentsOf: withUnsafeBytes(of: UInt16(bytes.count).bigEndian, Array.init))
            out.append(contentsOf: bytes)
        }
        func fixed(_ bytes: [UInt8], _ count: Int) {
            out.append(contentsOf: (bytes + [UInt8](repeating: 0, count: count)).prefix(count))
        }
        string(team)
        out.append(contentsOf: withUnsafeBytes(of: UInt64(bitPattern: seq).bigEndian, Array.init))
        fixed(previous, 32)
        out.append(contentsOf: withUnsafeBytes(of: UInt32(bitPattern: epoch).bigEndian, Array.init))
        out.append(action.rawValue)
        string(subject)
        string(signer)
        out.append(contentsOf: withUnsafeBytes(of: UInt64(bitPattern: at).bigEndian, Array.init))
        out.append(contentsOf: withUnsafeBytes(of: UInt32(roster.count).bigEndian, Array.init))
        for member in roster {
            string(member.name)
            out.append(member.role.rawValue)
            fixed(member.encryptionKey, 32)
            fixed(member.signingKey, 32)
            fixed(member.wrappedKeyDigest, 32)
        }
        return out
    }

    /// Why a record does not decode.
    public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Decodes `bytes` as a record of `team`. Every count is checked against what is left before it is used.
    public static func decode(_ bytes: [UInt8], team: String) throws(DecodeError) -> TeamLogRecord {
        guard bytes.count <= maximumBytes else { throw DecodeError(description: "it is \(bytes.count) bytes") }
        var offset = 0
        func take(_ count: Int) throws(DecodeError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw DecodeError(description: "it is truncated") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }
        func integer(_ width: Int) throws(DecodeError) -> UInt64 {
            try take(width).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        }
        func string() throws(DecodeError) -> String {
            let count = Int(try integer(2))
            guard let text = String(validating: try take(count), as: UTF8.self) else {
                throw DecodeError(description: "a name is not UTF-8")
            }
            return text
        }
        guard Array(try take(magic.count)) == magic else { throw DecodeError(description: "it is not a record") }
        guard try string() == team else { throw DecodeError(description: "it belongs to another team") }
        let seq = Int64(bitPattern: try integer(8))
        let previous = Array(try take(32))
        let epoch = Int32(bitPattern: UInt32(try integer(4)))
        guard let action = Action(rawValue: UInt8(try integer(1))) else {
            throw DecodeError(description: "its action is unknown")
        }
        let subject = try string()
        let signer = try string()
        let at = Int64(bitPattern: try integer(8))
        let count = Int(try integer(4))
        // Each member takes at least 99 bytes: a count larger than what is left is refused before anything is made.
        guard count <= maximumMembers, count <= (bytes.count - offset) / 99 else {
            throw DecodeError(description: "it lists \(count) members")
        }
        var roster: [TeamRosterMember] = []
        roster.reserveCapacity(count)
        for _ in 0..<count {
            let name = try string()
            guard let role = TeamRosterMember.Role(rawValue: UInt8(try integer(1))) else {
                throw DecodeError(description: "a role is unknown")
            }
            roster.append(
                TeamRosterMember(
                    name: name, role: role, encryptionKey: Array(try take(32)), signingKey: Array(try take(32)),
                    wrappedKeyDigest: Array(try take(32))))
        }
        guard offset == bytes.count else { throw DecodeError(description: "it has bytes after its end") }
        let record = TeamLogRecord(
            seq: seq, previous: previous, epoch: epoch, action: action, subject: subject, signer: signer, at: at,
            roster: roster)
        guard record.roster == roster else { throw DecodeError(description: "its roster is not sorted") }
        return record
    }

    func member(_ name: String) -> TeamRosterMember? { roster.first { $0.name == name } }
}

/// A record as stored: its canonical bytes and the signer's signature; its hash chains the next one.
public struct SignedTeamRecord: Sendable, Equatable {
    /// What was signed.
    public let record: TeamLogRecord
    /// The canonical bytes (``TeamLogRecord/encoded(team:)``).
    public let encoded: [UInt8]
    /// Ed25519 over `encoded`.
    public let signature: [UInt8]

    /// SHA-256 of `encoded ‖ signature`: what the next record names as its previous one.
    public var hash: [UInt8] { TeamChain.sha256(encoded + signature) }

    /// Signs `record` with `seed`.
    static func sign(_ record: TeamLogRecord, team: String, seed: SecureBytes) throws(CryptoError) -> SignedTeamRecord {
        let encoded = record.encoded(team: team)
        return SignedTeamRecord(record: record, encoded: encoded, signature: try Ed25519.sign(encoded, seed: seed))
    }
}

/// The membership log's rules, as pure functions: what a client accepts before it uses any key.
public enum TeamChain {
    /// The most records a log may hold.
    public static let maximumRecords = 100_000

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        (try? Digest.sha256(SecureBytes(bytes)))?.withUnsafeBytes { Array($0) } ?? []
    }

    /// A hash as shown to people: 32 hex digits (128 bits) in groups of four.
    public static func display(_ hash: [UInt8]) -> String {
        let hex = hash.prefix(16).map { String(format: "%02x", $0) }.joined()
        return stride(from: 0, to: hex.count, by: 4).map {
            let start = hex.index(hex.startIndex, offsetBy: $0)
            return String(hex[start..<hex.index(start, offsetBy: 4)])
        }.joined(separator: " ")
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// What a verified log says.
    public struct Verified: Sendable, Equatable {
        /// Every record, oldest first.
        public let records: [SignedTeamRecord]
        /// The first record's hash: the team's fingerprint, pinned by every member.
        public var genesis: [UInt8] { records[0].hash }
        /// The newest record.
        public var head: SignedTeamRecord { records[records.count - 1] }
        /// The key epoch now.
        public var epoch: Int32 { head.record.epoch }
        /// The members now.
        public var roster: [TeamRosterMember] { head.record.roster }
    }

    /// Verifies a whole log: the first record is a `create` self-signed by the only member, an admin, at epoch 1
    /// (and, when this client pinned the team, is the pinned one); every later record names the previous record's
    /// hash, has the next sequence number, is signed by an admin of the roster before it, and makes only the change
    /// its action says.
    ///
    /// - Throws: ``TeamError/untrusted(_:)`` for a log that breaks a rule, ``TeamError/forked(_:)`` for another team.
    public static func verify(
        _ rows: [(encoded: [UInt8], signature: [UInt8])], team: String, pinnedGenesis: [UInt8]?, server: String
    ) throws(TeamError) -> Verified {
        guard !rows.isEmpty else {
            throw .untrusted("the team vault at \(server) has no membership log (made by an older otp?)")
        }
        guard rows.count <= maximumRecords else {
            throw .untrusted("the team vault at \(server) lists \(rows.count) membership changes, too many")
        }
        var records: [SignedTeamRecord] = []
        records.reserveCapacity(rows.count)
        for (index, row) in rows.enumerated() {
            let seq = index + 1
            func refuse(_ reason: String) -> TeamError {
                .untrusted("membership change \(seq) of the team vault at \(server) \(reason); nothing was used")
            }
            let record: TeamLogRecord
            do {
                record = try TeamLogRecord.decode(row.encoded, team: team)
            } catch {
                throw refuse("does not decode (\(error.description))")
            }
            guard record.seq == Int64(seq) else { throw refuse("has sequence number \(record.seq)") }
            let signed = SignedTeamRecord(record: record, encoded: row.encoded, signature: row.signature)
            let before = records.last?.record
            let signerKey: [UInt8]?
            if let before {
                guard record.previous == records[records.count - 1].hash else {
                    throw refuse("does not follow the one before it")
                }
                guard let signer = before.member(record.signer), signer.role == .admin else {
                    throw refuse("is signed by \(record.signer), who was not an admin")
                }
                signerKey = signer.signingKey
                if let rule = transitionError(from: before, to: record) { throw refuse(rule) }
            } else {
                guard record.action == .create, record.previous == [UInt8](repeating: 0, count: 32),
                    record.epoch == 1, record.roster.count == 1, record.roster[0].name == record.signer,
                    record.subject == record.signer, record.roster[0].role == .admin
                else { throw refuse("is not a team's creation") }
                signerKey = record.roster[0].signingKey
            }
            guard let signerKey, Ed25519.verify(row.signature, of: row.encoded, publicKey: signerKey) else {
                throw refuse("has a signature that does not verify")
            }
            if records.isEmpty, let pinnedGenesis, signed.hash != pinnedGenesis {
                throw .forked(
                    "the team vault at \(server) is not the team this client joined: its first membership entry is "
                        + "\(display(signed.hash)), this client pinned \(display(pinnedGenesis)); nothing was used")
            }
            records.append(signed)
        }
        return Verified(records: records)
    }

    /// Why `next` is not a valid change from `before`, or nil.
    static func transitionError(from before: TeamLogRecord, to next: TeamLogRecord) -> String? {
        let beforeNames = before.roster.map(\.name)
        let nextNames = next.roster.map(\.name)
        guard next.roster.contains(where: { $0.role == .admin }) else { return "leaves the team without an admin" }
        guard Set(next.roster.map(\.encryptionKey)).count == next.roster.count,
            Set(next.roster.map(\.signingKey)).count == next.roster.count
        else { return "gives two members the same key" }
        // A re-key re-wraps every member's key (new digests); roles and public keys stay.
        let keepsRolesAndKeys = next.roster.allSatisfy { member in
            before.member(member.name).map {
                $0.role == member.role && $0.encryptionKey == member.encryptionKey && $0.signingKey == member.signingKey
            } ?? false
        }
        func unchanged(except name: String?) -> Bool {
            before.roster.filter { $0.name != name } == next.roster.filter { $0.name != name }
        }
        switch next.action {
        case .create:
            return "creates the team a second time"
        case .approve:
            guard next.epoch == before.epoch, !beforeNames.contains(next.subject),
                nextNames == (beforeNames + [next.subject]).sorted(), unchanged(except: next.subject)
            else { return "is an approval that changes more than the approved member" }
        case .role:
            guard next.epoch == before.epoch, nextNames == beforeNames, let old = before.member(next.subject),
                let new = next.member(next.subject), old.role != new.role,
                old.encryptionKey == new.encryptionKey, old.signingKey == new.signingKey,
                old.wrappedKeyDigest == new.wrappedKeyDigest, unchanged(except: next.subject)
            else { return "is a role change that changes more than one member's role" }
        case .remove:
            guard next.epoch == before.epoch + 1, beforeNames.contains(next.subject),
                nextNames == beforeNames.filter({ $0 != next.subject }),
                keepsRolesAndKeys
            else { return "is a removal that does not remove exactly one member under a new key" }
        case .rekey:
            guard next.epoch == before.epoch + 1, nextNames == beforeNames,
                keepsRolesAndKeys
            else { return "is a re-key that changes the members" }
        }
        return nil
    }

    /// The code a joiner reads out and the approver types: it covers the team (its first record's hash), the name and
    /// both public keys, so the approver wraps the key only to the keys the joiner holds, and a joiner shown another
    /// team by the server reads out a code the approver's side does not compute.
    public static func joinCode(
        genesis: [UInt8], name: String, encryptionKey: [UInt8], signingKey: [UInt8]
    ) -> String {
        var bytes = Array("otp team join v1\u{0}".utf8) + genesis
        bytes.append(contentsOf: withUnsafeBytes(of: UInt16(name.utf8.count).bigEndian, Array.init))
        bytes += Array(name.utf8) + encryptionKey + signingKey
        return display(sha256(bytes))
    }
}
