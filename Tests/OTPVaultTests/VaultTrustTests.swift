import Foundation
import GRDB
import OTPCore
import OTPCrypto
import Testing

@testable import OTPVault

/// Regression tests for issue 9, classes 9–13 (the vault).
@Suite struct VaultTrustTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vault")

    func withTemporaryCopy<T>(of name: String, _ body: (String) throws -> T) throws -> T {
        let path = temporaryVaultPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: path)
        return try body(path)
    }

    func rawExecute(_ path: String, _ sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
        try queue.close()
    }

    @Test func aVaultFromTheFirstReleaseOpensReadsAndMigrates() throws {
        try withTemporaryCopy(of: "v1-vault.sqlite") { path in
            let storage = try SQLiteVaultStorage(path: path, create: false)
            let vault = try Vault.open(
                storage: storage, passphrase: SecureBytes(Array("fixture passphrase".utf8)), create: false
            ).vault
            let accounts = try vault.entries().map { try $0.account.get() }
            #expect(accounts.map(\.algorithm) == [.sha1, .sha256, .sha512, .sha1])
            #expect(accounts.map(\.digits) == [6, 8, 8, 6])
            #expect(accounts.map(\.period) == [30, 60, 30, 30])
            #expect(accounts[3].kind == .hotp && accounts[3].counter == 5)
            // Its fingerprints are found: importing the same accounts again gives duplicates.
            let uris = try String(
                contentsOfFile: Self.fixtures.appendingPathComponent("uris.txt").path, encoding: .utf8)
            let again = uris.split(separator: "\n").compactMap { OTPAuthURI.parse(String($0)).account }
            #expect(try vault.add(again).allSatisfy { if case .duplicate = $0.disposition { true } else { false } })
            try vault.close()
            let id = try DatabaseQueue(path: path).read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
            #expect(id == SQLiteVaultStorage.applicationID)
        }
    }

    @Test func anotherApplicationsDatabaseIsRefusedUnchanged() throws {
        let path = temporaryVaultPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try rawExecute(
            path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'hi')")
        let before = vaultBytes(path)
        for create in [false, true] {
            do {
                _ = try SQLiteVaultStorage(path: path, create: create)
                Issue.record("opened another application's database")
            } catch {
                guard case .notAVault(_, let reason) = error else {
                    Issue.record("wrong error \(error)")
                    continue
                }
                #expect(reason.contains("notes"))
            }
        }
        #expect(vaultBytes(path) == before)
        // Another application id is refused too.
        try rawExecute(path, "PRAGMA application_id = 1234")
        #expect(throws: VaultError.self) { try SQLiteVaultStorage(path: path, create: true) }
    }

    @Test func entriesWithoutKeySlotsAreNeverReKeyed() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("I", "n")])
        try vault.close()
        try rawExecute(path, "DELETE FROM keySlot")
        let storage = try SQLiteVaultStorage(path: path, create: true)
        do {
            _ = try Vault.open(storage: storage, passphrase: passphrase, create: true, kdf: testKDF)
            Issue.record("created a new master key over existing entries")
        } catch {
            guard case .damaged(let message) = error else {
                Issue.record("wrong error \(error)")
                try storage.close()
                return
            }
            #expect(message.contains("1 entries but no key slot"))
        }
        #expect(try storage.keySlots().isEmpty)
        try storage.close()
    }

    @Test(arguments: [
        "UPDATE keySlot SET n = 'lots'", "UPDATE keySlot SET n = NULL", "UPDATE keySlot SET n = -5",
        "UPDATE keySlot SET r = 0", "UPDATE keySlot SET salt = 42", "UPDATE keySlot SET createdAt = x'00'",
    ])
    func aDamagedKeySlotIsReportedNotTrapped(sql: String) throws {
        let (vault, path) = try makeVault()
        try vault.close()
        // NOT NULL columns: drop the constraint's effect by rewriting through a permissive copy.
        try rawExecute(path, "PRAGMA writable_schema = 0; PRAGMA ignore_check_constraints = 1")
        do {
            try rawExecute(path, sql)
        } catch {
            return  // SQLite itself refuses this damage (NOT NULL): nothing to read back.
        }
        let storage = try SQLiteVaultStorage(path: path, create: false)
        defer { try? storage.close() }
        #expect(throws: VaultError.self) { try Vault.open(storage: storage, passphrase: passphrase, create: false) }
    }

    @Test(arguments: [
        "UPDATE entry SET createdAt = 'yesterday' WHERE rowid = 1", "UPDATE entry SET version = 'one' WHERE rowid = 1",
        "UPDATE entry SET sealed = 12 WHERE rowid = 1", "UPDATE entry SET id = 99 WHERE rowid = 1",
        "UPDATE entry SET identityTag = 'x' WHERE rowid = 1",
    ])
    func aDamagedEntryRowIsReportedAndTheOthersOpen(sql: String) throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "first")])
        _ = try vault.add([testAccount("B", "second", secret: "another secret, 20 b")])
        try vault.close()
        try rawExecute(path, sql)
        let storage = try SQLiteVaultStorage(path: path, create: false)
        let reopened = try Vault.open(storage: storage, passphrase: passphrase, create: false).vault
        let entries = try reopened.entries()
        #expect(entries.count == 2)
        #expect(entries.filter { (try? $0.account.get()) == nil }.count == 1)
        #expect(entries.compactMap { try? $0.account.get().name } == ["second"])
        try reopened.close()
    }

    @Test func aPlainCopyAfterCloseIsAWholeVault() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "copied")])
        try vault.close()
        #expect((try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 == 0)
        let copy = temporaryVaultPath()
        try FileManager.default.createDirectory(
            atPath: (copy as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let opened = try Vault.open(
            storage: try SQLiteVaultStorage(path: copy, create: false), passphrase: passphrase, create: false
        ).vault
        #expect(try opened.entries().map { try $0.account.get().name } == ["copied"])
        try opened.close()
    }

    @Test func aWrongPassphraseLeavesTheFileByteIdentical() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "n")])
        try vault.close()
        let before = FileManager.default.contents(atPath: path)
        let storage = try SQLiteVaultStorage(path: path, create: false)
        #expect(throws: VaultError.wrongPassphrase) {
            try Vault.open(storage: storage, passphrase: SecureBytes(Array("wrong".utf8)), create: false)
        }
        try storage.close()
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func hotpCountersStopAtTheirMaximum() throws {
        let (vault, _) = try makeVault()
        var account = testAccount("H", "max", kind: .hotp)
        account.counter = UInt64(Int64.max) - 1
        let id = try vault.add([account])[0].id
        let (_, codes) = try vault.nextHOTPCodes(id: id, count: 1)
        #expect(codes.map(\.counter) == [UInt64(Int64.max) - 1])
        #expect(throws: VaultError.counterExhausted(id: id, counter: UInt64(Int64.max))) {
            try vault.nextHOTPCodes(id: id, count: 1)
        }
        #expect(throws: VaultError.self) { try vault.nextHOTPCodes(id: id, count: 0) }
        try vault.close()
    }

    @Test func storedAlgorithmCodesAreExplicit() {
        #expect(HashAlgorithm.allCases.map(\.storedCode) == [0, 1, 2])
        #expect(HashAlgorithm(storedCode: 2) == .sha512)
        #expect(HashAlgorithm(storedCode: 3) == nil)
    }
}
