import Dispatch
import Foundation
import OTPCore
import OTPCrypto
import Synchronization

/// One decrypted entry, or the reason it could not be opened.
public struct VaultEntry: Sendable {
    /// The entry id (16 hex digits).
    public let id: String
    /// Unix seconds.
    public let createdAt: Int64
    /// The account, or why the entry is damaged (bad tag, unknown version). A damaged entry never hides the others.
    public let account: Result<OTPAccount, VaultEntryDamage>
}

/// Why one entry could not be opened.
public struct VaultEntryDamage: Error, Sendable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
}

/// What ``Vault/add(_:replacing:dryRun:)`` did with each account.
public struct AddResult: Sendable {
    /// The account as given.
    public let account: OTPAccount
    /// Its id in the vault (the existing entry's id for a duplicate).
    public let id: String
    /// Inserted, duplicate or conflict.
    public let disposition: InsertDisposition
}

/// An encrypted OTP vault: a random 256-bit master key, wrapped in key slots by scrypt-derived keys; every account
/// sealed with AES-256-GCM under a subkey of the master key, its id and the entry format version authenticated as
/// associated data. Only ids, times and keyed fingerprints are stored in the clear.
///
/// A `Vault` is `Sendable`: its keys are immutable after unlocking and the storage serialises transactions.
public final class Vault: Sendable {
    /// Current sealed-entry format version.
    public static let entryVersion = 1

    /// The backend: storages, the team layer and tests reach it; a library client goes through the vault's own
    /// calls, which apply its rules (sealing, the insert decision, the audit log).
    package let storage: any VaultStorage
    private let entryKey: SecureBytes
    private let tagKey: SecureBytes
    /// Keys the fingerprints of transfer batch ids.
    let batchKey: SecureBytes
    let masterKey: SecureBytes
    /// Authenticated with every entry beside its id, with the entry's revision (a team vault binds its team and key
    /// epoch): nil for a file vault, whose entries authenticate their id and format version only.
    let binding: String?

    init(storage: any VaultStorage, masterKey: SecureBytes, binding: String? = nil) throws(VaultError) {
        self.storage = storage
        self.masterKey = masterKey
        self.binding = binding
        do {
            entryKey = try KeyDerivation.hkdf(key: masterKey, info: Array("otp vault entry key v1".utf8))
            tagKey = try KeyDerivation.hkdf(key: masterKey, info: Array("otp vault fingerprint key v1".utf8))
            batchKey = try KeyDerivation.hkdf(key: masterKey, info: Array("otp vault batch key v1".utf8))
        } catch {
            throw .crypto(error)
        }
    }

    // MARK: Opening

    /// Opens a vault with a passphrase, or creates it when `storage` has no key slot yet and `create` is set.
    ///
    /// Creating is safe when several processes do it at once: the first key slot written wins, and the others
    /// unlock that one. A wrong passphrase changes nothing.
    ///
    /// - Parameters:
    ///   - kdf: scrypt cost for a new slot; lower costs are for tests only.
    /// - Returns: The vault and whether this call created it.
    public static func open(
        storage: any VaultStorage, passphrase: SecureBytes, create: Bool, kdf: ScryptParameters = .default
    ) throws(VaultError) -> (vault: Vault, created: Bool) {
        var slots = try storage.keySlots()
        var created = false
        if slots.isEmpty {
            guard create else { throw .damaged("the vault has no key slot") }
            let master = try cryptoCall { () throws(CryptoError) in try SecureRandom.key(32) }
            let slot = try makeSlot(master: master, passphrase: passphrase, kdf: kdf)
            slots = try storage.createSlotIfEmpty(slot)
            if slots.first?.id == slot.id { return (try Vault(storage: storage, masterKey: master), true) }
            created = false
        }
        // Every slot costs a key derivation: a hostile file with many slots at the highest allowed cost is
        // refused once the budget is spent, instead of keeping the command busy for minutes.
        var spent: UInt64 = 0
        for slot in slots {
            let work = ScryptParameters(n: slot.n, r: slot.r, p: slot.p).work ?? UInt64.max
            let (total, overflow) = spent.addingReportingOverflow(work)
            spent = total
            guard !overflow, spent <= slotWorkBudget else {
                throw .damaged(
                    "the vault's key slots would cost more key derivation than one unlock may (\(slots.count) slots)")
            }
            if let master = try unwrap(slot, passphrase: passphrase) {
                return (try Vault(storage: storage, masterKey: master), created)
            }
        }
        throw .wrongPassphrase
    }

