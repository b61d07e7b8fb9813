/// A key slot as stored: the master key wrapped by a key derived from a passphrase.
public struct KeySlotRecord: Sendable, Equatable {
    /// Slot id.
    public var id: String
    /// scrypt salt (32 bytes).
    public var salt: [UInt8]
    /// scrypt cost parameters.
    public var n: UInt64
    public var r: UInt64
    public var p: UInt64
    /// `nonce ‖ AES-256-GCM(master key) ‖ tag`.
    public var wrappedKey: [UInt8]
    /// Unix seconds.
    public var createdAt: Int64

    /// Creates a record.
    public init(id: String, salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, wrappedKey: [UInt8], createdAt: Int64) {
        self.id = id
        self.salt = salt
        self.n = n
        self.r = r
        self.p = p
        self.wrappedKey = wrappedKey
        self.createdAt = createdAt
    }
}

/// An entry as stored: only the id, times and keyed fingerprints are in the clear.
public struct SealedEntryRecord: Sendable, Equatable {
    /// Random id (16 hex digits).
    public var id: String
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds.
    public var updatedAt: Int64
    /// HMAC of issuer and account name under the fingerprint key (finds re-provisioned accounts: conflicts).
    public var identityTag: [UInt8]
    /// HMAC of everything that decides the codes and of issuer and name (finds duplicates).
    public var duplicateTag: [UInt8]
    /// Entry format version, authenticated as associated data.
    public var version: Int
    /// `nonce ‖ AES-256-GCM(account) ‖ tag`.
    public var sealed: [UInt8]
    /// Grows by one with every change of the entry (1 when first sealed). A vault with a binding (a team vault)
    /// authenticates it in the associated data, so a storage serving an older row shows an older revision; a file
    /// vault does not store it (0 when read).
    public var revision: Int64
    /// Set when the stored row itself is unreadable (a missing or mistyped column): the entry is reported as
    /// damaged and never hides the others.
    public var damage: String?

    /// Creates a record.
    public init(
        id: String, createdAt: Int64, updatedAt: Int64, identityTag: [UInt8], duplicateTag: [UInt8], version: Int,
        sealed: [UInt8], revision: Int64 = 0
    ) {
        self.revision = revision
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.identityTag = identityTag
        self.duplicateTag = duplicateTag
        self.version = version
        self.sealed = sealed
    }
}

/// What happened to one candidate of ``VaultStorage/insert(_:replacing:)``.
public enum InsertDisposition: Sendable, Equatable {
    /// Stored.
    case inserted
    /// An entry with the same duplicate tag exists; nothing stored.
    case duplicate(existingID: String)
    /// Entries with the same identity but other codes exist; stored beside them (or replacing them).
    case conflict(existingIDs: [String], replaced: Bool)
    /// With `replacing`: the account was already stored (as `keptID`), and the other entries with its issuer and name
    /// — a device re-created since — were removed.
    case replacedOthers(keptID: String, removed: [String])
}

/// The storage behind a vault: every operation is one whole transaction, so a second backend (PostgreSQL, with the
/// same client-side sealing) is a new type implementing this protocol, not a rewrite. Storage never sees a key, a
/// secret or a name.
public protocol VaultStorage: Sendable {
    /// The key slots (empty for a vault being created).
    func keySlots() throws(VaultError) -> [KeySlotRecord]
    /// Stores the first key slot unless one exists; returns the slots present after the transaction (so two
    /// processes creating one vault at once agree on a single master key). Throws ``VaultError/damaged(_:)`` when
    /// there is no slot but there are entries: a new master key would make them unreadable for good.
    func createSlotIfEmpty(_ slot: KeySlotRecord) throws(VaultError) -> [KeySlotRecord]
    /// Replaces every key slot in one transaction (passphrase change).
    func replaceSlots(_ slots: [KeySlotRecord]) throws(VaultError)
    /// Every entry, oldest first.
    func entries() throws(VaultError) -> [SealedEntryRecord]
    /// Inserts entries in one transaction, skipping duplicates (same `duplicateTag`) and reporting conflicts
    /// (same `identityTag`, other codes); with `replacing`, conflicting entries are deleted in the same transaction.
    func insert(_ records: [SealedEntryRecord], replacing: Bool) throws(VaultError) -> [InsertDisposition]
    /// Reads one entry, lets `transform` rewrite it, and writes the result, in one transaction (HOTP counters
    /// advance here, so two processes never get the same counter value).
    func update<T: Sendable>(
        id: String, _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T
    /// The parts of a Google transfer batch (by keyed fingerprint of its id) already imported, and its size.
    func batchParts(tag: [UInt8]) throws(VaultError) -> (size: Int32, parts: Set<Int32>)?
    /// Remembers that these parts of a batch are imported (one transaction).
    func recordBatchParts(tag: [UInt8], size: Int32, parts: Set<Int32>) throws(VaultError)
    /// Deletes entries by id in one transaction; returns how many were deleted.
    func delete(ids: [String]) throws(VaultError) -> Int
    /// Appends to the vault's log of who did what (a team vault's accountability); storages without a log ignore it.
    func audit(_ events: [VaultAuditEvent]) throws(VaultError)
    /// ``update(id:_:)`` that also appends `event` to the log in the same transaction (a code taken is logged if and
    /// only if its counter or step moved).
    func update<T: Sendable>(
        id: String, audit event: VaultAuditEvent,
        _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T
    /// Releases the backend (for SQLite: closes every connection, which folds the write-ahead log back into the
    /// vault file). Further calls fail.
    func close() throws(VaultError)
    /// Told which entries of the last ``entries()`` opened, with their (then authenticated) revisions: a team
    /// vault's client remembers the highest revision it has seen of each, to refuse an older row later. Storages
    /// that keep no such memory ignore it.
    func entriesOpened(_ revisions: [(id: String, revision: Int64)])
}

extension VaultStorage {
    /// Ignored by default.
    public func entriesOpened(_ revisions: [(id: String, revision: Int64)]) {}
}

/// One line of a vault's log: what was done, to which entry. Names are never in it (entries are named by id), so a
/// log a database administrator reads tells counts and times only.
public struct VaultAuditEvent: Sendable, Equatable {
    /// `code`, `export`, `import`, `edit`, `remove`, …
    public var action: String
    /// The entry, when there is one.
    public var entryID: String?
    /// A detail without secrets or names (`"hotp 2"`, `"once"`, `"3 accounts"`).
    public var detail: String?

    /// Creates an event.
    public init(action: String, entryID: String? = nil, detail: String? = nil) {
        self.action = action
        self.entryID = entryID
        self.detail = detail
    }
}

extension VaultStorage {
    /// Storages without a log ignore events.
    public func audit(_ events: [VaultAuditEvent]) throws(VaultError) {}

    /// Storages without a log update without one.
    public func update<T: Sendable>(
        id: String, audit event: VaultAuditEvent,
        _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T {
        try update(id: id, transform)
    }
}
