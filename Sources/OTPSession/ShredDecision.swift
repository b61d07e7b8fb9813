public import OTPCore
public import OTPImport

/// Which source files an import may shred: the files every account of which the vault now holds (imported,
/// a duplicate of an entry already there, or a conflict stored beside or instead of another), judged on the path
/// each item was read from. A file with any failed or unreadable item, stdin, URI arguments and vaults are kept.
public struct ShredDecision: Sendable, Equatable {
    /// Files to shred, in the order they were read.
    public var shred: [String] = []
    /// Files to keep because something in them was not committed, in the order they were read.
    public var keep: [String] = []

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
            if good[path] == true { shred.append(path) } else { keep.append(path) }
        }
    }
}
