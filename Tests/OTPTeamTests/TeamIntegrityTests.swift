import Foundation
import OTPCore
import OTPCrypto
import OTPVault
import TestSupport
import Testing

@testable import OTPTeam

/// Issue 26: a team vault whose own database server cannot re-admit, replay or substitute. Every test acts as the
/// server's administrator would, with SQL (or a dump and a restore) against a real PostgreSQL.
@Suite(.serialized)
struct TeamIntegrityTests {
    /// A team: alice creates it; the others join and are approved (admins when named in `admins`).
    struct Team {
        let url: PostgresURL
        let database: String
        let server: PostgresServer
        var machines: [String: Machine] = [:]
        var opened: [String: TeamVault.Opened] = [:]

        init(_ names: [String], admins: Set<String> = []) throws {
            let (server, url, database) = try teamDatabase()
            self.server = server
            self.url = url
            self.database = database
            let alice = try Machine("alice")
            machines["alice"] = alice
            let created = try TeamVault.create(
                storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault,
                member: "alice")
            opened["alice"] = created
            for name in names where name != "alice" {
                let machine = try Machine(name)
                machines[name] = machine
                let code = try TeamVault.join(
                    storage: try PostgresVaultStorage(url: url), personal: machine.vault, member: name
                ).code
                try TeamVault.approve(
                    name, fingerprint: code, role: admins.contains(name) ? .admin : .member, in: created)
            }
            for name in names where name != "alice" { opened[name] = try open(name) }
        }

        struct Missing: Error { let name: String }

        func machine(_ name: String) throws -> Machine {
            guard let machine = machines[name] else { throw Missing(name: name) }
            return machine
        }

        /// The session made when the team was set up.
        func session(_ name: String) throws -> TeamVault.Opened {
            guard let opened = opened[name] else { throw Missing(name: name) }
            return opened
        }

        func open(_ name: String) throws -> TeamVault.Opened {
            try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: try machine(name).vault)
        }

