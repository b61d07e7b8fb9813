public import OTPCrypto

/// The outcome of ``Vault/open(path:passphrase:create:kdf:)``.
public struct VaultOpening: Sendable {
    /// The unlocked vault. Close it (``Vault/close()``) when done, so the file is whole for a plain copy.
    public let vault: Vault
    /// Whether this call created the vault (its file, schema and first key slot).
    public let created: Bool
}

extension Vault {
    /// Opens the vault file at `path` with a passphrase, or creates it (file `0600` in a `0700` directory, schema,
    /// first key slot) when `create` is set and there is none: the one call a program needs.
    ///
    /// Process-safe: several processes opening or creating one vault at once agree on one schema and one master
    /// key. The file must identify itself as a vault before anything is written. On any failure everything opened
    /// is closed again and nothing is left half-made.
    ///
    /// ```swift
    /// let opening = try Vault.open(path: path, passphrase: passphrase, create: true)
    /// defer { try? opening.vault.close() }
    /// ```
    ///
    /// - Parameters:
    ///   - path: The vault file.
    ///   - passphrase: Unlocks a key slot (or protects the first one).
    ///   - create: Create the vault when the file does not exist or holds an empty database.
    ///   - kdf: The scrypt cost of a new key slot (lower costs are for tests only).
    /// - Throws: ``VaultError/notFound(path:)``, ``VaultError/notAVault(path:reason:)``,
    ///   ``VaultError/wrongPassphrase``, ``VaultError/damaged(_:)``, ``VaultError/locked``, ``VaultError/storage(_:)``.
    public static func open(
        path: String, passphrase: SecureBytes, create: Bool, kdf: ScryptParameters = .default
    ) throws(VaultError) -> VaultOpening {
        // A vault on a read-only mount (or in a folder this user cannot write) can still be read: it is opened as
        // a restore's source is, and any write through it fails saying so.
        if !create, !SQLiteVaultStorage.canWriteBeside(path) {
            return VaultOpening(vault: try openToRead(path: path, passphrase: passphrase), created: false)
        }
        let storage = try SQLiteVaultStorage(path: path, create: create)
        do {
            let (vault, created) = try open(storage: storage, passphrase: passphrase, create: create, kdf: kdf)
            return VaultOpening(vault: vault, created: created)
        } catch {
            try? storage.close()
            throw error
        }
    }

    /// Opens a vault file only to read it (``SQLiteVaultStorage/init(readingOnly:)``): the source of a restore.
    /// Nothing is written to it or beside it; a write through the returned vault fails.
    public static func openToRead(path: String, passphrase: SecureBytes) throws(VaultError) -> Vault {
        let storage = try SQLiteVaultStorage(readingOnly: path)
        do {
            return try open(storage: storage, passphrase: passphrase, create: false).vault
        } catch {
            try? storage.close()
            throw error
        }
    }

    /// Opens the vault, runs `body`, and closes it whatever happens (closing folds the write-ahead log back into
    /// the file).
    public static func withVault<T, E: Error>(
        path: String, passphrase: SecureBytes, create: Bool, kdf: ScryptParameters = .default,
        _ body: (VaultOpening) throws(E) -> T
    ) throws -> T {
        let opening = try open(path: path, passphrase: passphrase, create: create, kdf: kdf)
        let result: T
        do {
            result = try body(opening)
        } catch {
            try? opening.vault.close()
            throw error
        }
        try opening.vault.close()
        return result
    }
}

extension Vault {
    /// ``withVault(path:passphrase:create:kdf:_:)`` for a run that may create the vault: a vault this call created
    /// is discarded again when `body` throws or `keepCreated` says its result stored nothing — but only if, under
    /// the directory lock, no other process has it open and it holds no entry
    /// (``SQLiteVaultStorage/discardIfUnused(path:)``). Sixteen processes creating one vault at once, some storing
    /// nothing, never remove what the others committed.
    ///
    /// - Parameter discarded: Called when the new vault was removed.
    public static func withVault<T>(
        path: String, passphrase: SecureBytes, create: Bool, kdf: ScryptParameters = .default,
        keepCreated: (T) -> Bool, discarded: () -> Void = {}, _ body: (VaultOpening) throws -> T
    ) throws -> T {
        var created = false
        func discard() {
            guard created, (try? SQLiteVaultStorage.discardIfUnused(path: path)) == true else { return }
            discarded()
        }
        do {
            let result = try withVault(path: path, passphrase: passphrase, create: create, kdf: kdf) { opening in
                created = opening.created
                return try body(opening)
            }
            if created, !keepCreated(result) { discard() }
            return result
        } catch {
            discard()
            throw error
        }
    }
}
