import Foundation

/// Where the vault is: a file, or a team vault's `postgresql://` URL. The rule exists once, here, for the command
/// line, the agent and library clients alike.
public enum VaultLocation: Sendable, Equatable {
    /// A vault file.
    case file(String)
    /// A team vault on PostgreSQL (the URL as given, handed to libpq).
    case team(String)

    /// `explicit` (`--vault`), else `$OTP_VAULT`, else `$XDG_DATA_HOME/otp/vault.sqlite`, else
    /// `$HOME/.local/share/otp/vault.sqlite` (`$HOME`, not the password database, so sudo and containers behave).
    /// A URL scheme `postgresql://` or `postgres://` is a team vault.
    public static func resolve(explicit: String?, environment: [String: String]) -> VaultLocation {
        let text =
            explicit ?? environment["OTP_VAULT"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultFile(environment)
        return isTeamURL(text) ? .team(text) : .file(text)
    }

    /// The personal vault holding a team member's key: `explicit` (`--personal-vault`), `$OTP_PERSONAL_VAULT`,
    /// `$OTP_VAULT` when it is a file, else the default vault file.
    public static func personal(explicit: String?, environment: [String: String]) -> String {
        if let explicit { return explicit }
        if let path = environment["OTP_PERSONAL_VAULT"], !path.isEmpty { return path }
        if let path = environment["OTP_VAULT"], !path.isEmpty, !isTeamURL(path) { return path }
        return defaultFile(environment)
    }

    /// The default vault file.
    public static func defaultFile(_ environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/otp/vault.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/otp/vault.sqlite"
    }

    /// Whether `text` names a team vault rather than a file.
    public static func isTeamURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// The path or URL as given.
    public var text: String {
        switch self {
        case .file(let path): path
        case .team(let url): url
        }
    }
}
