import Foundation
import GRDB
import OTPCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// ``VaultStorage`` in one SQLite file through GRDB: WAL mode, one connection (a `DatabaseQueue`; other processes
/// read while one writes),
/// `IMMEDIATE` transactions for every write, and a busy timeout so concurrent writers wait instead of failing.
///
/// The file is created `0600` inside a `0700` directory; SQLite gives its `-wal` and `-shm` files the same mode.
public final class SQLiteVaultStorage: VaultStorage {
    private let pool: any DatabaseWriter
    /// Set for a vault opened to be read only (a restore's source): every write is refused.
    private let readOnly: Bool
    /// A private copy made to read a source with a write-ahead log; removed on close.
    private let copyFolder: URL?
    /// Whether this storage committed a write (the checkpoint on close runs only then, so a command that only read
    /// — or met a wrong passphrase — leaves the vault file byte-identical).
    private let wrote = Atomic<Bool>(false)
    /// The vault file.
    public let path: String
    /// Held from opening to ``close()``: this vault is in use (see ``discardIfUnused(path:)``).
    private let session: SessionLock?

    /// How long a writer waits for another process's transaction before failing with ``VaultError/locked``.
    public static let busyTimeout: TimeInterval = 30

    /// The SQLite `application_id` of an `otp` vault ("OTPV"): a vault says what it is before anything is written.
    public static let applicationID: Int32 = 0x4F54_5056

