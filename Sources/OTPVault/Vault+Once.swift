import Foundation
import OTPCore
import OTPCrypto

/// What ``Vault/takeOnce(id:at:count:)`` gave.
public enum OnceOutcome: Sendable {
    /// Codes never handed out before with `--once`; the vault now remembers their steps.
    case codes(EntryCodes)
    /// The step at `time` (or a later one asked for) was already handed out: codes are available again from
    /// `availableAt` (Unix seconds), the start of the first step not yet handed out.
    case alreadyTaken(availableAt: Int64)
}

extension Vault {
    /// TOTP codes that no `--once` request has had before: in one transaction, reads the last step handed out for
    /// the entry, and, when the step at `time` is later, hands out `count` consecutive codes and remembers their
    /// last step. Safe across processes (the storage serialises the transaction): eight processes asking within one
    /// 30-second step get codes of eight different steps, never the same code twice — AWS refuses a code reused
    /// within its step.
    ///
    /// - Throws: ``VaultError/noSuchEntry(id:)``, or ``VaultError/damaged(_:)`` for an entry that does not open or
    ///   is not TOTP.
    public func takeOnce(id: String, at time: Int64, count: Int) throws(VaultError) -> OnceOutcome {
        let now = Int64(Date().timeIntervalSince1970)
        return try storage.update(id: id, audit: VaultAuditEvent(action: "code", entryID: id, detail: "once")) {
            (record: SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, OnceOutcome) in
            guard case .success(let opened) = self.openWithState(record), opened.account.kind == .totp else {
                throw VaultError.damaged("entry \(id) is not a TOTP account that opens (--once is for TOTP codes)")
            }
            let account = opened.account
            let state = opened.state
            let period = Int64(max(account.period, 1))
            let step = UInt64(max(time, 0) / period)
            if let last = state.lastOnceStep, step <= last {
                let (next, overflow) = last.addingReportingOverflow(1)
                let available = overflow || next > UInt64(Int64.max) / UInt64(period) ? Int64.max : Int64(next) * period
                return (record, .alreadyTaken(availableAt: available))
            }
            let codes: [OTPCode]
            do throws(CryptoError) {
                codes = try OTPGenerator(account: account).totp(at: time, count: max(count, 1))
            } catch {
                throw VaultError.crypto(error)
            }
            var updated = state
            updated.lastOnceStep = step + UInt64(max(codes.count, 1) - 1)
            let sealed = try self.reseal(record, account: account, state: updated, now: now)
            return (sealed, .codes(EntryCodes(id: id, account: account, codes: codes)))
        }
    }
}
