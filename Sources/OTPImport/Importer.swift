public import OTPCore

/// Inputs → checked accounts → an ``OTPCore/ImportPlan`` (Google Authenticator batches all or nothing). Writing a
/// plan into a vault is the vault's job (`Vault.commit(_:replacing:dryRun:committed:)` in OTPVault): this module
/// reads and plans without a vault.
public enum Importer {
    /// The plan type (``OTPCore/ImportPlan``), named where it is made.
    public typealias Plan = ImportPlan

    /// Sorts checked items into importable accounts and failures.
    ///
    /// Migration parts are grouped by batch id across all inputs; a batch missing any index `0..<size` contributes
    /// nothing (each of its present accounts fails with `incomplete-batch`, naming the missing parts) unless
    /// `allowIncomplete`. A part seen twice (the same QR code scanned twice) counts once.
    ///
    /// - Parameter imported: The parts of each batch the vault already holds (from earlier runs): they count as
    ///   present, so a batch completed over several runs is imported.
    public static func plan(
        _ items: [CheckedItem], allowIncomplete: Bool = false, imported: [Int32: Set<Int32>] = [:]
    ) -> Plan {
        var plan = Plan()
        let (parts, missing) = batchParts(items, imported: imported)
        for (id, info) in parts { plan.batchParts[id] = (info.size, info.indices.subtracting(imported[id] ?? [])) }
        if allowIncomplete {
            for (id, absent) in missing.sorted(by: { $0.key < $1.key }) {
                let size = max(parts[id]?.size ?? 1, 1)
                let names = absent.map { "part \($0 + 1) of \(size)" }.joined(separator: ", ")
                let source = items.first { $0.batch?.id == id }?.source ?? "export batch \(id)"
                plan.warnings.append(
                    .init(
                        source: source,
                        diagnostic: Diagnostic(
                            .warning, .uri, .incompleteBatch,
                            "export batch \(id): \(names) missing; the parts present were imported (the vault "
                                + "remembers them: import the rest later)")))
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
                            message:
                                "export batch \(batch.id): \(names) missing; nothing of this batch was imported "
                                + "(--allow-incomplete imports the parts present)"
                        ))
                    continue
                }
                // The same part read twice (two screenshots of one QR code): keep its first reading only.
                if !seenAccounts.insert([Int(batch.id), Int(batch.index), batch.account]).inserted { continue }
            }
            guard let account = item.check.account else {
                let error = item.check.diagnostics.first { $0.severity == .error }
                let message = item.check.diagnostics.filter { $0.severity == .error }.map(\.message).joined(
                    separator: "; ")
                plan.failed.append(
                    .init(source: item.source, code: error?.code.rawValue ?? "not-provisioning", message: message))
                continue
            }
            plan.accepted.append((item.source, account, item.batch.map { .batch($0.id) } ?? .input(item.input)))
            for diagnostic in item.check.diagnostics where diagnostic.severity == .warning {
                plan.warnings.append(.init(source: item.source, diagnostic: diagnostic))
            }
        }
        return plan
    }

    /// The parts of each Google transfer batch among `items`, and the indices each incomplete batch misses.
    public static func batchParts(
        _ items: [CheckedItem], imported: [Int32: Set<Int32>] = [:]
    ) -> (parts: [Int32: (size: Int32, indices: Set<Int32>)], missing: [Int32: [Int32]]) {
        var parts: [Int32: (size: Int32, indices: Set<Int32>)] = [:]
        for item in items {
            guard let batch = item.batch else { continue }
            var part = parts[batch.id] ?? (batch.size, imported[batch.id] ?? [])
            part.indices.insert(batch.index)
            part.size = max(part.size, batch.size)
            parts[batch.id] = part
        }
        var missing: [Int32: [Int32]] = [:]
        for (id, info) in parts {
            let absent = (0..<max(info.size, 1)).filter { !info.indices.contains($0) }
            if !absent.isEmpty { missing[id] = absent }
        }
        return (parts, missing)
    }

    /// Items with a warning on every account of an incomplete batch naming the missing parts (`otp check`).
    public static func warningIncompleteBatches(_ items: [CheckedItem]) -> [CheckedItem] {
        let missing = batchParts(items).missing
        return items.map { item in
            guard let batch = item.batch, let absent = missing[batch.id] else { return item }
            let names = absent.map { "part \($0 + 1) of \(max(batch.size, 1))" }.joined(separator: ", ")
            let warning = Diagnostic(
                .warning, .uri, .incompleteBatch, "export batch \(batch.id): \(names) missing (import needs them all)")
            let check = URICheck(
                account: item.check.account, diagnostics: item.check.diagnostics + [warning], issuer: item.check.issuer,
                name: item.check.name)
            return item.with(check)
        }
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

}
