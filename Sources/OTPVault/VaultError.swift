public import OTPCrypto

/// A refusal by SQLite or the file system, with the underlying code kept for programs that act on it.
public struct StorageFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What failed, for people.
    public let message: String
    /// SQLite's extended result code (`SQLITE_FULL` is 13, `SQLITE_READONLY` 8, …), when SQLite refused.
    public let sqliteCode: Int32?
    /// `errno`, when a file-system call refused.
    public let errno: Int32?

    /// Creates a failure.
    public init(_ message: String, sqliteCode: Int32? = nil, errno: Int32? = nil) {
        self.message = message
        self.sqliteCode = sqliteCode
        self.errno = errno
    }

    public var description: String {
        if let sqliteCode { return "\(message) (SQLite code \(sqliteCode))" }
        return message
    }
}

/// Why a vault operation failed. Messages never contain secrets, passphrases or account names.
public enum VaultError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No vault at the path (and creating one was not asked for).
    case notFound(path: String)
    /// `init` on an existing vault.
    case alreadyExists(path: String)
    /// No key slot opened with the passphrase.
    case wrongPassphrase
    /// The file is not a vault, or its structure is damaged (SQLite's message).
    case damaged(String)
    /// Another process held the vault longer than the busy timeout.
    case locked
    /// SQLite or the file system refused (permissions, disk full); the failure keeps the underlying code.
    case storage(StorageFailure)
    /// A cryptographic primitive failed (OpenSSL's error, or a refused parameter).
    case crypto(CryptoError)
    /// No passphrase could be obtained (no terminal and none given).
    case noPassphrase(String)
    /// The entry id does not exist (removed meanwhile).
    case noSuchEntry(id: String)
    /// An HOTP counter would pass its maximum (2^63 − 1); nothing was changed.
    case counterExhausted(id: String, counter: UInt64)
    /// A name given for an account is not acceptable (the same rules as for imported names).
    case invalidName(String)
    /// A database server holding the vault (a team vault on PostgreSQL) could not be reached or refused; nothing
    /// was written.
    case server(String)
    /// The file is not an `otp` vault (another application's database, or an empty SQLite file with tables); it
    /// was left unchanged.
    case notAVault(path: String, reason: String)
    /// An output file (a backup) could not be written; the vault itself is unchanged.
    case output(String)

    public var description: String {
        switch self {
        case .notFound(let path): "no vault at \(path) (create one with otp init, or otp import --create)"
        case .alreadyExists(let path): "a vault already exists at \(path)"
        case .wrongPassphrase: "wrong passphrase: no key slot of the vault opens with it (nothing was changed)"
        case .damaged(let message): "the vault is damaged: \(message)"
        case .locked: "the vault is locked by another process (waited for the timeout); try again"
        case .storage(let failure): "cannot write the vault: \(failure)"
        case .crypto(let error): "cryptography failed: \(error)"
        case .noPassphrase(let message): message
        case .noSuchEntry(let id): "no entry \(id) in the vault"
        case .counterExhausted(let id, let counter):
            "entry \(id): its HOTP counter (\(counter)) cannot advance past 2^63 − 1; nothing was changed"
        case .invalidName(let reason): "invalid name: \(reason)"
        case .notAVault(let path, let reason): "\(path) is not an otp vault (\(reason)); it was left unchanged"
        case .server(let message): "the team vault's server: \(message)"
        case .output(let message): message
        }
    }
}
