public import OTPCore
import OTPCrypto

extension Vault {
    /// The keyed fingerprint of a transfer batch id (the id itself is not stored).
    func batchTag(_ id: Int32) throws(VaultError) -> [UInt8] {
        do throws(CryptoError) {
            let hmac = try HMACContext(key: batchKey, algorithm: .sha256)
            return withUnsafeBytes(of: id.bigEndian) { hmac.authenticationCode(for: $0) }
        } catch {
            throw .crypto(error)
        }
    }

    /// The parts of these transfer batches that earlier runs imported.
    public func importedBatchParts(_ ids: some Sequence<Int32>) throws(VaultError) -> [Int32: Set<Int32>] {
        var known: [Int32: Set<Int32>] = [:]
        for id in Set(ids) {
            if let stored = try storage.batchParts(tag: try batchTag(id)) { known[id] = stored.parts }
        }
        return known
    }

    /// Writes a plan's accounts to the vault, one transaction per input (a transfer batch is one transaction), so
    /// a run killed midway leaves whole inputs only; with `dryRun` it reports what would happen and writes nothing.
    ///
    /// - Parameter committed: Called after each transaction commits, with the number committed so far and the total.
    public func commit(
        _ plan: ImportPlan, replacing: Bool = false, dryRun: Bool = false,
        committed: ((Int, Int) -> Void)? = nil
    ) throws(VaultError) -> ImportReport {
        var report = ImportReport(failed: plan.failed, warnings: plan.warnings)
        var order: [ImportPlan.Group] = []
        var groups: [ImportPlan.Group: [(source: String, account: OTPAccount, group: ImportPlan.Group)]] = [:]
        for entry in plan.accepted {
            if groups[entry.group] == nil { order.append(entry.group) }
            groups[entry.group, default: []].append(entry)
        }
        var pairs: [(String, AddResult)] = []
        if dryRun {
            // Nothing commits, so there are no transactions to keep apart: one pass over the vault's entries for
            // the whole run (once per input would read every entry once per input: quadratic).
            let all = order.flatMap { groups[$0] ?? [] }
            order = all.isEmpty ? [] : [.input(-1)]
            groups = [.input(-1): all]
        }
        for (done, key) in order.enumerated() {
            let members = groups[key] ?? []
            let results = try add(members.map(\.account), replacing: replacing, dryRun: dryRun)
            if !dryRun, case .batch(let id) = key, let parts = plan.batchParts[id] {
                try storage.recordBatchParts(tag: try batchTag(id), size: parts.size, parts: parts.parts)
            }
            pairs += zip(members.map(\.source), results)
            if !dryRun { committed?(done + 1, order.count) }
        }
        for (source, result) in pairs {
            switch result.disposition {
            case .inserted:
                report.imported.append(
                    .init(source: source, id: result.id, account: result.account, conflictsWith: [], replaced: false))
            case .replacedOthers(let kept, let removed):
                // Already stored; the older secrets under its name were removed (--replace).
                report.duplicates.append(
                    .init(source: source, id: kept, account: result.account, conflictsWith: removed, replaced: true))
            case .duplicate(let existing):
                report.duplicates.append(
                    .init(source: source, id: existing, account: result.account, conflictsWith: [], replaced: false))
            case .conflict(let existing, let replaced):
                report.conflicts.append(
                    .init(
                        source: source, id: result.id, account: result.account, conflictsWith: existing,
                        replaced: replaced))
            }
        }
        return report
    }
}
