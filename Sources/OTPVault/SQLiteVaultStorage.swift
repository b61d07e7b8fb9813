import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#endif

/// ``VaultStorage`` in one SQLite file through GRDB: WAL mode, a `DatabasePool` (concurrent readers, one writer),
/// `IMMEDIATE` transactions for every write, and a busy timeout so concurrent writers wait instead of failing.
///
/// The file is created `0600` inside a `0700` directory; SQLite gives its `-wal` and `-shm` files the same mode.
public final class SQLiteVaultStorage: VaultStorage {
    private let pool: DatabasePool
    /// The vault file.
    public let path: String

    /// How long a writer waits for another process's transaction before failing with ``VaultError/locked``.
    public static let busyTimeout: TimeInterval = 30

    /// Opens (or, with `create`, creates) the vault file and brings its schema up to date.
    ///
    /// - Throws: ``VaultError/notFound(path:)`` without `create` when the file does not exist,
    ///   ``VaultError/damaged(_:)`` when it is not a vault.
    public init(path: String, create: Bool) throws(VaultError) {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard create else { throw .notFound(path: path) }
            try Self.createFile(at: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "otp-vault"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw Self.map(error)
        }
        do {
            let migrator = Self.migrator
            let upToDate = try pool.read { db in try migrator.hasCompletedMigrations(db) }
            if !upToDate { try migrator.migrate(pool) }
        } catch {
            try? pool.close()
            throw Self.map(error)
        }
    }

    /// The schema. Only ids, times, keyed fingerprints and sealed blobs are stored.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE keySlot (
                        id TEXT PRIMARY KEY NOT NULL,
                        salt BLOB NOT NULL,
                        n INTEGER NOT NULL, r INTEGER NOT NULL, p INTEGER NOT NULL,
                        wrappedKey BLOB NOT NULL,
                        createdAt INTEGER NOT NULL);
                    CREATE TABLE entry (
                        id TEXT PRIMARY KEY NOT NULL,
                        createdAt INTEGER NOT NULL,
                        updatedAt INTEGER NOT NULL,
                        identityTag BLOB NOT NULL,
                        duplicateTag BLOB NOT NULL,
                        version INTEGER NOT NULL,
                        sealed BLOB NOT NULL);
                    CREATE INDEX entryIdentity ON entry(identityTag);
                    CREATE UNIQUE INDEX entryDuplicate ON entry(duplicateTag);
                    """)
        }
        return migrator
    }

    private static func createFile(at path: String) throws(VaultError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw .storage("cannot create \(directory): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .storage("cannot create \(path): \(String(cString: strerror(errno)))") }
        Glibc.close(fd)
    }

    static func map(_ error: any Error) -> VaultError {
        if let error = error as? VaultError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .damaged(error.message ?? "\(error.resultCode)")
            default: return .storage(error.message ?? "\(error.resultCode)")
            }
        }
        return .storage("\(error)")
    }

    private func write<T>(_ body: (Database) throws -> T) throws(VaultError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw VaultError.storage("transaction produced no result") }
                return result
            }
        } catch {
            throw Self.map(error)
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws(VaultError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.map(error)
        }
    }

    private static func slot(_ row: Row) -> KeySlotRecord {
        KeySlotRecord(
            id: row["id"], salt: [UInt8](row["salt"] as Data), n: UInt64(row["n"] as Int64), r: UInt64(row["r"] as Int64),
            p: UInt64(row["p"] as Int64), wrappedKey: [UInt8](row["wrappedKey"] as Data), createdAt: row["createdAt"])
    }

    private static func entry(_ row: Row) -> SealedEntryRecord {
        SealedEntryRecord(
            id: row["id"], createdAt: row["createdAt"], updatedAt: row["updatedAt"],
            identityTag: [UInt8](row["identityTag"] as Data), duplicateTag: [UInt8](row["duplicateTag"] as Data),
            version: row["version"], sealed: [UInt8](row["sealed"] as Data))
    }

    private static func insertSlot(_ slot: KeySlotRecord, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO keySlot (id, salt, n, r, p, wrappedKey, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                slot.id, Data(slot.salt), Int64(slot.n), Int64(slot.r), Int64(slot.p), Data(slot.wrappedKey), slot.createdAt,
            ])
    }

    public func keySlots() throws(VaultError) -> [KeySlotRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM keySlot ORDER BY createdAt, id").map(Self.slot) }
    }

    public func createSlotIfEmpty(_ slot: KeySlotRecord) throws(VaultError) -> [KeySlotRecord] {
        try write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM keySlot") == 0 {
                try Self.insertSlot(slot, db)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM keySlot ORDER BY createdAt, id").map(Self.slot)
        }
    }

    public func replaceSlots(_ slots: [KeySlotRecord]) throws(VaultError) {
        try write { db in
            try db.execute(sql: "DELETE FROM keySlot")
            for slot in slots { try Self.insertSlot(slot, db) }
        }
    }

    public func entries() throws(VaultError) -> [SealedEntryRecord] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM entry ORDER BY createdAt, rowid").map(Self.entry) }
    }

    public func insert(_ records: [SealedEntryRecord], replacing: Bool) throws(VaultError) -> [InsertDisposition] {
        try write { db in
            var dispositions: [InsertDisposition] = []
            for record in records {
                if let existing = try String.fetchOne(
                    db, sql: "SELECT id FROM entry WHERE duplicateTag = ?", arguments: [Data(record.duplicateTag)])
                {
                    dispositions.append(.duplicate(existingID: existing))
                    continue
                }
                let conflicting = try String.fetchAll(
                    db, sql: "SELECT id FROM entry WHERE identityTag = ? ORDER BY createdAt, rowid",
                    arguments: [Data(record.identityTag)])
                if replacing, !conflicting.isEmpty {
                    try db.execute(sql: "DELETE FROM entry WHERE identityTag = ?", arguments: [Data(record.identityTag)])
                }
                try db.execute(
                    sql: """
                        INSERT INTO entry (id, createdAt, updatedAt, identityTag, duplicateTag, version, sealed)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.id, record.createdAt, record.updatedAt, Data(record.identityTag), Data(record.duplicateTag),
                        record.version, Data(record.sealed),
                    ])
                dispositions.append(conflicting.isEmpty ? .inserted : .conflict(existingIDs: conflicting, replaced: replacing))
            }
            return dispositions
        }
    }

    public func update<T: Sendable>(
        id: String, _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM entry WHERE id = ?", arguments: [id]) else {
                throw VaultError.noSuchEntry(id: id)
            }
            let (updated, result) = try transform(Self.entry(row))
            try db.execute(
                sql: "UPDATE entry SET updatedAt = ?, identityTag = ?, duplicateTag = ?, version = ?, sealed = ? WHERE id = ?",
                arguments: [
                    updated.updatedAt, Data(updated.identityTag), Data(updated.duplicateTag), updated.version,
                    Data(updated.sealed), id,
                ])
            return result
        }
    }

    public func close() throws(VaultError) {
        do {
            try pool.close()
        } catch {
            throw Self.map(error)
        }
    }

    public func delete(ids: [String]) throws(VaultError) -> Int {
        try write { db in
            var count = 0
            for id in ids {
                try db.execute(sql: "DELETE FROM entry WHERE id = ?", arguments: [id])
                count += db.changesCount
            }
            return count
        }
    }
}