    /// Opens (or, with `create`, creates) the vault file and brings its schema up to date.
    ///
    /// Before anything is written the file must identify itself: an `otp` vault (our `application_id`, or a vault
    /// from before it was set, recognised by its exact tables), or with `create` an empty database. Anything else
    /// (another application's SQLite file) is refused unchanged. Creating and migrating happen under an exclusive
    /// `flock` on the vault's directory, so several processes creating one vault at once agree (GRDB's migrator
    /// serialises only within one pool). `flock` is taken on the directory, not the file: closing any descriptor of
    /// the database file would drop SQLite's own POSIX locks in this process.
    ///
    /// - Throws: ``VaultError/notFound(path:)`` without `create` when the file does not exist,
    ///   ``VaultError/notAVault(path:reason:)`` for a file that is not a vault, ``VaultError/damaged(_:)`` when
    ///   SQLite cannot read it.
    public init(path: String, create: Bool) throws(VaultError) {
        self.path = path
        readOnly = false
        copyFolder = nil
        guard !path.isEmpty else { throw .notFound(path: path) }
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .notAVault(path: path, reason: "it is not a regular file")
            }
        } else {
            guard create else { throw .notFound(path: path) }
            try Self.createDirectory(for: path)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "otp-vault"
        // Never let SQLite create the file with default permissions: it is created 0600 below, under the lock.
        let lock = try DirectoryLock(directory: Self.directory(of: path))
        // The session lock is taken in the same critical section that a discard runs in, so a vault is never
        // discarded between this check and the lock.
        session = try lock.withExclusiveLock { () throws(VaultError) in
            if stat(path, &info) != 0 {
                guard create else { throw .notFound(path: path) }
                try Self.createFile(at: path)
                // WAL mode is set here, before any other process can open the new file (they need this lock): a
                // switch later would race their connections.
                try Self.setWALMode(path: path)
            }
            try Self.identify(path: path, create: create)
            return SessionLock(vault: path)
        }
        do {
            // One connection (a DatabaseQueue), not GRDB's DatabasePool: a pool makes sure a non-empty -wal exists
            // by creating and dropping a table whenever the log is empty, so every read command wrote to the
            // vault's log. The file stays in WAL mode (set once, below), so other processes still read while one
            // writes.
            pool = try DatabaseQueue(path: path, configuration: configuration)
            let mode = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            if mode != "wal" {
                try lock.withExclusiveLock { () throws(VaultError) in
                    do {
                        wrote.store(true, ordering: .relaxed)
                        _ = try pool.writeWithoutTransaction { db in
                            try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                        }
                    } catch {
                        throw Self.map(error)
                    }
                }
            }
        } catch {
            throw Self.map(error)
        }
        do {
            let migrator = Self.migrator
            let upToDate = try pool.read { db in try migrator.hasCompletedMigrations(db) }
            if !upToDate {
                try lock.withExclusiveLock { () throws(VaultError) in
                    do {
                        wrote.store(true, ordering: .relaxed)
                        try migrator.migrate(pool)
                    } catch {
                        throw Self.map(error)
                    }
                }
            }
        } catch {
            try? pool.close()
            throw Self.map(error)
        }
    }

    /// Whether the vault's folder can be written (SQLite's write-ahead log and its shared memory live beside the
    /// file): false on a read-only mount.
    public static func canWriteBeside(_ path: String) -> Bool {
        access(directory(of: path), W_OK) == 0
    }

    /// Opens a vault file only to read it (the source of a restore, `otp import BACKUP`): nothing is ever written
    /// to it or beside it, no lock is taken, and no migration runs, so a backup on read-only media restores and a
    /// backup is never changed by restoring it. SQLite opens it `immutable`; a file with a write-ahead log beside
    /// it is read from a private copy of the pair. It must be a vault, with real tables and no views or
    /// triggers (as ``init(path:create:)`` checks).
    ///
    /// - Throws: ``VaultError/notFound(path:)``, ``VaultError/notAVault(path:reason:)``,
    ///   ``VaultError/damaged(_:)``.
    public init(readingOnly path: String) throws(VaultError) {
        self.path = path
        readOnly = true
        session = nil
        var info = stat()
        guard stat(path, &info) == 0 else { throw .notFound(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notAVault(path: path, reason: "it is not a regular file")
        }
        var walInfo = stat()
        let hasLog = stat(path + "-wal", &walInfo) == 0 && walInfo.st_size > 0
        var opened = path
        if hasLog {
            do {
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "otp-restore-\(UUID().uuidString)")
                try FileManager.default.createDirectory(
                    at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                opened = folder.appendingPathComponent("vault.sqlite").path
                copyFolder = folder
                try FileManager.default.copyItem(atPath: path, toPath: opened)
                try FileManager.default.copyItem(atPath: path + "-wal", toPath: opened + "-wal")
            } catch {
                throw .storage(StorageFailure("cannot copy \(path) with its write-ahead log to read it: \(error)"))
            }
        } else {
            copyFolder = nil
            let absolute = URL(fileURLWithPath: path).path
            guard let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else {
                throw .notAVault(path: path, reason: "its path cannot be given to SQLite")
            }
            opened = "file:\(encoded)?immutable=1"
        }
        do {
            try Self.identify(path: opened, create: false, named: path)
            var configuration = Configuration()
            configuration.readonly = !hasLog
            configuration.label = "otp-vault-source"
            pool = try DatabaseQueue(path: opened, configuration: configuration)
        } catch {
            if let copyFolder { try? FileManager.default.removeItem(at: copyFolder) }
            throw Self.map(error)
        }
    }

    /// Puts a new, empty database file in WAL mode (the mode is kept in the file).
    private static func setWALMode(path: String) throws(VaultError) {
        do {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
        } catch {
            throw map(error)
        }
    }

    /// Checks, with a single read-only connection, that the file is a vault or an empty database.
    private static func identify(path: String, create: Bool, named: String? = nil) throws(VaultError) {
        let opened = path
        let path = named ?? path
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: opened, configuration: configuration)
            defer { try? queue.close() }
            try queue.read { db in
                let application = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                let tables = Set(
                    try String.fetchAll(
                        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
                // A vault never has views or triggers: a view in place of a table can recurse for ever, a trigger
                // can rewrite what a write stores. Such a file is refused before anything reads it.
                let programs = try String.fetchAll(
                    db, sql: "SELECT type || ' ' || name FROM sqlite_master WHERE type IN ('view', 'trigger') LIMIT 3")
                if application == applicationID || tables.contains("keySlot") {
                    guard programs.isEmpty else {
                        let names = programs.map { UntrustedText.escaped($0, limit: 40) }.joined(separator: ", ")
                        throw VaultError.notAVault(
                            path: path, reason: "it holds views or triggers, which no otp vault has (\(names))")
                    }
                }
                if application == applicationID {
                    // Migrated (or being created): the tables the vault reads must be real tables.
                    let migrated = tables.contains("grdb_migrations")
                    guard !migrated || (tables.contains("keySlot") && tables.contains("entry")) else {
                        throw VaultError.notAVault(path: path, reason: "its keySlot or entry table is missing")
                    }
                    return
                }
                if application != 0 {
                    throw VaultError.notAVault(
                        path: path,
                        reason: String(format: "its SQLite application id is 0x%08X", UInt32(bitPattern: application)))
                }
                if tables.isEmpty {
                    guard create else { throw VaultError.notAVault(path: path, reason: "it is an empty database") }
                    return
                }
                // A vault written before the application id was set: exactly our tables.
                if tables == ["grdb_migrations", "keySlot", "entry"]
                    || tables == ["grdb_migrations", "keySlot", "entry", "batchPart"]
                {
                    return
                }
                let names = tables.sorted().prefix(5).map { UntrustedText.escaped($0) }.joined(separator: ", ")
                throw VaultError.notAVault(path: path, reason: "it is another application's database (tables \(names))")
            }
        } catch {
            throw map(error)
        }
    }

    /// The schema. Only ids, times, keyed fingerprints and sealed blobs are stored.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
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
        migrator.registerMigration("v2 application id") { db in
            // Vaults created before v1 set it.
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        }
        migrator.registerMigration("v3 batch parts") { db in
            // Which parts of which Google transfer batch the vault holds (batches imported over several runs); the
            // batch id is stored as a keyed fingerprint, like everything else.
            try db.execute(
                sql: """
                    CREATE TABLE batchPart (
                        batchTag BLOB NOT NULL, part INTEGER NOT NULL, size INTEGER NOT NULL,
                        PRIMARY KEY (batchTag, part));
                    """)
        }
        return migrator
    }

    private static func directory(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    private static func createDirectory(for path: String) throws(VaultError) {
        let directory = directory(of: path)
        var info = stat()
        if stat(directory, &info) == 0 { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .storage(
                StorageFailure(
                    "cannot create the directory \(directory): \(String(cString: strerror(errno)))", errno: errno))
        }
    }

    private static func createFile(at path: String) throws(VaultError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw .storage(StorageFailure("cannot create \(path): \(String(cString: strerror(errno)))", errno: errno))
        }
        Glibc.close(fd)
    }

    static func map(_ error: any Error) -> VaultError {
        if let error = error as? VaultError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED: return .locked
            case .SQLITE_NOTADB, .SQLITE_CORRUPT: return .damaged(error.message ?? "\(error.resultCode)")
            default:
                return .storage(
                    StorageFailure(error.message ?? "SQLite error", sqliteCode: error.extendedResultCode.rawValue))
            }
        }
        return .storage(StorageFailure("\(error)"))
    }

    private func write<T>(_ body: (Database) throws -> T) throws(VaultError) -> T {
        guard !readOnly else {
            throw .storage(StorageFailure("\(path) was opened to be read; nothing is written to it"))
        }
        wrote.store(true, ordering: .relaxed)
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw VaultError.storage(StorageFailure("transaction produced no result")) }
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

    /// A column of the expected type, or `nil` (a wrong type, NULL or an out-of-range number never traps).
    private static func column<T: DatabaseValueConvertible>(_ row: Row, _ name: String, as _: T.Type = T.self) -> T? {
        guard let value = row[name] as DatabaseValue? else { return nil }
        switch value.storage {
        case .int64 where T.self == Int64.self || T.self == Int.self: return T.fromDatabaseValue(value)
        case .string where T.self == String.self: return T.fromDatabaseValue(value)
        case .blob where T.self == Data.self: return T.fromDatabaseValue(value)
        default: return nil
        }
    }

    private static func cost(_ row: Row, _ name: String) -> UInt64? {
        guard let value = column(row, name, as: Int64.self), value > 0 else { return nil }
        return UInt64(value)
    }

    /// A key slot, or `.damaged` naming the slot and the column.
    private static func slot(_ row: Row) throws(VaultError) -> KeySlotRecord {
        let id = column(row, "id", as: String.self) ?? "(unreadable id)"
        guard let salt = column(row, "salt", as: Data.self), let n = cost(row, "n"), let r = cost(row, "r"),
            let p = cost(row, "p"), let wrapped = column(row, "wrappedKey", as: Data.self),
            let created = column(row, "createdAt", as: Int64.self)
        else {
            throw .damaged("key slot \(UntrustedText.escaped(id)) has a missing or mistyped column")
        }
        return KeySlotRecord(
            id: id, salt: [UInt8](salt), n: n, r: r, p: p, wrappedKey: [UInt8](wrapped), createdAt: created)
    }

    /// An entry; a row with a missing or mistyped column comes back marked damaged, so it never hides the others.
    private static func entry(_ row: Row) -> SealedEntryRecord {
        let rowID = column(row, "rowid", as: Int64.self) ?? 0
        let id = column(row, "id", as: String.self) ?? "row \(rowID)"
        guard let created = column(row, "createdAt", as: Int64.self),
            let updated = column(row, "updatedAt", as: Int64.self),
            let identity = column(row, "identityTag", as: Data.self),
            let duplicate = column(row, "duplicateTag", as: Data.self),
            let version = column(row, "version", as: Int.self), let sealed = column(row, "sealed", as: Data.self)
        else {
            var record = SealedEntryRecord(
                id: id, createdAt: column(row, "createdAt", as: Int64.self) ?? 0, updatedAt: 0, identityTag: [],
                duplicateTag: [], version: 0, sealed: [])
            record.damage = "a column of its row is missing or of the wrong type"
            return record
        }
        return SealedEntryRecord(
            id: id, createdAt: created, updatedAt: updated, identityTag: [UInt8](identity),
            duplicateTag: [UInt8](duplicate),
            version: version, sealed: [UInt8](sealed))
    }

    private static func insertSlot(_ slot: KeySlotRecord, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO keySlot (id, salt, n, r, p, wrappedKey, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                slot.id, Data(slot.salt), Int64(slot.n), Int64(slot.r), Int64(slot.p), Data(slot.wrappedKey),
                slot.createdAt,
            ])
    }

    /// The most key slots read (a vault has one; `passwd` replaces it).
    public static let maximumSlots = 8

    public func keySlots() throws(VaultError) -> [KeySlotRecord] {
        let rows = try read { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM keySlot") ?? 0
            guard count <= Self.maximumSlots else {
                throw VaultError.damaged("the vault has \(count) key slots; otp writes one and reads at most 8")
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, createdAt, n, r, p,
                        CASE WHEN length(salt) <= 64 THEN salt END AS salt,
                        CASE WHEN length(wrappedKey) <= 128 THEN wrappedKey END AS wrappedKey
                    FROM keySlot ORDER BY createdAt, id
                    """)
        }
        var slots: [KeySlotRecord] = []
        for row in rows { slots.append(try Self.slot(row)) }
        return slots
    }

    public func createSlotIfEmpty(_ slot: KeySlotRecord) throws(VaultError) -> [KeySlotRecord] {
        let rows = try write { db in
            if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM keySlot") == 0 {
                // Entries without a slot: a new master key would make them unreadable for good. Refuse.
                let entries = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM entry") ?? 0
                guard entries == 0 else {
                    throw VaultError.damaged(
                        "the vault holds \(entries) entries but no key slot; a new key would make them unreadable, "
                            + "so nothing was written (restore the vault from a backup)"
                    )
                }
                try Self.insertSlot(slot, db)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM keySlot ORDER BY createdAt, id")
        }
        var slots: [KeySlotRecord] = []
        for row in rows { slots.append(try Self.slot(row)) }
        return slots
    }

    public func replaceSlots(_ slots: [KeySlotRecord]) throws(VaultError) {
        try write { db in
            try db.execute(sql: "DELETE FROM keySlot")
            for slot in slots { try Self.insertSlot(slot, db) }
        }
    }

    /// The most entries a vault file may hold, and the largest sealed entry and tag read (a real entry is a few
    /// hundred bytes): a hostile file with enormous rows or millions of them is refused or reported per row
    /// instead of filling memory.
    public static let maximumEntries = 100_000
    public static let maximumSealedBytes = 65_536
    static let maximumTagBytes = 64
    static let maximumIDCharacters = 64

    public func entries() throws(VaultError) -> [SealedEntryRecord] {
        try read { db in
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM entry") ?? 0
            guard count <= Self.maximumEntries else {
                throw VaultError.damaged(
                    "the vault has \(count) entries, more than the \(Self.maximumEntries) a vault may hold")
            }
            // Oversized values are not read at all: their row comes back damaged, by its (shortened) id.
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid,
                        CASE WHEN length(id) <= \(Self.maximumIDCharacters) THEN id END AS id,
                        createdAt, updatedAt, version,
                        CASE WHEN length(identityTag) <= \(Self.maximumTagBytes) THEN identityTag END AS identityTag,
                        CASE WHEN length(duplicateTag) <= \(Self.maximumTagBytes) THEN duplicateTag END AS duplicateTag,
                        CASE WHEN length(sealed) <= \(Self.maximumSealedBytes) THEN sealed END AS sealed
                    FROM entry ORDER BY createdAt, rowid
                    """
            ).map(Self.entry)
        }
    }

    /// ``InsertPlan`` decides, as for every storage, on the tags read inside the same write transaction.
    public func insert(_ records: [SealedEntryRecord], replacing: Bool) throws(VaultError) -> [InsertDisposition] {
        try write { db in
            let stored = try Row.fetchAll(
                db, sql: "SELECT id, identityTag, duplicateTag FROM entry ORDER BY createdAt, rowid"
            ).compactMap { row -> InsertPlan.Stored? in
                guard let id = Self.column(row, "id", as: String.self),
                    let identity = Self.column(row, "identityTag", as: Data.self),
                    let duplicate = Self.column(row, "duplicateTag", as: Data.self)
                else { return nil }
                return InsertPlan.Stored(id: id, identityTag: [UInt8](identity), duplicateTag: [UInt8](duplicate))
            }
            let plan = InsertPlan(stored: stored, records: records, replacing: replacing)
            for id in plan.deleted { try db.execute(sql: "DELETE FROM entry WHERE id = ?", arguments: [id]) }
            for record in plan.inserted {
                try db.execute(
                    sql: """
                        INSERT INTO entry (id, createdAt, updatedAt, identityTag, duplicateTag, version, sealed)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.id, record.createdAt, record.updatedAt, Data(record.identityTag),
                        Data(record.duplicateTag), record.version, Data(record.sealed),
                    ])
            }
            return plan.dispositions
        }
    }

    public func update<T: Sendable>(
        id: String, _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T {
        try write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT rowid, * FROM entry WHERE id = ?", arguments: [id]) else {
                throw VaultError.noSuchEntry(id: id)
            }
            let (updated, result) = try transform(Self.entry(row))
            try db.execute(
                sql:
                    "UPDATE entry SET updatedAt = ?, identityTag = ?, duplicateTag = ?, version = ?, sealed = ? "
                    + "WHERE id = ?",
                arguments: [
                    updated.updatedAt, Data(updated.identityTag), Data(updated.duplicateTag), updated.version,
                    Data(updated.sealed), id,
                ])
            return result
        }
    }

    /// When this storage wrote, folds the write-ahead log into the vault file and truncates it
    /// (`PRAGMA wal_checkpoint(TRUNCATE)`); then closes every connection. After a command, `cp vault.sqlite` copies
    /// a whole vault.
    public func close() throws(VaultError) {
        do {
            if wrote.load(ordering: .relaxed) {
                try pool.writeWithoutTransaction { db in
                    _ = try Row.fetchAll(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                }
            }
            try pool.close()
        } catch {
            throw Self.map(error)
        }
        session?.release()
        if let copyFolder { try? FileManager.default.removeItem(at: copyFolder) }
    }

    /// Removes the vault file at `path` (with its `-wal`, `-shm` and `-lock` files) if no process has it open and
    /// it holds no entry: what a run that created a vault and stored nothing does, so that a failed run leaves no
    /// empty vault behind. Decided under the directory lock that opening takes, on what the file holds then: a
    /// vault another process opened meanwhile (and may be writing to), or one with entries, is kept.
    ///
    /// - Returns: Whether the vault was removed.
    public static func discardIfUnused(path: String) throws(VaultError) -> Bool {
        let lock = try DirectoryLock(directory: directory(of: path))
        return try lock.withExclusiveLock { () throws(VaultError) -> Bool in
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
            var removed = false
            let unused = try SessionLock.ifUnused(vault: path) { () throws(VaultError) in
                guard try isEmpty(path: path) else { return }
                for suffix in ["", "-wal", "-shm", "-lock"] { unlink(path + suffix) }
                removed = true
            }
            return unused && removed
        }
    }

    /// Whether the vault file holds no entry (read-only; a file that cannot be read counts as not empty).
    private static func isEmpty(path: String) throws(VaultError) -> Bool {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                guard try db.tableExists("entry") else { return true }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM entry") == 0
            }
        } catch {
            return false
        }
    }

    public func batchParts(tag: [UInt8]) throws(VaultError) -> (size: Int32, parts: Set<Int32>)? {
        let rows = try read { db in
            try Row.fetchAll(db, sql: "SELECT part, size FROM batchPart WHERE batchTag = ?", arguments: [Data(tag)])
        }
        var parts: Set<Int32> = []
        var size: Int32 = 0
        for row in rows {
            guard let part = Self.column(row, "part", as: Int64.self),
                let total = Self.column(row, "size", as: Int64.self),
                let part32 = Int32(exactly: part), let total32 = Int32(exactly: total)
            else { continue }
            parts.insert(part32)
            size = max(size, total32)
        }
        return parts.isEmpty ? nil : (size, parts)
    }

    public func recordBatchParts(tag: [UInt8], size: Int32, parts: Set<Int32>) throws(VaultError) {
        try write { db in
            for part in parts.sorted() {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO batchPart (batchTag, part, size) VALUES (?, ?, ?)",
                    arguments: [Data(tag), Int64(part), Int64(size)])
            }
        }
    }

    /// A consistent copy of the whole vault, taken with SQLite's online backup while other processes may be
    /// writing: a new file (`0600`), never one that exists. The copy is as encrypted as the vault (same key slots).
    ///
    /// - Throws: ``VaultError/alreadyExists(path:)`` when `destination` exists, or a storage error.
    /// A consistent copy in a new file, written whole or not at all (``AtomicFile``): a full disk or a kill never
    /// leaves a partial backup under `destination`.
    public func backup(to destination: String) throws(VaultError) {
        do {
            try AtomicFile.write(to: destination, replace: false) { temporary in
                let target = try DatabaseQueue(path: temporary)
                try pool.backup(to: target)
                try target.close()
            }
        } catch let error as AtomicFileError {
            if case .exists = error { throw .alreadyExists(path: destination) }
            throw .output("the backup: \(error.description) (the vault is unchanged)")
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
