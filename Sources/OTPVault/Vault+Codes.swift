public import OTPCore

/// Codes of one vault entry, as ``Vault/codes(for:at:count:)`` made them.
public struct EntryCodes: Sendable {
    /// The entry id.
    public let id: String
    /// The account; for HOTP, as it was when the codes were taken (its counter is the first code's).
    public let account: OTPAccount
    /// Consecutive codes: TOTP periods from the requested time, or HOTP counter values.
    public let codes: [OTPCode]
}

/// What ``Vault/codes(for:at:count:)`` produced.
public struct CodesReport: Sendable {
    /// The codes, in vault order.
    public var codes: [EntryCodes] = []
    /// Selected entries that are damaged (they never hide the others).
    public var damaged: [(id: String, damage: VaultEntryDamage)] = []
    /// HOTP accounts left out because the query selected every account: an HOTP code is taken only when its account
    /// is asked for, since taking one moves the counter toward the server's look-ahead limit.
    public var skippedHOTP: [String] = []
}

extension Vault {
    /// The codes of the accounts `query` selects: TOTP and Steam codes for `time`, and for HOTP accounts the next
    /// counter values, taken in one transaction that advances the stored counter — no caller can take an HOTP
    /// code without advancing it, and concurrent callers never get the same counter value.
    ///
    /// With ``VaultQuery/all`` HOTP accounts are skipped (listed in ``CodesReport/skippedHOTP``).
    ///
    /// - Parameters:
    ///   - query: Which accounts.
    ///   - time: Unix seconds for TOTP.
    ///   - count: How many consecutive codes (1 or more).
    /// - Throws: ``VaultQueryError/noMatch(_:)`` (wrapped as ``VaultCodesError/query(_:)``) when nothing matches,
    ///   or a ``VaultError``.
    public func codes(for query: VaultQuery, at time: Int64, count: Int) throws(VaultCodesError) -> CodesReport {
        let selected: [VaultEntry]
        do {
            selected = query.select(try entries())
        } catch {
            throw .vault(error)
        }
        if selected.isEmpty { throw .query(.noMatch(query)) }
        var report = CodesReport()
        let everything = query.selectsEverything
        // HOTP codes are logged in their counter's transaction; TOTP codes below, before any is handed out (a team
        // vault whose log cannot be written gives no code).
        var taken: [VaultAuditEvent] = []
        for entry in selected {
            switch entry.account {
            case .failure(let damage):
                report.damaged.append((entry.id, damage))
            case .success(let account) where everything && account.retired:
                // A retired device's account (otp aws rotate): only when asked for by name.
                continue
            case .success(let account) where account.kind == .hotp:
                if everything {
                    report.skippedHOTP.append(entry.id)
                    continue
                }
                do {
                    let (used, codes) = try nextHOTPCodes(id: entry.id, count: count)
                    report.codes.append(EntryCodes(id: entry.id, account: used, codes: codes))
                } catch {
                    throw .vault(error)
                }
            case .success(let account):
                do {
                    let codes = try OTPGenerator(account: account).codes(at: time, count: count)
                    report.codes.append(EntryCodes(id: entry.id, account: account, codes: codes))
                    taken.append(VaultAuditEvent(action: "code", entryID: entry.id, detail: "totp \(count)"))
                } catch {
                    throw .vault(.crypto(error))
                }
            }
        }
        if !taken.isEmpty {
            do {
                try storage.audit(taken)
            } catch {
                throw .vault(error)
            }
        }
        return report
    }
}

/// Why ``Vault/codes(for:at:count:)`` gave no codes.
public enum VaultCodesError: Error, Sendable, CustomStringConvertible {
    /// The query selected nothing.
    case query(VaultQueryError)
    /// The vault failed.
    case vault(VaultError)

    public var description: String {
        switch self {
        case .query(let error): error.description
        case .vault(let error): error.description
        }
    }
}