        func sql(_ statement: String) throws -> String {
            try server.psql(statement, database: database).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    private static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while hex.distance(from: index, to: hex.endIndex) >= 2 {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    private static func isError(_ error: any Error, _ kind: String) -> Bool {
        switch (error as? TeamError, kind) {
        case (.rollback?, "rollback"), (.forked?, "forked"), (.untrusted?, "untrusted"), (.notAMember?, "not-a-member"):
            true
        default: false
        }
    }

    /// Dump, remove a member, add a secret, restore the dump: the removed member cannot read the new secret and gets
    /// a rollback error; the remaining members get the same error instead of silently going back.
    @Test func aRestoredDumpReadmitsNobody() throws {
        var team = try Team(["alice", "bob", "carol"])
        _ = try try team.session("alice").vault.add([account("AWS", "before")])
        let dump = try team.server.dump(database: team.database)
        let (_, afterRemoval) = try TeamVault.remove("bob", in: try team.session("alice"))
        team.opened["alice"] = afterRemoval
        _ = try afterRemoval.vault.add([account("AWS", "after-bob")])
        // Bob's client and Carol's see the removal (Bob is refused as a non-member, and remembers why).
        #expect { try team.open("bob") } throws: { Self.isError($0, "not-a-member") }
        #expect(try codes(try team.open("carol").vault).count == 2)

        try team.server.restore(database: team.database, from: dump)
        // The restored database still lists Bob, with a key wrapped for him at epoch 1 — his client refuses it.
        #expect(try team.sql("SELECT status FROM otp_members WHERE name = 'bob'") == "active")
        for name in ["bob", "carol", "alice"] {
            #expect(throws: TeamError.self, "\(name)") { _ = try team.open(name) }
            #expect { try team.open(name) } throws: { error in
                Self.isError(error, "rollback") && "\(error)".contains("went back")
            }
        }
        // And nobody can write into the restored state through an old session either: it holds the new epoch.
        #expect(throws: VaultError.self) { _ = try afterRemoval.vault.add([account("AWS", "into-the-past")]) }
    }

    /// An older copy of an HOTP entry's row (the whole row, revision included) is put back after a member took a
    /// code: that member's next code is a replay error, `list` reports the entry as replayed, and no counter value
    /// is handed out twice. A row whose revision column is bumped to hide it does not open at all.
    @Test func aReplayedRowHandsOutNoCodeTwice() throws {
        let team = try Team(["alice"])
        let alice = try team.session("alice")
        _ = try alice.vault.add([account("Shared", "hotp", kind: .hotp), account("AWS", "root")])
        let id = try #require(try alice.vault.entries().first { try $0.account.get().kind == .hotp }).id
        _ = try team.sql("CREATE TABLE saved AS SELECT * FROM otp_entries")
        let (_, first) = try alice.vault.nextHOTPCodes(id: id, count: 1)
        #expect(first.map(\.counter) == [0])

        _ = try team.sql(
            """
            UPDATE otp_entries e SET sealed = s.sealed, updated_at = s.updated_at, revision = s.revision
            FROM saved s WHERE e.id = s.id
            """)
        let again = try team.open("alice")
        #expect { try again.vault.nextHOTPCodes(id: id, count: 1) } throws: { "\($0)".contains("replayed") }
        let entries = try again.vault.entries()
        #expect(entries.count == 2)
        #expect(entries.filter { (try? $0.account.get()) == nil }.map(\.id) == [id], "the other entry still reads")

        // The server bumps the revision column to pass the check: the seal authenticates the revision.
        _ = try team.sql("UPDATE otp_entries SET revision = revision + 5 WHERE id = '\(id)'")
        #expect { try again.vault.nextHOTPCodes(id: id, count: 1) } throws: { "\($0)".contains("not an HOTP") }
        // A row of another entry copied in under this id does not open either (its id is authenticated).
        _ = try team.sql(
            """
            UPDATE otp_entries e SET sealed = o.sealed, revision = o.revision
            FROM otp_entries o WHERE e.id = '\(id)' AND o.id <> '\(id)'
            """)
        #expect(throws: VaultError.self) { try again.vault.nextHOTPCodes(id: id, count: 1) }
    }

    /// The server substitutes a member's wrapped key with one it made (sealed to the member's real public key, with
    /// the right associated data: anybody can make one): the member refuses it, since the log signed another.
    @Test func aWrappedKeyTheLogDidNotSignIsRefused() throws {
        let team = try Team(["alice", "bob"])
        _ = try try team.session("alice").vault.add([account("AWS", "root")])
        let team_id = try team.sql("SELECT team_id FROM otp_team")
        let bobKey = Self.bytes(try team.sql("SELECT encode(public_key, 'hex') FROM otp_members WHERE name = 'bob'"))
        let attackerKey = try SecureRandom.key(32)
        let forged = try X25519.SealedBox.seal(
            attackerKey, to: bobKey, authenticating: TeamVault.wrapAAD(team: team_id, member: "bob", epoch: 1))
        _ = try team.sql("UPDATE otp_members SET wrapped_key = decode('\(hex(forged))', 'hex') WHERE name = 'bob'")
        #expect { try team.open("bob") } throws: { error in
            Self.isError(error, "untrusted") && "\(error)".contains("not the one the membership log signed")
        }
    }

    /// The server edits the membership rows and the log: a pending request marked active with a key it wrapped, a
    /// member's key in a signed record swapped, a record dropped from the middle, a whole log of its own making.
    /// Every client refuses; none uses a key.
    @Test func membershipTheServerMadeIsRefused() throws {
        let team = try Team(["alice", "bob"])
        let mallory = try Machine("mallory")
        let code = try TeamVault.join(
            storage: try PostgresVaultStorage(url: team.url), personal: mallory.vault, member: "mallory"
        ).code
        #expect(!code.isEmpty)
        let team_id = try team.sql("SELECT team_id FROM otp_team")
        // 1. The request made active with a key the server wrapped to it: not in the signed roster.
        let malloryKey = Self.bytes(
            try team.sql("SELECT encode(public_key, 'hex') FROM otp_members WHERE name = 'mallory'"))
        let wrapped = try X25519.SealedBox.seal(
            try SecureRandom.key(32), to: malloryKey,
            authenticating: TeamVault.wrapAAD(team: team_id, member: "mallory", epoch: 1))
        _ = try team.sql(
            """
            UPDATE otp_members SET status = 'active', epoch = 1, wrapped_key = decode('\(hex(wrapped))', 'hex')
            WHERE name = 'mallory'
            """)
        #expect {
            try TeamVault.open(storage: try PostgresVaultStorage(url: team.url), personal: mallory.vault)
        } throws: { Self.isError($0, "not-a-member") }

