public import OTPCore

extension Vault {
    /// The accounts of `entries`, secrets included, for an export: each is logged (`export`, by id) before any is
    /// returned, so a library client that exports leaves the same audit lines as `otp export` (a team vault's log
    /// is written first; a log that cannot be written gives no account). Damaged entries are left out and named, so
    /// an export is never silently partial.
    public func accountsForExport(
        _ entries: [VaultEntry]
    ) throws(VaultError) -> (
        accounts: [OTPAccount], damaged: [String]
    ) {
        let usable = entries.filter { (try? $0.account.get()) != nil }
        try storage.audit(usable.map { VaultAuditEvent(action: "export", entryID: $0.id) })
        let damaged = entries.filter { (try? $0.account.get()) == nil }.map(\.id)
        return (usable.compactMap { try? $0.account.get() }, damaged)
    }

    /// One account, secret included, for `otp show` (a QR code, the URI, the key): logged (`show`) first.
    public func accountToShow(_ entry: VaultEntry) throws(VaultError) -> OTPAccount {
        let account: OTPAccount
        switch entry.account {
        case .success(let opened): account = opened
        case .failure(let damage): throw .damaged("entry \(UntrustedText.escaped(entry.id)) does not open: \(damage)")
        }
        try storage.audit([VaultAuditEvent(action: "show", entryID: entry.id)])
        return account
    }
}
