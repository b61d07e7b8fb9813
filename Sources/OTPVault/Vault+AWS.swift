import Foundation
import OTPCore
public import OTPCrypto

/// What an AWS device's life keeps in its entry, sealed with it: that the device was retired, and the session
/// credentials `otp aws session` got, so that repeated calls inside their lifetime burn no code.
extension Vault {
    /// Marks an entry retired (its device was deactivated and deleted): kept until `otp remove`.
    public func retire(id: String) throws(VaultError) {
        let now = Int64(Date().timeIntervalSince1970)
        try storage.update(id: id, audit: VaultAuditEvent(action: "edit", entryID: id, detail: "retired")) {
            (record) throws(VaultError) -> (SealedEntryRecord, Void) in
            guard case .success((var account, let state)) = self.openWithState(record) else {
                throw VaultError.damaged("entry \(id) does not open")
            }
            account.retired = true
            var cleared = state
            cleared.sessionCache = nil
            return (try self.reseal(record, account: account, state: cleared, now: now), ())
        }
    }

    /// The cached session of an entry (its bytes as stored), or `nil`.
    public func sessionCache(id: String) throws(VaultError) -> SecureBytes? {
        guard let record = try storage.entries().first(where: { $0.id == id }) else { throw .noSuchEntry(id: id) }
        guard case .success((_, let state)) = openWithState(record) else {
            throw VaultError.damaged("entry \(id) does not open")
        }
        return state.sessionCache
    }

    /// Stores (or, with `nil`, drops) an entry's cached session, in one transaction.
    public func storeSessionCache(id: String, _ cache: SecureBytes?) throws(VaultError) {
        let now = Int64(Date().timeIntervalSince1970)
        try storage.update(id: id, audit: VaultAuditEvent(action: "code", entryID: id, detail: "aws session")) {
            (record) throws(VaultError) -> (SealedEntryRecord, Void) in
            guard case .success((let account, let state)) = self.openWithState(record) else {
                throw VaultError.damaged("entry \(id) does not open")
            }
            var updated = state
            updated.sessionCache = cache.flatMap { $0.count <= AccountCodec.maximumSessionCache ? $0 : nil }
            return (try self.reseal(record, account: account, state: updated, now: now), ())
        }
    }
}