        // 2. Bob's keys in the signed approval swapped for Mallory's (bytes edited in place): the signature fails.
        let saved = try team.sql("SELECT encode(record, 'hex') FROM otp_chain WHERE seq = 2")
        let bobKeyHex = try team.sql("SELECT encode(public_key, 'hex') FROM otp_members WHERE name = 'bob'")
        let edited = saved.replacingOccurrences(of: bobKeyHex, with: hex(malloryKey))
        #expect(edited != saved)
        _ = try team.sql("UPDATE otp_chain SET record = decode('\(edited)', 'hex') WHERE seq = 2")
        for name in ["alice", "bob"] {
            #expect { try team.open(name) } throws: { Self.isError($0, "untrusted") }
        }
        _ = try team.sql("UPDATE otp_chain SET record = decode('\(saved)', 'hex') WHERE seq = 2")
        #expect(try team.open("bob").member == "bob", "the log as signed opens again")

        // 3. A log of the server's own: a new first record signed by its key, listing Bob (his real public keys) as
        // the only admin, with a team key the server chose. Bob pinned the real team.
        let bobSigning = Self.bytes(
            try team.sql("SELECT encode(signing_key, 'hex') FROM otp_members WHERE name = 'bob'"))
        let bobEncryption = Self.bytes(bobKeyHex)
        let serverKey = try SecureRandom.key(32)
        let forgedWrap = try X25519.SealedBox.seal(
            serverKey, to: bobEncryption, authenticating: TeamVault.wrapAAD(team: team_id, member: "bob", epoch: 1))
        let attackerSeed = try SecureRandom.key(32)
        let record = TeamLogRecord(
            seq: 1, previous: [UInt8](repeating: 0, count: 32), epoch: 1, action: .create, subject: "bob",
            signer: "bob", at: 1,
            roster: [
                TeamRosterMember(
                    name: "bob", role: .admin, encryptionKey: bobEncryption,
                    signingKey: try Ed25519.publicKey(seed: attackerSeed),
                    wrappedKeyDigest: TeamChain.sha256(forgedWrap))
            ])
        let signed = try SignedTeamRecord.sign(record, team: team_id, seed: attackerSeed)
        _ = try team.sql(
            """
            DELETE FROM otp_chain;
            INSERT INTO otp_chain VALUES (1, decode('\(hex(signed.encoded))', 'hex'),
                decode('\(hex(signed.signature))', 'hex'));
            UPDATE otp_members SET wrapped_key = decode('\(hex(forgedWrap))', 'hex') WHERE name = 'bob';
            """)
        #expect { try team.open("bob") } throws: { Self.isError($0, "forked") }
    }

    /// The server shows a joiner a team of its own (another first record): the join code the joiner reads out is
    /// not the one the real admin computes, so the approval is refused and nothing is wrapped.
    @Test func aJoinerShownAnotherTeamIsNotApproved() throws {
        let team = try Team(["alice"])
        let realChain = try team.sql("SELECT encode(record, 'hex') || ':' || encode(signature, 'hex') FROM otp_chain")
        let team_id = try team.sql("SELECT team_id FROM otp_team")
        let seed = try SecureRandom.key(32)
        let fake = try SignedTeamRecord.sign(
            TeamLogRecord(
                seq: 1, previous: [UInt8](repeating: 0, count: 32), epoch: 1, action: .create, subject: "alice",
                signer: "alice", at: 1,
                roster: [
                    TeamRosterMember(
                        name: "alice", role: .admin, encryptionKey: [UInt8](repeating: 9, count: 32),
                        signingKey: try Ed25519.publicKey(seed: seed),
                        wrappedKeyDigest: [UInt8](repeating: 0, count: 32))
                ]), team: team_id, seed: seed)
        _ = try team.sql(
            """
            UPDATE otp_chain SET record = decode('\(hex(fake.encoded))', 'hex'),
                signature = decode('\(hex(fake.signature))', 'hex')
            """)
        let bob = try Machine("bob")
        let code = try TeamVault.join(
            storage: try PostgresVaultStorage(url: team.url), personal: bob.vault, member: "bob"
        ).code
        let parts = realChain.split(separator: ":").map(String.init)
        _ = try team.sql(
            """
            UPDATE otp_chain SET record = decode('\(parts[0])', 'hex'), signature = decode('\(parts[1])', 'hex')
            """)
        #expect { try TeamVault.approve("bob", fingerprint: code, in: try team.session("alice")) } throws: {
            "\($0)".contains("another fingerprint")
        }
        #expect(try team.sql("SELECT wrapped_key IS NULL FROM otp_members WHERE name = 'bob'") == "t")
        #expect(try team.sql("SELECT count(*) FROM otp_chain") == "1")
    }

    /// Only admins change membership; a member who tries writes nothing. Roles are signed changes too.
    @Test func onlyAdminsChangeMembership() throws {
        var team = try Team(["alice", "bob", "carol"])
        let bob = try team.session("bob")
        #expect { try TeamVault.remove("carol", in: bob) } throws: { "\($0)".contains("not an admin") }
        #expect { try TeamVault.rekey(in: bob) } throws: { "\($0)".contains("not an admin") }
        let dave = try Machine("dave")
        team.machines["dave"] = dave
        let code = try TeamVault.join(
            storage: try PostgresVaultStorage(url: team.url), personal: dave.vault, member: "dave"
        ).code
        #expect { try TeamVault.approve("dave", fingerprint: code, in: bob) } throws: {
            "\($0)".contains("not an admin")
        }
        #expect(try team.sql("SELECT count(*) FROM otp_chain") == "3")

        try TeamVault.setRole("bob", to: .admin, in: try team.session("alice"))
        let promoted = try team.open("bob")
        #expect(promoted.role == .admin)
        try TeamVault.approve("dave", fingerprint: code, in: promoted)
        #expect(
            try TeamVault.members(in: try team.open("carol")).map(\.name).sorted() == ["alice", "bob", "carol", "dave"])
        // The last admin cannot step down or leave.
        try TeamVault.setRole("bob", to: .member, in: promoted)
        let alice = try team.open("alice")
        #expect(throws: TeamError.self) { try TeamVault.setRole("alice", to: .member, in: alice) }
        #expect(throws: TeamError.self) { try TeamVault.remove("alice", in: alice) }
        // A re-key: a new epoch, every member still reads.
        _ = try alice.vault.add([account("AWS", "root")])
        let (resealed, rekeyed) = try TeamVault.rekey(in: alice)
        #expect(resealed == 1 && rekeyed.verified.epoch == 2)
        for name in ["bob", "carol", "dave"] { #expect(try codes(try team.open(name).vault).count == 1, "\(name)") }
    }

    /// Two members see the same head; after the server forks the history (a dump restored, then another admin
    /// signs a different change at the same position), members on the two branches do not: each refuses the other's.
    @Test func verifyShowsTheSameHeadUntilTheHistoryForks() throws {
        let team = try Team(["alice", "bob", "dave"], admins: ["dave"])
        let bobHead = try team.open("bob").verified.head.hash
        #expect(try team.open("alice").verified.head.hash == bobHead)
        #expect(try team.open("dave").verified.head.hash == bobHead)

        let dump = try team.server.dump(database: team.database)
        let carol = try Machine("carol")
        let carolCode = try TeamVault.join(
            storage: try PostgresVaultStorage(url: team.url), personal: carol.vault, member: "carol"
        ).code
        try TeamVault.approve("carol", fingerprint: carolCode, in: try team.open("alice"))
        let branchA = try team.open("bob").verified.head.hash  // Bob sees Alice's branch.

        try team.server.restore(database: team.database, from: dump)
        let erin = try Machine("erin")
        let erinCode = try TeamVault.join(
            storage: try PostgresVaultStorage(url: team.url), personal: erin.vault, member: "erin"
        ).code
        // Dave had not looked since the dump: he signs another change at the same position.
        try TeamVault.approve("erin", fingerprint: erinCode, in: try team.open("dave"))
        let branchB = try team.open("dave").verified.head.hash
        #expect(branchA != branchB)
        for name in ["bob", "alice"] {
            #expect { try team.open(name) } throws: { error in
                Self.isError(error, "forked") && "\(error)".contains("another membership history")
            }
        }
    }

    /// A machine with no record of the team (its state lost) opens only with the team fingerprint pinned by hand,
    /// and a wrong one pins nothing.
    @Test func aMachineWithoutStatePinsByFingerprint() throws {
        let team = try Team(["alice"])
        let fingerprint = try team.session("alice").teamFingerprint
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("otp-state-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let elsewhere = ["XDG_STATE_HOME": state.path]
        let storage = try PostgresVaultStorage(url: team.url)
        let alice = try team.machine("alice").vault
        #expect { try TeamVault.open(storage: storage, personal: alice, environment: elsewhere) } throws: {
            if case TeamError.unpinned = $0 { return "\($0)".contains("--pin") }
            return false
        }
        #expect {
            try TeamVault.open(storage: storage, personal: alice, pin: "0000 1111", environment: elsewhere)
        } throws: { Self.isError($0, "forked") }
        #expect(
            try TeamVault.open(storage: storage, personal: alice, pin: fingerprint, environment: elsewhere).member
                == "alice")
        #expect(try TeamVault.open(storage: storage, personal: alice, environment: elsewhere).member == "alice")
    }
}

