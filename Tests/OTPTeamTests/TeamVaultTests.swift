import Dispatch
import Foundation
import OTPCore
import OTPCrypto
import OTPVault
import Synchronization
import TestSupport
import Testing
import XCTest

@testable import OTPTeam

let cheapKDF = ScryptParameters(n: 1 << 10, r: 8, p: 1)

/// A member's machine: a personal file vault in its own folder.
final class Machine: Sendable {
    let directory: URL
    let vault: Vault

    init(_ name: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "otp-team-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        vault = try Vault.open(
            path: directory.appendingPathComponent("vault.sqlite").path, passphrase: SecureBytes(Array(name.utf8)),
            create: true, kdf: cheapKDF
        ).vault
    }

    deinit {
        try? vault.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A fresh database on the shared test server.
func teamDatabase() throws -> (server: PostgresServer, url: PostgresURL, name: String) {
    let server = try PostgresServer.started.get()
    let name = try server.makeDatabase()
    return (server, try PostgresURL(server.url(database: name)), name)
}

let secretBytes: [UInt8] = Array("team-secret-0123456789".utf8)

func account(
    _ issuer: String, _ name: String, kind: OTPAccount.Kind = .totp, secret: [UInt8] = secretBytes
)
    -> OTPAccount
{
    OTPAccount(kind: kind, issuer: issuer, name: name, secret: SecureBytes(secret))
}

func codes(_ vault: Vault, at time: Int64 = 1_700_000_000) throws -> [String: String] {
    var result: [String: String] = [:]
    for entry in try vault.entries() {
        let account = try entry.account.get()
        if account.kind == .totp {
            result[account.displayName] = try OTPGenerator(account: account).totp(at: time).first?.value
        }
    }
    return result
}

@Suite(.serialized)
struct TeamVaultTests {
    @Test func twoMembersShareThenOneIsRemoved() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let bob = try Machine("bob")

        let created = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        _ = try created.vault.add([account("AWS", "root@example.com"), account("GitHub", "ops")])

        // Bob asks to join; until approved, his key opens nothing.
        let bobStorage = try PostgresVaultStorage(url: url)
        let fingerprint = try TeamVault.join(storage: bobStorage, personal: bob.vault, member: "bob").code
        #expect(throws: TeamError.self) { try TeamVault.open(storage: bobStorage, personal: bob.vault) }
        let approved = try TeamVault.approve("bob", fingerprint: fingerprint, in: created)
        #expect(approved == fingerprint, "the approver sees the fingerprint the joiner was shown")

        let bobOpened = try TeamVault.open(storage: bobStorage, personal: bob.vault)
        #expect(bobOpened.member == "bob")
        #expect(try codes(bobOpened.vault) == codes(created.vault))
        #expect(try codes(bobOpened.vault).count == 2)
        let members = try TeamVault.members(in: try TeamVault.open(storage: bobStorage, personal: bob.vault))
        #expect(members.map(\.name) == ["alice", "bob"] && members.allSatisfy(\.active))

        // What Bob could have kept: his wrapped key row.
        let keptBox = try server.psql(
            "SELECT encode(wrapped_key, 'hex') FROM otp_members WHERE name = 'bob'", database: database
        ).trimmingCharacters(in: .whitespacesAndNewlines)

        let (resealed, afterRemoval) = try TeamVault.remove("bob", in: created)
        #expect(resealed == 2)
        #expect(try codes(afterRemoval.vault).count == 2, "the remaining member still reads everything")

        // Bob's key opens nothing: he is not a member, and his kept key is the old one, which opens no entry now.
        #expect(throws: TeamError.self) {
            try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: bob.vault)
        }
        #expect(throws: (any Error).self) {
            try bobOpened.vault.entries().map { try $0.account.get() }
        }
        #expect(!keptBox.isEmpty)
        // Bob's old session cannot write under the old key either.
        #expect(throws: VaultError.self) { try bobOpened.vault.add([account("Old", "key")]) }
        #expect(try afterRemoval.vault.entries().count == 2)

        let log = try TeamVault.log(storage: afterRemoval.storage).map(\.action)
        #expect(log.starts(with: ["create", "import", "join", "approve"]))
        #expect(log.contains("remove-member"))
        try created.storage.close()
        try bobStorage.close()
    }

    /// Issue 26: approval compares the fingerprint on the very row whose key it wraps, and there is no approval
    /// without one. A wrong or missing fingerprint writes nothing; a key the server swapped in after the joiner's
    /// fingerprint was compared is refused.
    @Test func approvalNeedsTheFingerprintOfTheKeyItWraps() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let bob = try Machine("bob")
        let mallory = try Machine("mallory")
        let created = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        let fingerprint = try TeamVault.join(
            storage: try PostgresVaultStorage(url: url), personal: bob.vault, member: "bob"
        ).code
        let before = try server.psql(
            "SELECT status, wrapped_key IS NULL FROM otp_members ORDER BY name", database: database)
        for wrong in ["", "0000 0000", String(repeating: "ab", count: 16)] {
            #expect(throws: TeamError.self, "\(wrong)") {
                try TeamVault.approve("bob", fingerprint: wrong, in: created)
            }
        }
        let unchanged = try server.psql(
            "SELECT status, wrapped_key IS NULL FROM otp_members ORDER BY name", database: database)
        #expect(unchanged == before, "a refused approval writes nothing")
        // The server replaces Bob's key with one the attacker holds, after Bob's fingerprint was compared.
        _ = try TeamVault.join(storage: try PostgresVaultStorage(url: url), personal: mallory.vault, member: "mallory")
        try server.psql(
            """
            CREATE TEMP TABLE k AS SELECT public_key FROM otp_members WHERE name = 'mallory';
            DELETE FROM otp_members WHERE name = 'mallory';
            UPDATE otp_members SET public_key = (SELECT public_key FROM k) WHERE name = 'bob';
            """, database: database)
        #expect {
            try TeamVault.approve("bob", fingerprint: fingerprint, in: created)
        } throws: { error in
            "\(error)".contains("another fingerprint")
        }
        #expect(
            try server.psql("SELECT wrapped_key IS NULL FROM otp_members WHERE name = 'bob'", database: database)
                .hasPrefix("t"))
    }

    /// Issue 23: the audit rule lives in the library, so a library client that exports or shows gets the log lines
    /// `otp export` and `otp show` write, before the secrets are handed over.
    @Test func libraryExportsAndShowsAreLogged() throws {
        let (_, url, _) = try teamDatabase()
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        _ = try opened.vault.add([account("AWS", "root"), account("GitHub", "ops")])
        let entries = try opened.vault.entries()
        #expect(try opened.vault.accountsForExport(entries).accounts.count == 2)
        _ = try opened.vault.accountToShow(entries[0])
        let lines = try TeamVault.log(storage: opened.storage)
        #expect(lines.map(\.action) == ["create", "import", "export", "export", "show"])
        #expect(lines.suffix(3).map(\.entryID) == [entries[0].id, entries[1].id, entries[0].id])
    }

    /// Issue 26 (in part): the database administrator restores a dump from before a member was removed. A member
    /// whose client saw the newer state gets a rollback error instead of silently going back to the epoch whose key
    /// the removed member holds; nothing is read or written.
    @Test func aServerRestoredFromAnOlderDumpIsRefused() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let bob = try Machine("bob")
        let created = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        _ = try created.vault.add([account("AWS", "root")])
        let bobStorage = try PostgresVaultStorage(url: url)
        let fingerprint = try TeamVault.join(storage: bobStorage, personal: bob.vault, member: "bob").code
        _ = try TeamVault.approve("bob", fingerprint: fingerprint, in: created)
        try bobStorage.close()
        let old = try server.dump(database: database)
        let (_, removed) = try TeamVault.remove("bob", in: created)
        _ = try removed.vault.add([account("AWS", "after-bob")])
        try removed.storage.close()
        let again = try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: alice.vault)
        #expect(try again.vault.entries().count == 2)
        try again.storage.close()

        try server.restore(database: database, from: old)
        #expect {
            try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: alice.vault)
        } throws: { error in
            guard case TeamError.rollback(let message) = error else { return false }
            return message.contains("went back") && message.contains("epoch 1")
        }
    }

    @Test func theDatabaseHoldsNoSecretOrName() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        let secret: [UInt8] = Array("ZZsecretVISIBLE1234!".utf8)
        _ = try opened.vault.add([
            account("IssuerInTheClear", "NameInTheClear@example.com", secret: secret),
            account("Second", "counter", kind: .hotp, secret: secret),
        ])
        _ = try opened.vault.nextHOTPCodes(id: try opened.vault.entries()[1].id, count: 3)
        try opened.storage.close()
        let dump = try server.dump(database: database)
        #expect(dump.contains("otp_entries"), "the dump is of the team vault")
        for clear in ["IssuerInTheClear", "NameInTheClear", "example.com", "Second", "counter", "ZZsecret"] {
            #expect(!dump.contains(clear), "\(clear) is in the dump")
        }
        let secretHex = hex(secret)
        #expect(!dump.lowercased().contains(secretHex.prefix(16)))
        #expect(!dump.contains(Base32.encode(secret).prefix(16)))
    }

    @Test func hotpCountersAreTakenOnceAcrossClients() throws {
        let (_, url, _) = try teamDatabase()
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        let id = try opened.vault.add([account("Shared", "hotp", kind: .hotp)])[0].id
        try opened.storage.close()
        let counters = Mutex<[UInt64]>([])
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            do {
                let client = try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: alice.vault)
                defer { try? client.storage.close() }
                for _ in 0..<25 {
                    let (used, _) = try client.vault.nextHOTPCodes(id: id, count: 1)
                    counters.withLock { $0.append(used.counter) }
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
        let used = counters.withLock { $0 }.sorted()
        #expect(used == Array(0..<200), "every counter value exactly once")
    }

    @Test func onceHoldsAcrossMembers() throws {
        let (_, url, _) = try teamDatabase()
        let alice = try Machine("alice")
        let bob = try Machine("bob")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        let id = try opened.vault.add([account("AWS", "break-glass")])[0].id
        let bobStorage = try PostgresVaultStorage(url: url)
        let fingerprint = try TeamVault.join(storage: bobStorage, personal: bob.vault, member: "bob").code
        _ = try TeamVault.approve("bob", fingerprint: fingerprint, in: opened)
        let bobOpened = try TeamVault.open(storage: bobStorage, personal: bob.vault)
        let time: Int64 = 1_800_000_000
        guard case .codes(let first) = try opened.vault.takeOnce(id: id, at: time, count: 1) else {
            Issue.record("the first take got no code")
            return
        }
        #expect(first.codes.count == 1)
        guard case .alreadyTaken(let available) = try bobOpened.vault.takeOnce(id: id, at: time + 5, count: 1) else {
            Issue.record("a second member got a code of a step already handed out")
            return
        }
        #expect(available == (time / 30 + 1) * 30)
        let log = try TeamVault.log(storage: bobStorage)
        #expect(log.filter { $0.action == "code" }.map(\.member) == ["alice"])
    }

    @Test func theServerStoppedInTheMiddleOfAnImport() throws {
        let server = try PostgresServer()
        let database = try server.makeDatabase()
        let url = try PostgresURL(server.url(database: database))
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        _ = try opened.vault.add([account("Before", "one")])
        // Another session holds the log table, so the import inserts its entries and then waits at its log line:
        // the server is stopped while the import's transaction is open.
        let holder = try server.holdInSession(
            "BEGIN; LOCK TABLE otp_log IN EXCLUSIVE MODE; SELECT pg_sleep(60);", database: database)
        var held = false
        for _ in 0..<200 where !held {
            held =
                try server.psql(
                    """
                    SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    WHERE c.relname = 'otp_log' AND l.mode = 'ExclusiveLock' AND l.granted
                    """, database: database
                ).trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            if !held { usleep(50_000) }
        }
        #expect(held, "the other session never took the log table")
        let accounts = (0..<50).map { account("Batch", "user\($0)", secret: Array("batch-secret-\($0)-xxxxx".utf8)) }
        let result = Mutex<Result<Int, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            do {
                let added = try opened.vault.add(accounts)
                result.withLock { $0 = .success(added.count) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        // Wait until the import is blocked inside its transaction.
        var waiting = false
        for _ in 0..<200 where !waiting {
            let count = try server.psql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = '\(database)'")
            waiting = count.trimmingCharacters(in: .whitespacesAndNewlines) != "0"
            if !waiting { usleep(50_000) }
        }
        #expect(waiting, "the import never reached the lock")
        // As a crash or a power cut would: no backend gets to commit anything on its way out.
        try server.stop(mode: "immediate")
        holder.waitUntilExit()
        #expect(done.wait(timeout: .now() + 30) == .success)
        let outcome = result.withLock { $0 }
        guard case .failure(let error) = outcome else {
            Issue.record("the import did not fail: \(String(describing: outcome))")
            return
        }
        let message = "\(error)"
        #expect(message.contains("server"), "\(message)")
        #expect(!message.contains("Batch") && !message.contains("batch-secret"))

        try server.start()
        let again = try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: alice.vault)
        #expect(try again.vault.entries().count == 1, "no half-written entry")
        #expect(try again.vault.add(accounts).count == 50)
        #expect(try again.vault.entries().count == 51)
    }

    /// A server that stops answering (here: a lock another session holds) is an error after the answer timeout,
    /// never a hung command, and nothing is written. Regression: a ROLLBACK sent on a connection the server had
    /// just dropped waited for ever (postgres-nio never completed it).
    @Test func aServerThatStopsAnsweringIsAnError() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let created = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        try created.storage.close()
        let impatient = try TeamVault.open(
            storage: try PostgresVaultStorage(url: url, answerTimeout: 2), personal: alice.vault)
        let holder = try server.holdInSession(
            "BEGIN; LOCK TABLE otp_entries IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4);", database: database)
        defer { holder.terminate() }
        usleep(500_000)
        #expect {
            try impatient.vault.add([account("Late", "one")])
        } throws: { error in
            "\(error)".contains("no answer within 2 s")
        }
        holder.waitUntilExit()
        let after = try TeamVault.open(storage: try PostgresVaultStorage(url: url), personal: alice.vault)
        #expect(try after.vault.entries().isEmpty)
    }

    /// TLS as libpq does it: `require` encrypts, `verify-ca` and `verify-full` check the test CA's signature (and
    /// the host name); another CA is refused with a message naming the server and no password.
    @Test func tlsRequireVerifyCAAndVerifyFull() throws {
        let server = try PostgresServer.tls()
        let database = try server.makeDatabase()
        for mode in ["require", "verify-ca", "verify-full"] {
            let storage = try PostgresVaultStorage(
                url: try PostgresURL(server.tlsURL(database: database, mode: mode)), createSchema: true)
            #expect(storage.usesTLS, "\(mode)")
            #expect(try storage.entries().isEmpty)
            try storage.close()
        }
        var url = try PostgresURL(server.tlsURL(database: database, mode: "verify-full"))
        url.overrides["sslrootcert"] = "/etc/ssl/certs/ca-certificates.crt"
        url.overrides["password"] = "hunter2-secret"
        #expect {
            try PostgresVaultStorage(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("localhost") && text.contains("certificate") && !text.contains("hunter2")
        }
    }

    /// A client certificate signed by the server's CA logs its role in (pg_hba `cert`); without it, refused.
    @Test func clientCertificateLogin() throws {
        let server = try PostgresServer.tls()
        let database = try server.makeDatabase()
        var url = try PostgresURL(
            server.tlsURL(database: database, mode: "verify-full", user: PostgresServer.certificateUser))
        #expect(throws: TeamError.self) { try PostgresVaultStorage(url: url, createSchema: true) }
        url.overrides["sslcert"] = server.clientCertificate
        url.overrides["sslkey"] = server.clientKey
        let storage = try PostgresVaultStorage(url: url, createSchema: true)
        #expect(storage.server.hasPrefix("\(PostgresServer.certificateUser)@localhost:"))
        try storage.close()
    }

    /// A `postgresql://` URL that reaches something that is not PostgreSQL (a server that says HTTP, one that
    /// accepts and says nothing, one that sends an endless stream) is an error within the connect timeout.
    @Test(arguments: ["HTTP", "silence", "endless"])
    func somethingThatIsNotPostgres(kind: String) throws {
        let answer: [UInt8] =
            switch kind {
            case "HTTP": Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n".utf8)
            case "endless": [UInt8](repeating: UInt8(ascii: "R"), count: 1 << 16)
            default: []
            }
        let fake = try FakeServer(answer: answer, repeatForever: kind == "endless")
        defer { fake.stop() }
        let started = Date()
        var url = try PostgresURL("postgresql://otp@127.0.0.1:\(fake.port)/db?sslmode=disable")
        url.overrides["connect_timeout"] = "2"
        #expect(throws: TeamError.self) { try PostgresVaultStorage(url: url) }
        // A hang would be minutes: this only tells a timeout from no timeout, on a loaded machine too.
        #expect(Date().timeIntervalSince(started) < 30)
    }

    /// A server that lets the client in and then streams one enormous data row (declared 256 MiB): stopped
    /// once twice the answer cap has arrived, within seconds, instead of libpq buffering the whole row.
    @Test func anEndlessDataRowIsStoppedWhileItArrives() throws {
        let fake = try FakePostgres()
        defer { fake.stop() }
        let started = Date()
        let url = try PostgresURL("postgresql://otp@127.0.0.1:\(fake.port)/db?sslmode=disable")
        #expect {
            try PostgresVaultStorage(url: url, maximumResultBytes: 4 << 20)
        } throws: { error in
            // Usually our cap stops it; on a loaded machine libpq sometimes gives up first, reporting lost
            // synchronization (seen once in CI, not explained yet). Either way it is refused, and quickly.
            "\(error)".contains("more than 8 MiB") || "\(error)".contains("lost synchronization")
        }
        #expect(Date().timeIntervalSince(started) < 30, "stopped, not read to the end")
    }

    /// The client reads at most `maximumResultBytes` of one answer, then closes the connection.
    @Test func anAnswerTooLargeIsRefused() throws {
        let (_, url, _) = try teamDatabase()
        let storage = try PostgresVaultStorage(url: url, createSchema: true, maximumResultBytes: 4 << 20)
        #expect {
            try storage.withConnection { statements in
                try statements.run("SELECT repeat('x', 1 << 20) FROM generate_series(1, 64)")
            }
        } throws: { error in
            "\(error)".contains("larger than 4 MiB")
        }
        #expect(throws: (any Error).self) { try storage.entries() }
    }

    /// bytea, text arrays and integer arrays survive the text and binary forms both ways, with every byte value and
    /// the characters an array literal must escape.
    @Test func byteaAndArraysRoundTrip() throws {
        let (_, url, _) = try teamDatabase()
        let storage = try PostgresVaultStorage(url: url, createSchema: true)
        let bytes = (0...255).map { UInt8($0) }
        let texts = ["", "a,b", "{}", "\"quoted\"", "back\\slash", "NULL", "é ü 🔑"]
        let rows = try storage.withConnection { statements in
            try statements.run(
                """
                SELECT \(bytes)::bytea, \(texts)::text[] = ARRAY['', 'a,b', '{}', '"quoted"', 'back\\slash', 'NULL',
                    'é ü 🔑'], array_length(\(texts)::text[], 1), \([bytes, [], [0]])::bytea[] = ARRAY[\(bytes),
                    ''::bytea, '\\x00'::bytea], ARRAY[1, -2, 2147483647]::integer[], \([Int32(7), -8])::integer[]
                """)
        }
        #expect(try rows[0].bytes(0) == bytes)
        #expect(try rows[0].string(1) == "t")
        #expect(try rows[0].int64(2) == Int64(texts.count))
        #expect(try rows[0].string(3) == "t")
        #expect(try rows[0].int32Array(4) == [1, -2, 2_147_483_647])
        #expect(try rows[0].int32Array(5) == [7, -8])
        try storage.close()
    }

    @Test func schemaCreatedByClientsAtOnce() throws {
        let (_, url, _) = try teamDatabase()
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            do {
                try PostgresVaultStorage(url: url, createSchema: true).close()
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")
    }

    @Test func theLogIsAppendOnly() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        try opened.storage.close()
        #expect(throws: (any Error).self) { try server.psql("DELETE FROM otp_log", database: database) }
        #expect(throws: (any Error).self) { try server.psql("UPDATE otp_log SET member = 'x'", database: database) }
        #expect(throws: (any Error).self) { try server.psql("TRUNCATE otp_log", database: database) }
        #expect(try server.psql("SELECT count(*) FROM otp_log", database: database).contains("1"))
    }

    /// README's grants: under its own role the application works, and cannot change the log or drop its trigger.
    @Test func theReadmesGrantsMakeTheLogAppendOnlyForTheApplication() throws {
        let (server, url, database) = try teamDatabase()
        let alice = try Machine("alice")
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        try opened.storage.close()
        let role = "app_\(database)"
        try server.psql(
            """
            CREATE ROLE \(role) LOGIN;
            GRANT CONNECT ON DATABASE \(database) TO \(role);
            GRANT SELECT, INSERT, UPDATE, DELETE ON otp_team, otp_members, otp_entries, otp_batches TO \(role);
            GRANT SELECT, INSERT ON otp_log, otp_chain TO \(role);
            GRANT SELECT ON otp_schema TO \(role);
            GRANT USAGE ON SEQUENCE otp_log_seq_seq, otp_entries_seq_seq TO \(role);
            """, database: database)
        var appURL = url
        appURL.overrides["user"] = role
        let app = try TeamVault.open(storage: try PostgresVaultStorage(url: appURL), personal: alice.vault)
        let id = try app.vault.add([account("App", "role", kind: .hotp)])[0].id
        _ = try app.vault.nextHOTPCodes(id: id, count: 1)
        #expect(try app.vault.remove(ids: [id]) == 1)
        for statement in ["DELETE FROM otp_log", "DROP TRIGGER otp_log_no_change ON otp_log", "TRUNCATE otp_log"] {
            #expect(throws: (any Error).self, "\(statement)") {
                try server.psql(statement, database: database, user: role)
            }
        }
        let actions = try TeamVault.log(storage: app.storage).map(\.action)
        #expect(actions == ["create", "import", "code", "remove"])
    }

    /// The PostgreSQL storage decides duplicates, conflicts and replacements as the SQLite storage does: the same
    /// seeded batches (accounts repeated, re-provisioned, replaced, within and across batches) give the same
    /// dispositions and the same entries, in the same order.
    @Test func insertDecidesAsSQLiteDoes() throws {
        print("insertDecidesAsSQLiteDoes seed \(testSeed)")
        var random = SplitMix64(seed: testSeed)
        let (_, url, _) = try teamDatabase()
        let machine = try Machine("diff")
        let team = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: machine.vault, member: "diff")
        let file = try Machine("file")
        func shape(_ result: AddResult) -> String {
            switch result.disposition {
            case .inserted: "inserted"
            case .duplicate: "duplicate"
            case .conflict(let ids, let replaced): "conflict \(ids.count) \(replaced)"
            case .replacedOthers(_, let removed): "replaced \(removed.count)"
            }
        }
        func entries(_ vault: Vault) throws -> [String] {
            try vault.entries().map {
                let account = try $0.account.get()
                return "\(account.displayName) \(account.secret.withUnsafeBytes { hex(Array($0)) })"
            }
        }
        for round in 0..<12 {
            let batch = (0..<Int(random.next() % 6 + 1)).map { _ in
                account(
                    "I\(random.next() % 3)", "n\(random.next() % 2)",
                    secret: Array("secret-\(random.next() % 3)-0123456789abcdef".utf8))
            }
            let replacing = random.next() % 3 == 0
            let expected = try file.vault.add(batch, replacing: replacing).map(shape)
            let got = try team.vault.add(batch, replacing: replacing).map(shape)
            #expect(got == expected, "round \(round), replacing \(replacing)")
            #expect(try entries(team.vault) == entries(file.vault), "round \(round)")
        }
    }

    @Test func noTeamAndBadURLsAreClearErrors() throws {
        let (server, _, _) = try teamDatabase()
        let empty = try server.makeDatabase()
        #expect(throws: TeamError.noTeam) {
            try PostgresVaultStorage(url: try PostgresURL(server.url(database: empty)))
        }
        // libpq checks the parameters when it connects, and says what is wrong.
        #expect {
            try PostgresVaultStorage(url: try PostgresURL("postgresql://u@h/db?sslmode=maybe"))
        } throws: { error in
            "\(error)".contains("sslmode")
        }
        #expect(throws: TeamError.self) { try PostgresURL("postgresql://u@h/db?nonsense=1") }
        #expect(throws: TeamError.self) { try PostgresURL("not a url") }
        let refused = try PostgresURL("postgresql://u:pw-secret@/db?host=/nonexistent&port=5999")
        #expect {
            try PostgresVaultStorage(url: refused)
        } throws: { error in
            let text = "\(error)"
            return text.contains("/nonexistent/.s.PGSQL.5999") && text.contains("No such file or directory")
                && !text.contains("pw-secret")
        }
        let encoded = try PostgresURL("postgresql://me@%2Frun%2Fpostgresql:5433/otp")
        #expect(encoded["host"] == "/run/postgresql" && encoded["port"] == "5433")
        #expect(encoded.description == "me@/run/postgresql:5433/otp")
        let url = try PostgresURL(
            "postgresql://me:secret@db.example:6543/otp?sslmode=verify-ca&target_session_attrs=read-write")
        #expect(
            url["host"] == "db.example" && url["sslmode"] == "verify-ca" && url["target_session_attrs"] == "read-write")
        #expect(!url.description.contains("secret"))
    }

    @Test func copyToTheTeamAndBackKeepsCounters() throws {
        let (_, url, _) = try teamDatabase()
        let alice = try Machine("alice")
        _ = try alice.vault.add([account("File", "totp"), account("File", "hotp", kind: .hotp)])
        let hotpID = try alice.vault.entries()[1].id
        _ = try alice.vault.nextHOTPCodes(id: hotpID, count: 7)
        let opened = try TeamVault.create(
            storage: try PostgresVaultStorage(url: url, createSchema: true), personal: alice.vault, member: "alice")
        let (added, damaged) = try opened.vault.copyEntries(from: alice.vault)
        #expect(added == [.inserted, .inserted] && damaged.isEmpty)
        // Edited in the team vault, then copied back into the file it came from: a new entry beside the old one
        // (same id, other contents), never a refused insert.
        _ = try opened.vault.edit(id: hotpID, Vault.AccountEdit(name: "renamed"))
        let (again, _) = try alice.vault.copyEntries(from: opened.vault)
        let kinds = again.map {
            if case .duplicate = $0 { return "duplicate" }
            return $0 == .inserted ? "inserted" : "\($0)"
        }
        #expect(kinds == ["duplicate", "inserted"])
        #expect(try alice.vault.entries().count == 3)
        let back = try Machine("back")
        _ = try back.vault.copyEntries(from: opened.vault)
        let counters = try back.vault.entries().map { try $0.account.get().counter }
        #expect(counters == [0, 7])
        #expect(try codes(back.vault) == codes(opened.vault))
    }
}

extension PostgresServer.ServerError {
    static let notStarted = PostgresServer.ServerError("the shared test server did not start")
}

/// Keeps XCTest's closing line counting this target.
final class TeamVaultXCTests: XCTestCase {
    func testFingerprintIsStable() {
        let key = [UInt8](repeating: 9, count: 32)
        XCTAssertEqual(TeamVault.fingerprint(of: key), TeamVault.fingerprint(of: key))
        XCTAssertEqual(TeamVault.fingerprint(of: key).count, 39)
    }
}
