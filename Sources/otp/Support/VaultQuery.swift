import ArgumentParser
import OTPCore
import OTPVault

/// QUERY: a case-insensitive substring of the issuer or account name, or a prefix of the id.
enum VaultQuery {
    static func matches(_ entry: VaultEntry, _ query: String?) -> Bool {
        guard let query, !query.isEmpty else { return true }
        if entry.id.hasPrefix(query.lowercased()) { return true }
        guard case .success(let account) = entry.account else { return false }
        let needle = query.lowercased()
        return account.name.lowercased().contains(needle) || (account.issuer?.lowercased().contains(needle) ?? false)
    }

    /// Exactly one matching entry that opens, or a failure listing the candidates.
    static func single(_ entries: [VaultEntry], _ query: String) throws -> (VaultEntry, OTPAccount) {
        let found = entries.filter { matches($0, query) }
        let usable = found.compactMap { entry -> (VaultEntry, OTPAccount)? in
            if case .success(let account) = entry.account { return (entry, account) }
            return nil
        }
        if usable.count == 1, let only = usable.first { return only }
        if usable.isEmpty {
            Terminal.error("otp: no account matches '\(Terminal.escaped(query))'")
        } else {
            Terminal.error("otp: '\(Terminal.escaped(query))' matches \(usable.count) accounts; use more of a name or an id prefix:")
            for (entry, account) in usable { Terminal.error("  \(entry.id)  \(Terminal.escaped(account.displayName))") }
        }
        throw ExitCode(1)
    }
}
