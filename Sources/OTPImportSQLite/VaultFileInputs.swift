import Foundation
import OTPCore
public import OTPCrypto
public import OTPImport
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// Import of another `otp` vault file (a backup): its accounts merge into this vault — that is restore. OTPImport
/// reads no vaults (it has no database), so these inputs are read here, with the vault library, opened read-only.
public enum VaultFileInputs {
    /// Whether a file is an `otp` vault: an SQLite file with our application id (offset 68 of the header).
    public static func isVault(_ path: String) -> Bool {
        guard let header = header(of: path, count: 72) else { return false }
        let application = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return header.starts(with: Array("SQLite format 3\u{0}".utf8))
            && Int32(bitPattern: application) == SQLiteVaultStorage.applicationID
    }

    /// The first `count` bytes of a regular file, or `nil`. Opened non-blocking and checked with `fstat` first: a
    /// FIFO or device named as an input is left to the readers to refuse, never waited on by a sniff.
    static func header(of path: String, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        var header = [UInt8](repeating: 0, count: count)
        guard header.withUnsafeMutableBytes({ Glibc.read(fd, $0.baseAddress, count) }) == count else { return nil }
        return header
    }

    /// The accounts of the vault files among `inputs`, as checked items (failures name the file), and the other
    /// inputs for the usual readers.
    ///
    /// - Parameter passphrase: The source vaults' passphrase, asked for only when a vault file is met.
    public static func read(
        _ inputs: [String], passphrase: () -> SecureBytes?, into vaultPath: String
    ) -> (
        items: [CheckedItem], others: [String]
    ) {
        var items: [CheckedItem] = []
        var others: [String] = []
        for (position, input) in inputs.enumerated() {
            // Transaction groups of their own, apart from the other inputs' (one per vault file).
            let index = 1_000_000 + position
            guard input != "-", !InputReader.isURI(input), isVault(input) else {
                others.append(input)
                continue
            }
            guard absolute(input) != absolute(vaultPath) else {
                items.append(failure(input, index, "this is the vault being imported into"))
                continue
            }
            guard let secret = passphrase() else {
                items.append(failure(input, index, "an otp vault: give its passphrase with --source-passphrase-file"))
                continue
            }
            do {
                // Read only: a backup on read-only media restores, and restoring never migrates or writes it.
                let source = try Vault.openToRead(path: input, passphrase: secret)
                defer { try? source.close() }
                let entries = try source.entries()
                for (number, entry) in entries.enumerated() {
                    let source = "\(input) (vault entry \(number + 1) of \(entries.count))"
                    switch entry.account {
                    case .success(let account):
                        items.append(
                            CheckedItem(
                                source: source,
                                check: URICheck(
                                    account: account, diagnostics: [], issuer: account.issuer, name: account.name),
                                batch: nil, input: index))
                    case .failure(let damage):
                        items.append(failure(source, index, "the entry is damaged: \(damage.description)"))
                    }
                }
            } catch {
                items.append(failure(input, index, "\(error)"))
            }
        }
        return (items, others)
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func failure(_ source: String, _ index: Int, _ message: String) -> CheckedItem {
        CheckedItem(
            source: source,
            check: URICheck(
                account: nil, diagnostics: [Diagnostic(.error, .uri, .unreadable, message)], issuer: nil, name: nil),
            batch: nil, input: index)
    }
}
