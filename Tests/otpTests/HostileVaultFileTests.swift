import Foundation
import GRDB
import TestSupport
import Testing

/// Issue 24, classes 3 and 4: hostile vault files, opened (`--vault FILE`) or restored (`otp import FILE`), and
/// vaults that must only be read.
@Suite(.serialized) struct HostileVaultFileTests {
    let directory: URL
    let environment: [String: String]
    static let uri = "otpauth://totp/Real:r?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Real"

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = ["OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "pw"]
        _ = try CLI.run(["import", "--create", "-"], stdin: Self.uri + "\n", environment: environment)
    }

    /// A copy of the real vault, changed by `sql` as whoever can edit the file would.
    func hostile(_ name: String, _ sql: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: environment["OTP_VAULT"] ?? "", toPath: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try queue.close()
        return path
    }

    func timed(_ arguments: [String], vault: String? = nil) throws -> (CLI.Output, TimeInterval) {
        var env = environment
        if let vault { env["OTP_VAULT"] = vault }
        let started = Date()
        let output = try CLI.run(arguments, environment: env)
        return (output, Date().timeIntervalSince(started))
    }

    /// A view in place of the entry table (recursive: it never ends) and a trigger that rewrites writes: refused by
    /// name before anything reads them, when opened and when restored.
    @Test(arguments: [
        "DROP TABLE entry; CREATE VIEW entry AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            + "SELECT i AS id, 0 AS createdAt, 0 AS updatedAt, x'' AS identityTag, x'' AS duplicateTag, "
            + "1 AS version, x'' AS sealed FROM n",
        "CREATE TRIGGER steal AFTER INSERT ON entry BEGIN DELETE FROM keySlot; END",
    ])
    func viewsAndTriggersAreRefused(sql: String) throws {
        let path = try hostile("program.sqlite", sql)
        let (opened, openTime) = try timed(["list"], vault: path)
        #expect(opened.status == 2 && opened.stderr.contains("views or triggers"), "\(opened.stderr)")
        let passphrase = directory.appendingPathComponent("pass")
        try "pw\n".write(to: passphrase, atomically: true, encoding: .utf8)
        let (restored, restoreTime) = try timed(["import", "--source-passphrase-file", passphrase.path, path])
        #expect(restored.status == 1 && restored.stdout.contains("views or triggers"), "\(restored.stdout)")
        // Refused by what the file is, before any query runs: not a matter of time (timings are benchmarks).
        _ = (openTime, restoreTime)
    }

    /// Dozens of key slots, or a few at the highest cost a slot may have: refused within one unlock's budget.
    @Test(arguments: [(60, 1 << 15, 8, 1), (5, 1 << 17, 8, 1)])
    func keySlotsBeyondTheBudget(count: Int, n: Int, r: Int, p: Int) throws {
        let rows = (0..<count).map { i in
            "('h\(i)', randomblob(32), \(n), \(r), \(p), randomblob(60), \(i))"
        }.joined(separator: ", ")
        let path = try hostile(
            "slots.sqlite", "DELETE FROM keySlot; INSERT INTO keySlot VALUES \(rows)")
        let (output, seconds) = try timed(["list"], vault: path)
        // Refused before a second derivation (60 slots: before any), whatever the machine's speed.
        #expect(output.status == 2 && output.stderr.contains("key slot"), "\(output.stderr)")
        #expect(output.stderr.contains("\(count) slots") || output.stderr.contains("at most 8"), "\(output.stderr)")
        _ = seconds
    }

    /// A row far larger than any sealed entry is reported as damaged, by id, and never read; the other accounts
    /// are still listed.
    @Test func anEnormousRowIsDamagedNotRead() throws {
        let path = try hostile(
            "huge.sqlite",
            "INSERT INTO entry VALUES ('huge', 1, 1, randomblob(32), randomblob(32), 1, zeroblob(50000000))")
        let (output, seconds) = try timed(["list"], vault: path)
        #expect(output.status == 1 && output.stdout.contains("Real"), "\(output.stderr)")
        #expect(output.stderr.contains("huge"))
        _ = seconds
    }

    /// Class 4: read commands and a wrong passphrase leave the vault and its folder as they were, and a vault on a
    /// read-only mount is read (list, a TOTP code) and restored from; a write there fails saying why.
    @Test func readOnlyMountsAndReadsThatWriteNothing() throws {
        let vault = environment["OTP_VAULT"] ?? ""
        let before = try Data(contentsOf: URL(fileURLWithPath: vault))
        let walBefore = try? Data(contentsOf: URL(fileURLWithPath: vault + "-wal"))
        _ = try CLI.run(["list"], environment: environment)
        _ = try CLI.run(["code", "real"], environment: environment)
        _ = try CLI.run(["list"], environment: environment.merging(["OTP_PASSPHRASE": "wrong"]) { $1 })
        #expect(try Data(contentsOf: URL(fileURLWithPath: vault)) == before, "reads leave the vault byte-identical")
        #expect((try? Data(contentsOf: URL(fileURLWithPath: vault + "-wal"))) == walBefore, "nor its log")

        let media = directory.appendingPathComponent("media")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        #expect(
            try CLI.run(["backup", media.appendingPathComponent("b.sqlite").path], environment: environment)
                .status == 0)
        let mounted = media.appendingPathComponent("b.sqlite").path
        let other = directory.appendingPathComponent("other.sqlite").path
        let script = """
            mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" || exit 99
            OTP_VAULT="$2" "$3" list || exit 11
            OTP_VAULT="$2" "$3" code real --format raw || exit 12
            OTP_VAULT="$2" "$3" edit real --note x 2>&1 | grep -q "opened to be read" || exit 13
            echo pw > "$4.pass"
            OTP_VAULT="$4" "$3" import --create --source-passphrase-file "$4.pass" "$2" || exit 14
            """
        let output = try CLI.run(
            ["-m", "sh", "-c", script, "sh", media.path, mounted, CLI.binary.path, other],
            environment: ["OTP_PASSPHRASE": "pw"], executable: URL(fileURLWithPath: "/usr/bin/unshare"),
            wrapped: false)
        #expect(output.status == 0, "\(output.status): \(output.stdout) \(output.stderr)")
        #expect(output.stdout.contains("Real"))
        let restored = try CLI.run(["list"], environment: environment.merging(["OTP_VAULT": other]) { $1 })
        #expect(restored.stdout.contains("Real"), "\(restored.stderr)")
    }
}
