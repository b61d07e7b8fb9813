import Foundation
public import OTPCore
public import OTPImport

/// Which source files an import may shred: the files every account of which the vault now holds (imported,
/// a duplicate of an entry already there, or a conflict stored beside or instead of another), judged on the path
/// each item was read from. A file with any failed or unreadable item, an SQLite database with side files, stdin,
/// URI arguments and vaults are kept.
public struct ShredDecision: Sendable {
    /// Files to shred, in the order they were read.
    public var shred: [String] = []
    /// Files kept, in the order they were read, and why.
    public var keep: [(path: String, reason: String)] = []

    /// Whether an SQLite database has a write-ahead log, shared memory or rollback journal beside it: such a
    /// database is never shredded (the side file may hold what the app committed last, and a copy of its secrets).
    static func hasSideFiles(_ path: String) -> Bool {
        ["-wal", "-shm", "-journal"].contains { FileManager.default.fileExists(atPath: path + $0) }
    }

    /// Decides from the items read and the report of what was committed.
    public init(items: [CheckedItem], report: ImportReport) {
        let committed = Set((report.imported + report.duplicates + report.conflicts).map(\.source))
        let failed = Set(report.failed.map(\.source))
        var order: [String] = []
        var good: [String: Bool] = [:]
        for item in items {
            guard let path = item.path else { continue }
            if good[path] == nil { order.append(path) }
            let ok = item.check.account != nil && committed.contains(item.source) && !failed.contains(item.source)
            good[path] = (good[path] ?? true) && ok
        }
        for path in order {
            if good[path] != true {
                keep.append((path, "something in it was not imported"))
            } else if Self.hasSideFiles(path) {
                keep.append((path, "an SQLite database with a -wal, -shm or -journal file beside it"))
            } else {
                shred.append(path)
            }
        }
    }
}
