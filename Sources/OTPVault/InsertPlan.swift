/// The one duplicate / conflict / replace decision, a pure function of the entries stored and the batch: every
/// storage (SQLite, PostgreSQL) and the dry run apply it, so they cannot disagree. Tags are keyed fingerprints
/// (``SealedEntryRecord/duplicateTag`` finds the same account, ``SealedEntryRecord/identityTag`` the same issuer
/// and name); the decision reads nothing else.
///
/// Batch order matters as row-by-row inserts would make it: a later account of the batch sees the earlier ones,
/// and with `replacing` may replace one of them.
public struct InsertPlan: Sendable, Equatable {
    /// The tags of an entry already stored.
    public struct Stored: Sendable, Equatable {
        public let id: String
        public let identityTag: [UInt8]
        public let duplicateTag: [UInt8]

        public init(id: String, identityTag: [UInt8], duplicateTag: [UInt8]) {
            self.id = id
            self.identityTag = identityTag
            self.duplicateTag = duplicateTag
        }
    }

    /// One disposition per record of the batch, in order.
    public private(set) var dispositions: [InsertDisposition] = []
    /// The records to insert, in batch order.
    public private(set) var inserted: [SealedEntryRecord] = []
    /// Ids of stored entries to delete (replaced), sorted.
    public private(set) var deleted: [String] = []

    /// Decides, for `records` against `stored` (oldest first).
    public init(stored: [Stored], records: [SealedEntryRecord], replacing: Bool) {
        var byDuplicate: [[UInt8]: [String]] = [:]
        var byIdentity: [[UInt8]: [String]] = [:]
        for entry in stored {
            byDuplicate[entry.duplicateTag, default: []].append(entry.id)
            byIdentity[entry.identityTag, default: []].append(entry.id)
        }
        var gone: Set<String> = []
        var batch: [SealedEntryRecord] = []
        func live(_ ids: [String]?) -> [String] { (ids ?? []).filter { !gone.contains($0) } }
        for record in records {
            if let existing = live(byDuplicate[record.duplicateTag]).first {
                let stale = replacing ? live(byIdentity[record.identityTag]).filter { $0 != existing } : []
                if stale.isEmpty {
                    dispositions.append(.duplicate(existingID: existing))
                } else {
                    gone.formUnion(stale)
                    dispositions.append(.replacedOthers(keptID: existing, removed: stale))
                }
                continue
            }
            let conflicting = live(byIdentity[record.identityTag])
            if replacing { gone.formUnion(conflicting) }
            batch.append(record)
            byDuplicate[record.duplicateTag, default: []].append(record.id)
            byIdentity[record.identityTag, default: []].append(record.id)
            dispositions.append(
                conflicting.isEmpty ? .inserted : .conflict(existingIDs: conflicting, replaced: replacing))
        }
        // A record of this batch replaced by a later one is never written; stored ones are deleted.
        let batchIDs = Set(batch.map(\.id))
        inserted = batch.filter { !gone.contains($0.id) }
        deleted = gone.subtracting(batchIDs).sorted()
    }
}
