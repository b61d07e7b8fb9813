import Foundation
import GRDB
import Testing

/// Issue 16: authenticator apps' own SQLite databases (Google Authenticator, Microsoft Authenticator, Authenticator
/// Pro), made here with each app's schema and RFC 4226/6238's secret, read by `code --from`, `check` and `import`.
@Suite struct AppDatabaseCommandTests {
    /// RFC 4226's secret "12345678901234567890".
    static let rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    let directory: URL
    init() throws { directory = try CLI.temporaryDirectory() }

    func database(_ name: String, wal: Bool = false, _ statements: [String]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            if wal { try db.execute(sql: "PRAGMA journal_mode = WAL") }
            for statement in statements { try db.execute(sql: statement) }
        }
        try queue.close()
        return path
    }

    func codes(_ path: String, at time: Int) throws -> [String] {
        let output = try CLI.run(["code", "--from", path, "--at", "\(time)", "--json"])
        #expect(output.status == 0, "\(output.stderr)")
        return (output.json as? [[String: Any]] ?? []).compactMap {
            (($0["codes"] as? [[String: Any]])?.first?["code"]) as? String
        }
    }

    @Test func googleAuthenticator() throws {
        let path = try database(
            "databases",
            [
                """
                CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL,
                counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT DEFAULT NULL,
                original_name TEXT DEFAULT NULL)
                """,
                "INSERT INTO accounts VALUES (1, 'RFC:totp', '\(Self.rfcSecret)', 0, 0, 0, 'RFC', 'RFC:totp')",
                "INSERT INTO accounts VALUES (2, 'hotp@example.com', '\(Self.rfcSecret)', 0, 1, 0, NULL, NULL)",
            ])
        // RFC 6238 at T = 59 (SHA1, 6 of its 8 digits) and RFC 4226 at counter 0.
        #expect(try codes(path, at: 59) == ["287082", "755224"])
        let check = try CLI.run(["check", "--json", path])
        let accounts = (check.json as? [[String: Any]] ?? []).compactMap { $0["account"] as? [String: Any] }
        #expect(accounts.map { $0["issuer"] as? String } == ["RFC", nil])
        #expect(accounts.map { $0["account"] as? String } == ["totp", "hotp@example.com"])
        // In the order given among other inputs, and found in a folder like any other input (both were not: app
        // databases were read apart, listed last, and a folder's database was "unknown binary data").
        let uris = directory.appendingPathComponent("uris.txt")
        try Data("otpauth://totp/First:a?secret=JBSWY3DPEHPK3PXP&issuer=First\n".utf8).write(to: uris)
        let ordered = try CLI.run(["check", "--json", uris.path, path, uris.path])
        let issuers = (ordered.json as? [[String: Any]] ?? []).map { ($0["account"] as? [String: Any])?["issuer"] }
        #expect(issuers.map { $0 as? String } == ["First", "RFC", nil, "First"])
        let folder = try CLI.run(["check", "--json", directory.path])
        #expect(folder.status == 0, "\(folder.stdout)")
        #expect((folder.json as? [[String: Any]])?.count == 3)
    }

    @Test func microsoftAuthenticatorInWALMode() throws {
        let path = try database(
            "PhoneFactor", wal: true,
            [
                """
                CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
                username TEXT NOT NULL, oath_secret_key TEXT NOT NULL, account_type INTEGER NOT NULL)
                """,
                "INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES "
                    + "('Contoso', 'alice', '\(Self.rfcSecret)', 0), ('Microsoft', 'msa', 'c2VjcmV0', 1)",
            ])
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        let output = try CLI.run(["code", "--from", path, "--at", "59", "--json"])
        // The TOTP account is read; Microsoft's own account type is named and refused.
        #expect(output.status == 1)
        #expect(output.stdout.contains("287082") && output.stdout.contains("microsoft-account"))
        // Reading a database never writes beside it.
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    }

    /// Issue 24, class 2: rows an app committed that are still in its write-ahead log are read (from a private
    /// copy of the pair), the app's files are left as they were, and `--shred` never destroys a database that has
    /// side files (the log may be the only copy of what it holds).
    @Test func rowsStillInTheWriteAheadLogAreReadAndNotShredded() throws {
        let live = directory.appendingPathComponent("live.db").path
        let queue = try DatabaseQueue(path: live)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(
                sql: """
                    CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,
                    username TEXT NOT NULL, oath_secret_key TEXT NOT NULL, account_type INTEGER NOT NULL)
                    """)
            try db.execute(
                sql: "INSERT INTO accounts (name, username, oath_secret_key, account_type) VALUES "
                    + "('Contoso', 'alice', '\(Self.rfcSecret)', 0)")
        }
        // A snapshot of the app's files while it runs: the account is only in the -wal.
        let path = directory.appendingPathComponent("PhoneFactor").path
        try FileManager.default.copyItem(atPath: live, toPath: path)
        try FileManager.default.copyItem(atPath: live + "-wal", toPath: path + "-wal")
        try queue.close()
        let walBefore = try Data(contentsOf: URL(fileURLWithPath: path + "-wal"))
        let vault = directory.appendingPathComponent("vault.sqlite").path
        let imported = try CLI.run(
            ["import", "--create", "--shred", path], environment: ["OTP_VAULT": vault, "OTP_PASSPHRASE": "wal"])
        #expect(imported.status == 0 && imported.stdout.contains("Contoso"), "\(imported.stdout)\(imported.stderr)")
        #expect(imported.stderr.contains("not shredded"), "\(imported.stderr)")
        #expect(FileManager.default.fileExists(atPath: path), "a database with a -wal is never shredded")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + "-wal")) == walBefore, "the app's log is untouched")
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"), "nothing is written beside the app's files")
    }

    @Test func authenticatorProIntoAVault() throws {
        let path = try database(
            "authenticator.db3",
            [
                """
                CREATE TABLE authenticator (type integer, icon varchar, issuer varchar(32), username varchar(40),
                secret varchar primary key not null, pin varchar, algorithm integer, digits integer, period integer,
                counter integer, ranking integer)
                """,
                "INSERT INTO authenticator VALUES (2, NULL, 'Pro', 'sha1', '\(Self.rfcSecret)', NULL, 0, 8, 30, 0, 0)",
                "INSERT INTO authenticator VALUES (1, NULL, 'Pro', 'hotp', 'JBSWY3DPEHPK3PXP', NULL, 0, 6, 30, 5, 1)",
            ])
        #expect(try codes(path, at: 59) == ["94287082", "768897"])
        let environment = [
            "OTP_VAULT": directory.appendingPathComponent("v.sqlite").path, "OTP_PASSPHRASE": "db tests",
        ]
        let imported = try CLI.run(["import", "--create", path, "--json"], environment: environment)
        #expect(imported.status == 0)
        #expect(((imported.json as? [String: Any])?["imported"] as? [Any])?.count == 2)
    }

    @Test func hostileDatabasesAreRefusedByName() throws {
        // A view where the app's table should be (it could loop for ever): not an app database.
        let view = try database(
            "view.db",
            [
                "CREATE TABLE other (x)",
                """
                CREATE VIEW accounts AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
                SELECT i AS email, 'A' AS secret, 0 AS counter, 0 AS type, NULL AS issuer FROM n
                """,
            ])
        let refused = try CLI.run(["check", view])
        #expect(refused.status == 1 && refused.stdout.contains("no known authenticator app"))
        // More rows than any phone holds: refused, not read.
        let many = try database(
            "many.db",
            [
                "CREATE TABLE accounts (email TEXT, secret TEXT, counter INTEGER, type INTEGER, issuer TEXT)",
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 10001)
                INSERT INTO accounts SELECT 'u' || i, '\(Self.rfcSecret)', 0, 0, NULL FROM n
                """,
            ])
        let tooMany = try CLI.run(["check", many])
        #expect(tooMany.status == 1 && tooMany.stdout.contains("more than 10 000 rows"))
        // A damaged file that starts like SQLite.
        let damaged = directory.appendingPathComponent("damaged.db").path
        try Data("SQLite format 3\u{0}".utf8 + [UInt8](repeating: 0xFF, count: 200)).write(
            to: URL(fileURLWithPath: damaged))
        let bad = try CLI.run(["check", damaged])
        #expect(bad.status == 1 && bad.stdout.contains("SQLite"))
    }
}
