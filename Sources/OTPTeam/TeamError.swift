public import OTPVault

/// Why a team-vault operation failed. Messages name the server (never its password), the member and what is wrong;
/// never a secret, an issuer or an account name.
public enum TeamError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `postgresql://` URL cannot be used.
    case badURL(String)
    /// The server could not be reached or refused the connection or a statement.
    case server(String)
    /// The database holds no team vault (`otp team create` makes one).
    case noTeam
    /// `team create` on a database that already holds a team vault.
    case teamExists
    /// This personal vault's key is not an approved member's key.
    case notAMember(String)
    /// A member name is taken, unknown, or not acceptable.
    case member(String)
    /// The team key changed while this client held the old one (a member was removed); nothing was written.
    case keyChanged
    /// The server shows an older state than this client has seen (a rollback): nothing is used.
    case rollback(String)
    /// The server's membership history diverges from the one this client verified before (a fork), or is not the
    /// team this client pinned: nothing is used.
    case forked(String)
    /// The membership log (or a key the server hands out) does not verify: a bad signature, a broken chain, a change
    /// signed by someone who may not make it, a wrapped key the log did not sign. Nothing is used.
    case untrusted(String)
    /// This client has no pinned record of the team (its state was lost, or this is another machine).
    case unpinned(String)
    /// The vault layer failed.
    case vault(VaultError)

    public var description: String {
        switch self {
        case .badURL(let reason): "bad PostgreSQL URL: \(reason)"
        case .server(let message): "the team vault's server: \(message)"
        case .noTeam: "the database holds no team vault (create one with otp team create)"
        case .teamExists: "the database already holds a team vault; nothing was changed"
        case .notAMember(let message): message
        case .member(let message): message
        case .keyChanged:
            "the team key was rotated (a member was removed) while this command ran; nothing was written, run it again"
        case .rollback(let message): message
        case .forked(let message): message
        case .untrusted(let message): message
        case .unpinned(let message): message
        case .vault(let error): error.description
        }
    }

    /// A short code for `--json` error documents.
    public var code: String {
        switch self {
        case .badURL: "bad-url"
        case .server: "server"
        case .noTeam: "no-team"
        case .teamExists: "team-exists"
        case .notAMember: "not-a-member"
        case .member: "member"
        case .keyChanged: "key-changed"
        case .rollback: "rollback"
        case .forked: "forked"
        case .untrusted: "untrusted"
        case .unpinned: "unpinned"
        case .vault: "vault"
        }
    }

    /// As a ``VaultError`` for the ``VaultStorage`` protocol (which speaks only vault errors).
    var asVaultError: VaultError {
        switch self {
        case .vault(let error): error
        case .server(let message): .server(message)
        default: .storage(StorageFailure(description))
        }
    }
}