    /// The most scrypt work (N·r·p summed over the slots tried) one unlock may cost: two slots at the default
    /// cost, or one at the highest cost a slot may have.
    static var slotWorkBudget: UInt64 {
        max(2 * (ScryptParameters.default.work ?? 0), ScryptParameters.Budget.default.work)
    }

    private static func cryptoCall<T>(_ body: () throws(CryptoError) -> T) throws(VaultError) -> T {
        do {
            return try body()
        } catch {
            throw .crypto(error)
        }
    }

    private static func slotAAD(_ id: String, _ p: ScryptParameters) -> [UInt8] {
        Array("otp vault slot v1:\(id):\(p.n):\(p.r):\(p.p)".utf8)
    }

    private static func makeSlot(
        master: SecureBytes, passphrase: SecureBytes, kdf: ScryptParameters
    ) throws(VaultError) -> KeySlotRecord {
        try cryptoCall { () throws(CryptoError) in
            let salt = try SecureRandom.bytes(32)
            let id = try SecureRandom.bytes(8).map { String(format: "%02x", $0) }.joined()
            let kek = try KeyDerivation.scrypt(passphrase: passphrase, salt: salt, parameters: kdf)
            let wrapped = try AESGCM.seal(master, key: kek, authenticating: slotAAD(id, kdf))
            return KeySlotRecord(
                id: id, salt: salt, n: kdf.n, r: kdf.r, p: kdf.p, wrappedKey: wrapped,
                createdAt: Int64(Date().timeIntervalSince1970))
        }
    }

    /// The master key if `passphrase` opens `slot`; `nil` when the tag does not verify.
    static func unwrap(_ slot: KeySlotRecord, passphrase: SecureBytes) throws(VaultError) -> SecureBytes? {
        let parameters = ScryptParameters(n: slot.n, r: slot.r, p: slot.p)
        guard parameters.isReasonable else { throw .damaged("key slot \(slot.id) has unusable scrypt parameters") }
        let kek = try cryptoCall { () throws(CryptoError) in
            try KeyDerivation.scrypt(passphrase: passphrase, salt: slot.salt, parameters: parameters)
        }
        do {
            let master = try AESGCM.open(slot.wrappedKey, key: kek, authenticating: slotAAD(slot.id, parameters))
            return master.count == 32 ? master : nil
        } catch {
            return nil
        }
    }

    /// A consistent snapshot of the vault in a new file (SQLite's online backup; other processes may be writing).
    ///
    /// - Throws: ``VaultError/alreadyExists(path:)``; ``VaultError/storage(_:)`` for a storage that cannot back
    ///   up (not SQLite).
    public func backup(to path: String) throws(VaultError) {
        guard let sqlite = storage as? SQLiteVaultStorage else {
            throw .storage(StorageFailure("this vault's storage cannot be backed up to a file"))
        }
        try sqlite.backup(to: path)
    }

    /// Closes the storage (see ``VaultStorage/close()``).
    public func close() throws(VaultError) {
        try storage.close()
    }

    /// Re-wraps the master key under a new passphrase in one transaction: the old passphrase stops working and no
    /// entry is re-encrypted.
    public func changePassphrase(to passphrase: SecureBytes, kdf: ScryptParameters = .default) throws(VaultError) {
        try storage.replaceSlots([try Self.makeSlot(master: masterKey, passphrase: passphrase, kdf: kdf)])
    }

    // MARK: Sealing

    private func aad(id: String, version: Int, revision: Int64) -> [UInt8] {
        let bound = binding.map { ":\($0):revision \(revision)" } ?? ""
        return Array("otp vault entry v\(version):\(id)\(bound)".utf8)
    }

