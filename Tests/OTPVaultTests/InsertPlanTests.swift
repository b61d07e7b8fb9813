import OTPVault
import Testing

/// The one insert decision (issue 23) against a reference model written the way the SQLite storage used to decide,
/// row by row with a statement per lookup: the same dispositions and the same stored entries, in the same order,
/// for seeded random batches of repeated, re-provisioned and replaced accounts.
@Suite struct InsertPlanTests {
    /// A stored entry in the reference model: id, identity tag, duplicate tag.
    typealias Row = (id: String, identity: [UInt8], duplicate: [UInt8])

    /// The row-by-row decision (the SQLite storage's before the plan existed).
    static func reference(
        _ table: inout [Row], _ records: [SealedEntryRecord], replacing: Bool
    )
        -> [InsertDisposition]
    {
        var dispositions: [InsertDisposition] = []
        for record in records {
            if let existing = table.first(where: { $0.duplicate == record.duplicateTag })?.id {
                let stale =
                    replacing ? table.filter { $0.identity == record.identityTag && $0.id != existing }.map(\.id) : []
                if stale.isEmpty {
                    dispositions.append(.duplicate(existingID: existing))
                } else {
                    table.removeAll { stale.contains($0.id) }
                    dispositions.append(.replacedOthers(keptID: existing, removed: stale))
                }
                continue
            }
            let conflicting = table.filter { $0.identity == record.identityTag }.map(\.id)
            if replacing { table.removeAll { $0.identity == record.identityTag } }
            table.append((record.id, record.identityTag, record.duplicateTag))
            dispositions.append(
                conflicting.isEmpty ? .inserted : .conflict(existingIDs: conflicting, replaced: replacing))
        }
        return dispositions
    }

    @Test func theOneDecisionMatchesTheRowByRowOne() {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("theOneDecisionMatchesTheRowByRowOne seed \(seed)")
        var random = SplitMix(seed)
        var table: [Row] = []
        var stored: [InsertPlan.Stored] = []
        var next = 0
        for round in 0..<400 {
            let records = (0..<Int(random.next() % 6 + 1)).map { _ -> SealedEntryRecord in
                next += 1
                let identity = [UInt8(random.next() % 3)]
                return SealedEntryRecord(
                    id: "e\(next)", createdAt: 0, updatedAt: 0, identityTag: identity,
                    duplicateTag: identity + [UInt8(random.next() % 3)], version: 1, sealed: [])
            }
            let replacing = random.next() % 3 == 0
            let plan = InsertPlan(stored: stored, records: records, replacing: replacing)
            let expected = Self.reference(&table, records, replacing: replacing)
            #expect(plan.dispositions == expected, "seed \(seed), round \(round)")
            // Apply the plan as a storage does: delete, then insert in batch order.
            stored.removeAll { plan.deleted.contains($0.id) }
            stored += plan.inserted.map {
                InsertPlan.Stored(id: $0.id, identityTag: $0.identityTag, duplicateTag: $0.duplicateTag)
            }
            #expect(stored.map(\.id) == table.map(\.id), "seed \(seed), round \(round)")
        }
    }

    /// SplitMix64 (the test targets' generator; this target does not link TestSupport).
    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
