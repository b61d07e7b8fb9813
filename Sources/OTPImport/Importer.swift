public import OTPCore
public import OTPVault

/// The outcome of an import run: every input accounted for.
public struct ImportReport: Sendable {
    /// An account with where it came from and its vault id.
    public struct Item: Sendable {
        public let source: String
        public let id: String
        public let account: OTPAccount
        /// For conflicts: the entries with the same issuer and name and other codes.
        public let conflictsWith: [String]
        /// For conflicts: whether those entries were replaced.
        public let replaced: Bool
    }

    /// An input, payload or account that was not imported.
    public struct Failure: Sendable {
        public let source: String
        /// The contract's error code (`not-png`, `no-code`, `not-provisioning`, `incomplete-batch`, a diagnostic's code).
        public let code: String
        public let message: String
    }

    /// A warning about an imported account (weak secret, issuer mismatch, …).
    public struct Warning: Sendable {
        public let source: String
        public let diagnostic: Diagnostic
    }

    public var imported: [Item] = []
    public var duplicates: [Item] = []
    public var conflicts: [Item] = []
    public var failed: [Failure] = []
    public var warnings: [Warning] = []
}

/// Inputs → checked accounts → one vault transaction, with Google Authenticator batches imported all or nothing.
public enum Importer {
    /// The accounts of a run that may be imported, and what may not.
    public struct Plan: Sendable {
        /// What commits together: one input, or one whole transfer batch (whose parts may come from several inputs).
        public enum Group: Hashable, Sendable {
            case input(Int)
            case batch(Int32)
        }

        /// Accounts to import, with their source and their transaction group.
        public var accepted: [(source: String, account: OTPAccount, group: Group)] = []
        public var failed: [ImportReport.Failure] = []
        public var warnings: [ImportReport.Warning] = []
    }

    /// Sorts checked items into importable accounts and failures.
    ///
    /// Migration parts are grouped by batch id across all inputs; a batch missing any index `0..<size` contributes
    /// nothing (each of its present accounts fails with `incomplete-batch`, naming the missing parts) unless
    /// `allowIncomplete`. A part seen twice (the same QR code scanned twice) counts once.
    public static func plan(_ items: [CheckedItem], allowIncomplete: Bool = false) -> Plan {
        var plan = Plan()
        var parts: [Int32: (size: Int32, indices: Set<Int32>)] = [:]
        for item in items {
            guard let batch = item.batch else { continue }
            var part = parts[batch.id] ?? (batch.size, [])
            part.indices.insert(batch.index)
            part.size = max(part.size, batch.size)
            parts[batch.id] = part
        }
        var missing: [Int32: [Int32]] = [:]
        for (id, info) in parts {
            let absent = (0..<max(info.size, 1)).filter { !info.indices.contains($0) }
            if !absent.isEmpty { missing[id] = absent }
        }
        if allowIncomplete {
            for (id, absent) in missing.sorted(by: { $0.key < $1.key }) {
                let size = max(parts[id]?.size ?? 1, 1)
                let names = absent.map { "part \($0 + 1) of \(size)" }.joined(separator: ", ")
                let source = items.first { $0.batch?.id == id }?.source ?? "export batch \(id)"
                plan.warnings.append(
                    .init(
                        source: source,
                        diagnostic: Diagnostic(
                            .warning, .uri, "incomplete-batch", "export batch \(id): \(names) missing; the parts present were imported")))
            }
        }
        var seenAccounts: Set<[Int]> = []
        for item in items {
            if let batch = item.batch {
                if let absent = missing[batch.id], !allowIncomplete {
                    let names = absent.map { "part \($0 + 1) of \(max(batch.size, 1))" }.joined(separator: ", ")
                    plan.failed.append(
                        .init(
                            source: item.source, code: "incomplete-batch",
                            message: "export batch \(batch.id): \(names) missing; nothing of this batch was imported (--allow-incomplete imports the parts present)"))
                    continue
                }
                // The same part read twice (two screenshots of one QR code): keep its first reading only.
                if !seenAccounts.insert([Int(batch.id), Int(batch.index), batch.account]).inserted { continue }
            }
            guard let account = item.check.account else {
                let error = item.check.diagnostics.first { $0.severity == .error }
                let message = item.check.diagnostics.filter { $0.severity == .error }.map(\.message).joined(separator: "; ")
                plan.failed.append(.init(source: item.source, code: error?.code ?? "not-provisioning", message: message))
                continue
            }
            plan.accepted.append((item.source, account, item.batch.map { .batch($0.id) } ?? .input(item.input)))
            for diagnostic in item.check.diagnostics where diagnostic.severity == .warning {
                plan.warnings.append(.init(source: item.source, diagnostic: diagnostic))
            }
        }
        return plan
    }

    /// What a dry run reports when there is no vault yet: every account would be imported, except repeats within
    /// the run (duplicates of an earlier input). Ids are empty: nothing has one yet.
    public static func dryRunWithoutVault(_ plan: Plan) -> ImportReport {
        var report = ImportReport(failed: plan.failed, warnings: plan.warnings)
        // Keyed fingerprints under a throwaway key: a hash set instead of comparing every pair (30 000 URIs took
        // 36 s when each account was compared with all earlier ones).
        var seen: Set<[UInt8]> = []
        let fingerprinter = try? AccountFingerprinter.ephemeral()
        for (source, account, _) in plan.accepted {
            let item = ImportReport.Item(source: source, id: "", account: account, conflictsWith: [], replaced: false)
            let key = fingerprinter?.duplicate(of: account) ?? []
            if !key.isEmpty, !seen.insert(key).inserted {
                report.duplicates.append(item)
            } else {
                report.imported.append(item)
            }
        }
        return report
    }

    /// Writes a plan's accounts to the vault, one transaction per input (a transfer batch is one transaction), so
    /// a run killed midway leaves whole inputs only; with `dryRun` it reports what would happen and writes nothing.
    ///
    /// - Parameter committed: Called after each transaction commits, with the number committed so far and the total.
    public static func run(
        _ plan: Plan, into vault: Vault, replacing: Bool = false, dryRun: Bool = false,
        committed: ((Int, Int) -> Void)? = nil
    ) throws(VaultError) -> ImportReport {
        var report = ImportReport(failed: plan.failed, warnings: plan.warnings)
        var order: [Plan.Group] = []
        var groups: [Plan.Group: [(source: String, account: OTPAccount, group: Plan.Group)]] = [:]
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
            let results = try vault.add(members.map(\.account), replacing: replacing, dryRun: dryRun)
            pairs += zip(members.map(\.source), results)
            if !dryRun { committed?(done + 1, order.count) }
        }
        for (source, result) in pairs {
            switch result.disposition {
            case .inserted:
                report.imported.append(.init(source: source, id: result.id, account: result.account, conflictsWith: [], replaced: false))
            case .duplicate(let existing):
                report.duplicates.append(.init(source: source, id: existing, account: result.account, conflictsWith: [], replaced: false))
            case .conflict(let existing, let replaced):
                report.conflicts.append(
                    .init(source: source, id: result.id, account: result.account, conflictsWith: existing, replaced: replaced))
            }
        }
        return report
    }
}