    /// The keyed fingerprints of an account. A failure is an error, never an empty tag: empty tags would make
    /// every later import a false duplicate.
    private func tags(for account: OTPAccount) throws(VaultError) -> (identity: [UInt8], duplicate: [UInt8]) {
        // The fingerprint key is only ever used for HMAC; a context is cheap next to scrypt.
        do throws(CryptoError) {
            let fingerprinter = try AccountFingerprinter(key: tagKey)
            return (fingerprinter.identity(of: account), fingerprinter.duplicate(of: account))
        } catch {
            throw .crypto(error)
        }
    }

    private func seal(
        _ account: OTPAccount, id: String, createdAt: Int64, now: Int64, state: AccountCodec.State = .init(),
        revision: Int64 = 1
    ) throws(VaultError) -> SealedEntryRecord {
        let plaintext = AccountCodec.encode(account, state: state)
        let sealed = try Self.cryptoCall { () throws(CryptoError) in
            try AESGCM.seal(
                plaintext, key: entryKey,
                authenticating: aad(id: id, version: Self.entryVersion, revision: revision))
        }
        let (identity, duplicate) = try tags(for: account)
        return SealedEntryRecord(
            id: id, createdAt: createdAt, updatedAt: now, identityTag: identity, duplicateTag: duplicate,
            version: Self.entryVersion, sealed: sealed, revision: revision)
    }

    private func open(
        _ record: SealedEntryRecord, with opener: AESGCMOpener? = nil
    ) -> Result<OTPAccount, VaultEntryDamage> {
        openWithState(record, with: opener).map(\.account)
    }

    /// The account and the vault's bookkeeping about it (which must survive every re-seal).
    func openWithState(
        _ record: SealedEntryRecord, with opener: AESGCMOpener? = nil
    ) -> Result<(account: OTPAccount, state: AccountCodec.State), VaultEntryDamage> {
        if let damage = record.damage { return .failure(VaultEntryDamage(description: damage)) }
        guard record.version == Self.entryVersion else {
            return .failure(VaultEntryDamage(description: "unknown entry format version \(record.version)"))
        }
        do {
            let aad = aad(id: record.id, version: record.version, revision: record.revision)
            let plaintext =
                try opener?.open(record.sealed, authenticating: aad)
                ?? AESGCM.open(record.sealed, key: entryKey, authenticating: aad)
            do {
                return .success(try AccountCodec.decodeWithState(plaintext))
            } catch {
                return .failure(VaultEntryDamage(description: error.description))
            }
        } catch {
            return .failure(
                VaultEntryDamage(description: "its seal does not verify (the entry was altered or damaged)"))
        }
    }

    /// The record re-sealed with new contents, keeping its id and creation time.
    func reseal(
        _ record: SealedEntryRecord, account: OTPAccount, state: AccountCodec.State, now: Int64
    ) throws(VaultError) -> SealedEntryRecord {
        try seal(
            account, id: record.id, createdAt: record.createdAt, now: now, state: state,
            revision: record.revision + 1)
    }

    static func newID() throws(VaultError) -> String {
        try cryptoCall { () throws(CryptoError) in try SecureRandom.bytes(8) }.map { String(format: "%02x", $0) }
            .joined()
    }

    // MARK: Operations

    /// Every entry, oldest first; damaged entries are returned with their damage, never hiding the others.
    ///
    /// Large vaults are opened on every core, each thread with its own AES-GCM key schedule.
    public func entries() throws(VaultError) -> [VaultEntry] {
        let records = try storage.entries()
        let chunk = 512
        let chunks = (records.count + chunk - 1) / chunk
        let results = Mutex<[[VaultEntry]]>(Array(repeating: [], count: chunks))
        DispatchQueue.concurrentPerform(iterations: chunks) { index in
            let opener = try? AESGCMOpener(key: entryKey)
            let slice = records[(index * chunk)..<min(records.count, (index + 1) * chunk)]
            let opened = slice.map { VaultEntry(id: $0.id, createdAt: $0.createdAt, account: open($0, with: opener)) }
            results.withLock { $0[index] = opened }
        }
        let entries = results.withLock { $0.flatMap { $0 } }
        if binding != nil {
            let revisions = Dictionary(records.map { ($0.id, $0.revision) }, uniquingKeysWith: max)
            storage.entriesOpened(
                entries.compactMap { entry in
                    guard case .success = entry.account else { return nil }
                    return (entry.id, revisions[entry.id] ?? 0)
                })
        }
        return entries
    }

