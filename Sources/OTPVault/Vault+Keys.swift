import Foundation
public import OTPCrypto

extension Vault {
    /// A vault over a storage whose key is kept elsewhere: a team vault's key, unwrapped by a member's private key.
    /// The key is the vault's master key (32 bytes); entry, fingerprint and batch keys are derived from it as in a
    /// file vault.
    ///
    /// - Throws: ``VaultError/crypto(_:)`` for a key that is not 32 bytes.
    ///
    /// - Parameter binding: Authenticated with every entry, with the entry's revision (a team vault passes its team
    ///   and key epoch, so a row from another epoch, or an older revision of a row, does not pass as the current one).
    public static func unlocked(
        storage: any VaultStorage, masterKey: SecureBytes, binding: String? = nil
    ) throws(VaultError) -> Vault {
        guard masterKey.count == 32 else {
            throw .crypto(CryptoError(operation: "vault key", reason: "a vault key must be 32 bytes"))
        }
        return try Vault(storage: storage, masterKey: masterKey, binding: binding)
    }

    /// This vault's private X25519 key for one team (its id in `context`): derived from the master key, so it lives
    /// in this vault and needs no storage, opens with the vault's passphrase, and differs for every team (no two
    /// teams see the same public key). A passphrase change keeps it; only a new vault makes a new one.
    public func memberPrivateKey(context: String) throws(VaultError) -> SecureBytes {
        do {
            return try KeyDerivation.hkdf(key: masterKey, info: Array("otp team member key v1:\(context)".utf8))
        } catch {
            throw .crypto(error)
        }
    }

    /// `records` (this vault's entries, read in the caller's transaction) re-sealed under `newMasterKey` (new
    /// fingerprints too), ids, times, HOTP counters and `--once` steps kept: what a key rotation writes in the same
    /// transaction. Refuses when an entry does not open, since re-keying would lose it for good.
    public func resealed(
        _ entries: [SealedEntryRecord], under newMasterKey: SecureBytes, binding newBinding: String? = nil
    ) throws(VaultError) -> [SealedEntryRecord] {
        let target = try Vault.unlocked(storage: storage, masterKey: newMasterKey, binding: newBinding)
        var records: [SealedEntryRecord] = []
        for record in entries {
            guard case .success(let (account, state)) = openWithState(record) else {
                throw .damaged("entry \(record.id) does not open; nothing was re-keyed (remove it first)")
            }
            records.append(try target.reseal(record, account: account, state: state, now: record.updatedAt))
        }
        return records
    }

    /// Copies every entry of `source` into this vault, re-sealed under this vault's key, HOTP counters and `--once`
    /// steps kept, in one transaction. Duplicates already here are skipped; damaged source entries are reported and
    /// not copied.
    ///
    /// - Returns: What happened to each copied entry, and the ids of source entries that did not open.
    public func copyEntries(from source: Vault) throws(VaultError) -> (added: [InsertDisposition], damaged: [String]) {
        let now = Int64(Date().timeIntervalSince1970)
        var records: [SealedEntryRecord] = []
        var damaged: [String] = []
        // Ids are kept (scripts may name entries by id), unless this vault already uses one for another entry.
        var taken = Set(try storage.entries().map(\.id))
        for var record in try source.storage.entries() {
            guard case .success(let (account, state)) = source.openWithState(record) else {
                damaged.append(record.id)
                continue
            }
            while taken.contains(record.id) { record.id = try Self.newID() }
            taken.insert(record.id)
            records.append(try reseal(record, account: account, state: state, now: now))
        }
        let added = try storage.insert(records, replacing: false)
        try storage.audit([VaultAuditEvent(action: "copy", detail: "\(added.count) entries in")])
        return (added, damaged)
    }
}