/// The membership log's rules without a server: what `TeamChain.verify` refuses, and that any bytes decode or fail
/// cleanly (the fuzz target `FuzzTeamRecord` runs the same decoder).
@Suite struct TeamChainRuleTests {
    struct Member {
        let name: String
        let seed: SecureBytes
        let line: TeamRosterMember

        init(_ name: String, role: TeamRosterMember.Role = .member) throws {
            self.name = name
            seed = try SecureRandom.key(32)
            line = TeamRosterMember(
                name: name, role: role, encryptionKey: try SecureRandom.bytes(32),
                signingKey: try Ed25519.publicKey(seed: seed), wrappedKeyDigest: try SecureRandom.bytes(32))
        }
    }

    let team = "00112233445566778899aabbccddeeff"

    func rows(_ records: [SignedTeamRecord]) -> [(encoded: [UInt8], signature: [UInt8])] {
        records.map { ($0.encoded, $0.signature) }
    }

    func chain() throws -> (alice: Member, bob: Member, records: [SignedTeamRecord]) {
        let alice = try Member("alice", role: .admin)
        let bob = try Member("bob")
        let genesis = try SignedTeamRecord.sign(
            TeamLogRecord(
                seq: 1, previous: [UInt8](repeating: 0, count: 32), epoch: 1, action: .create, subject: "alice",
                signer: "alice", at: 1, roster: [alice.line]), team: team, seed: alice.seed)
        let approve = try SignedTeamRecord.sign(
            TeamLogRecord(
                seq: 2, previous: genesis.hash, epoch: 1, action: .approve, subject: "bob", signer: "alice", at: 2,
                roster: [alice.line, bob.line]), team: team, seed: alice.seed)
        return (alice, bob, [genesis, approve])
    }