    /// Adds accounts in one transaction. Duplicates (same codes, issuer and name) are skipped; the same issuer and
    /// name with other codes is a conflict: stored beside the old entry, or replacing it with `replacing`. With
    /// `dryRun` nothing is written and the dispositions say what would happen.
    public func add(
        _ accounts: [OTPAccount], replacing: Bool = false, dryRun: Bool = false
    ) throws(VaultError) -> [AddResult] {
        let now = Int64(Date().timeIntervalSince1970)
        var records: [SealedEntryRecord] = []
        for account in accounts { records.append(try seal(account, id: try Self.newID(), createdAt: now, now: now)) }
        let dispositions: [InsertDisposition]
        if dryRun {
            // The same decision the storages make, on the stored tags, writing nothing.
            let stored = try storage.entries().map {
                InsertPlan.Stored(id: $0.id, identityTag: $0.identityTag, duplicateTag: $0.duplicateTag)
            }
            dispositions = InsertPlan(stored: stored, records: records, replacing: replacing).dispositions
        } else {
            dispositions = try storage.insert(records, replacing: replacing)
        }
        return zip(accounts, zip(records, dispositions)).map { account, pair in
            let (record, disposition) = pair
            if case .replacedOthers(let kept, _) = disposition {
                return AddResult(account: account, id: kept, disposition: disposition)
            }
            if case .duplicate(let existing) = disposition {
                return AddResult(account: account, id: existing, disposition: disposition)
            }
            return AddResult(account: account, id: record.id, disposition: disposition)
        }
    }

    /// Removes entries by id.
    @discardableResult
    public func remove(ids: [String]) throws(VaultError) -> Int {
        try storage.delete(ids: ids)
    }

    /// A change to one field: left, removed or set.
    public enum FieldChange: Sendable, Equatable {
        /// Left as it is.
        case unchanged
        /// Removed.
        case removed
        /// Set to this text (an empty text removes the field).
        case set(String)

        func applied(to value: String?) -> String? {
            switch self {
            case .unchanged: value
            case .removed: nil
            case .set(let text): text.isEmpty ? nil : text
            }
        }
    }

    /// A change to an account's names and notes, for ``edit(id:_:)``.
    public struct AccountEdit: Sendable, Equatable {
        /// The issuer.
        public var issuer: FieldChange
        /// The new account name, or `nil` to keep it.
        public var name: String?
        /// The user's note.
        public var note: FieldChange
        /// The AWS MFA device serial (`arn:aws:iam::123456789012:mfa/alice`).
        public var awsSerial: FieldChange

        /// A change of any of the fields.
        public init(
            issuer: FieldChange = .unchanged, name: String? = nil, note: FieldChange = .unchanged,
            awsSerial: FieldChange = .unchanged
        ) {
            self.issuer = issuer
            self.name = name
            self.note = note
            self.awsSerial = awsSerial
        }
    }

    /// Checks the new values by the rules imported names obey: no control characters, a non-empty account name; a
    /// serial is one word of at most 256 characters.
    static func validate(_ change: AccountEdit) throws(VaultError) {
        if let name = change.name {
            guard !name.isEmpty else { throw .invalidName("the account name cannot be empty") }
            guard !UntrustedText.hasControlCharacters(name) else {
                throw .invalidName("the account name contains control characters")
            }
        }
        for (field, what) in [(change.issuer, "the issuer"), (change.note, "the note")] {
            if case .set(let text) = field,
                UntrustedText.hasControlCharacters(text.replacingOccurrences(of: "\n", with: ""))
            {
                throw .invalidName("\(what) contains control characters")
            }
        }
        if case .set(let serial) = change.awsSerial, !serial.isEmpty { try validate(serial: serial) }
    }

    /// An AWS virtual MFA device's serial has IAM's shape: `arn:aws:iam::` (or the `aws-cn`, `aws-us-gov`
    /// partitions), a 12-digit account id, `:mfa/` and a name of IAM's characters (`A-Za-z0-9+=,.@_-`, and `/` for a
    /// path), at most 256 characters in all.
    public static func validate(serial: String) throws(VaultError) {
        let shape = "arn:aws:iam::123456789012:mfa/NAME (or the aws-cn and aws-us-gov partitions)"
        let parts = serial.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-/")
        guard serial.count <= 256, parts.count == 6, parts[0] == "arn",
            ["aws", "aws-cn", "aws-us-gov"].contains(parts[1]), parts[2] == "iam", parts[3].isEmpty,
            parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }), parts[5].hasPrefix("mfa/"),
            parts[5].count > 4, parts[5].dropFirst(4).allSatisfy({ nameCharacters.contains($0) })
        else {
            throw .invalidName("an MFA serial has the shape \(shape)")
        }
    }

    /// Refuses `serial` when another entry already holds it: `otp code --serial` must select one account.
    public func ensureSerialIsFree(_ serial: String, except id: String? = nil) throws(VaultError) {
        for entry in try entries() where entry.id != id {
            if case .success(let account) = entry.account, account.awsSerial == serial {
                throw .invalidName("the serial is already entry \(entry.id)'s (a serial names one device)")
            }
        }
    }

    /// Changes an entry's issuer, name, note or AWS MFA serial, re-sealed in one transaction (its HOTP counter and
    /// `--once` bookkeeping kept).
    ///
    /// - Throws: ``VaultError/invalidName(_:)``, ``VaultError/noSuchEntry(id:)``, ``VaultError/damaged(_:)``.
    public func edit(id: String, _ change: AccountEdit) throws(VaultError) -> OTPAccount {
        try Self.validate(change)
        if case .set(let serial) = change.awsSerial, !serial.isEmpty { try ensureSerialIsFree(serial, except: id) }
        let now = Int64(Date().timeIntervalSince1970)
        return try storage.update(id: id, audit: VaultAuditEvent(action: "edit", entryID: id)) {
            (record) throws(VaultError) in
            guard case .success((var account, let state)) = self.openWithState(record) else {
                throw VaultError.damaged("entry \(id) does not open")
            }
            account.issuer = change.issuer.applied(to: account.issuer)
            if let name = change.name { account.name = name }
            account.note = change.note.applied(to: account.note)
            account.awsSerial = change.awsSerial.applied(to: account.awsSerial)
            return (try self.reseal(record, account: account, state: state, now: now), account)
        }
    }

    /// Changes an entry's issuer and/or name (``edit(id:_:)``).
    public func rename(id: String, to change: AccountEdit) throws(VaultError) -> OTPAccount {
        try edit(id: id, change)
    }

    /// The next `count` HOTP codes of an entry, advancing its stored counter past them in the same transaction, so
    /// concurrent callers never get the same counter value.
    public func nextHOTPCodes(id: String, count: Int) throws(VaultError) -> (OTPAccount, [OTPCode]) {
        let now = Int64(Date().timeIntervalSince1970)
        let event = VaultAuditEvent(action: "code", entryID: id, detail: "hotp \(count)")
        return try storage.update(id: id, audit: event) { (record) throws(VaultError) in
            guard case .success((var account, let state)) = self.openWithState(record), account.kind == .hotp else {
                throw VaultError.damaged("entry \(id) is not an HOTP account that opens")
            }
            // RFC 4226 counters are 8 bytes; the contract keeps them within 0...2^63 − 1 (a signed column anywhere).
            let (next, overflow) = account.counter.addingReportingOverflow(UInt64(max(count, 0)))
            guard count > 0, !overflow, next <= UInt64(Int64.max) else {
                throw VaultError.counterExhausted(id: id, counter: account.counter)
            }
            let generator = try Self.cryptoCall { () throws(CryptoError) in try OTPGenerator(account: account) }
            let codes = generator.hotp(counter: account.counter, count: count)
            let used = account
            account.counter = next
            let sealed = try self.reseal(record, account: account, state: state, now: now)
            return (sealed, (used, codes))
        }
    }
}