    @Test func aValidChainVerifies() throws {
        let (_, _, records) = try chain()
        let verified = try TeamChain.verify(rows(records), team: team, pinnedGenesis: records[0].hash, server: "s")
        #expect(verified.roster.map(\.name) == ["alice", "bob"] && verified.epoch == 1)
        #expect(throws: TeamError.self) {
            try TeamChain.verify(rows(records), team: "ffff", pinnedGenesis: nil, server: "s")
        }
    }

    @Test func changesSignedByAMemberOrBadlyChainedAreRefused() throws {
        let (alice, bob, records) = try chain()
        let head = records[1]
        func next(
            _ action: TeamLogRecord.Action, epoch: Int32, roster: [TeamRosterMember], by signer: Member,
            previous: [UInt8]? = nil, seq: Int64 = 3, subject: String = "bob"
        ) throws -> SignedTeamRecord {
            try SignedTeamRecord.sign(
                TeamLogRecord(
                    seq: seq, previous: previous ?? head.hash, epoch: epoch, action: action, subject: subject,
                    signer: signer.name, at: 3, roster: roster), team: team, seed: signer.seed)
        }
        let bobAdmin = TeamRosterMember(
            name: "bob", role: .admin, encryptionKey: bob.line.encryptionKey, signingKey: bob.line.signingKey,
            wrappedKeyDigest: bob.line.wrappedKeyDigest)
        let mallory = try Member("mallory")
        let refused: [(String, SignedTeamRecord)] = [
            ("a member promotes himself", try next(.role, epoch: 1, roster: [alice.line, bobAdmin], by: bob)),
            ("a removal keeps the epoch", try next(.remove, epoch: 1, roster: [alice.line], by: alice)),
            (
                "an approval adds two",
                try next(
                    .approve, epoch: 1,
                    roster: [
                        alice.line, bob.line, mallory.line,
                        try Member("eve").line,
                    ], by: alice, subject: "mallory")
            ),
            (
                "the previous hash is another",
                try next(
                    .rekey, epoch: 2, roster: [alice.line, bob.line], by: alice,
                    previous: records[0].hash)
            ),
            ("the sequence skips", try next(.rekey, epoch: 2, roster: [alice.line, bob.line], by: alice, seq: 4)),
            ("a second creation", try next(.create, epoch: 1, roster: [alice.line, bob.line], by: alice)),
            (
                "signed by someone not in the roster",
                try next(
                    .rekey, epoch: 2, roster: [alice.line, bob.line],
                    by: mallory)
            ),
        ]
        for (what, record) in refused {
            #expect(throws: TeamError.self, "\(what)") {
                try TeamChain.verify(rows(records + [record]), team: team, pinnedGenesis: nil, server: "s")
            }
        }
        var forgedSignature = try next(.rekey, epoch: 2, roster: [alice.line, bob.line], by: alice)
        var signature = forgedSignature.signature
        signature[0] ^= 1
        forgedSignature = SignedTeamRecord(
            record: forgedSignature.record, encoded: forgedSignature.encoded, signature: signature)
        #expect(throws: TeamError.self) {
            try TeamChain.verify(rows(records + [forgedSignature]), team: team, pinnedGenesis: nil, server: "s")
        }
        // And the valid change verifies.
        let rekey = try next(.rekey, epoch: 2, roster: [alice.line, bob.line], by: alice)
        #expect(try TeamChain.verify(rows(records + [rekey]), team: team, pinnedGenesis: nil, server: "s").epoch == 2)
    }

    /// Seeded: prints its seed. Truncations, bit flips and random bytes decode to an error, never a crash or a
    /// large allocation (a huge member count is refused before anything is made).
    @Test func hostileRecordsFailCleanly() throws {
        let (_, _, records) = try chain()
        let seed = UInt64(ProcessInfo.processInfo.environment["OTP_TEST_SEED"] ?? "") ?? 0x5eed_26
        print("TeamChainRuleTests.hostileRecordsFailCleanly seed \(seed)")
        var random = SplitMix64(seed: seed)
        let encoded = records[1].encoded
        for length in 0..<encoded.count {
            #expect(throws: TeamLogRecord.DecodeError.self) {
                try TeamLogRecord.decode(Array(encoded.prefix(length)), team: team)
            }
        }
        for _ in 0..<2000 {
            var bytes = encoded
            bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            _ = try? TeamLogRecord.decode(bytes, team: team)
        }
        // The roster is last: its count, then alice (2 + 5 + 1 + 96 bytes) and bob (2 + 3 + 1 + 96).
        var huge = Array(encoded.prefix(encoded.count - 104 - 102 - 4))
        huge += [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: TeamLogRecord.DecodeError.self) { try TeamLogRecord.decode(huge, team: team) }
    }
}
