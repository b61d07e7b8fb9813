import Foundation
import OTPCore
import OTPCrypto

/// andOTP's encrypted backup (`.json.aes`): `iterations` (u32, big-endian) ‖ salt (12) ‖ nonce (12) ‖ AES-256-GCM
/// ciphertext ‖ tag, the key PBKDF2-HMAC-SHA1 of the password. Recognised by its layout: a plausible iteration
/// count and room for a tag.
///
/// The older format (andOTP before 0.6.3, `.json.aes`) is nonce (12) ‖ AES-256-GCM ciphertext ‖ tag, keyed by SHA-256
/// of the password, with no header at all: nothing in it can be recognised but random-looking bytes. It is tried on a
/// binary file no other reader recognises that looks like ciphertext (``looksLikeCiphertext(_:)``), with the password
/// of the run; the tag is what recognises it. Its entries carry no issuer: the label is `Issuer - Issuer:Name`.
extension AppExports {
    /// Whether bytes have the layout of a current andOTP encrypted backup.
    static func looksLikeAndOTPEncrypted(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 + 12 + 12 + 16 + 2 else { return false }
        let iterations = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        return (1_000...KeyDerivation.maximumPBKDF2Iterations).contains(iterations)
    }

    /// The accounts of an andOTP encrypted backup.
    public static func andOTPEncrypted(
        _ bytes: [UInt8], source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        let iterations = bytes.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted andOTP backup"))
        }
        let salt = Array(bytes[4..<16])
        guard
            let key = try? KeyDerivation.pbkdf2(
                passphrase: password, salt: salt, iterations: iterations, algorithm: .sha1),
            let plaintext = try? AESGCM.open(Array(bytes[16...]), key: key, authenticating: [])
        else {
            // One old-format backup in about 4 300 starts with bytes that read as a plausible iteration count.
            if let old = andOTPOldFormat(bytes, source: source, password: password) { return old }
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted andOTP backup"))
        }
        return andOTPEntries(decoded([AndOTPEntry].self, plaintext), source: source)
    }

    private static func andOTPEntries(
        _ entries: [AndOTPEntry]?, source: String
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        guard let entries else {
            return .failure(
                Failure(code: "not-provisioning", message: "the andOTP backup decrypts to no list of accounts"))
        }
        return .success(
            entries.enumerated().map { index, entry in
                ("\(source) (andOTP entry \(index + 1) of \(entries.count))", OTPAuthURI.check(entry.fields))
            })
    }

    /// Whether bytes look like ciphertext: binary, and their byte entropy close to that of random bytes of the same
    /// length (a bitmap, an executable or a database falls far below). Used only for files no reader recognised.
    static func looksLikeCiphertext(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 12 + 16 + 2 else { return false }
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let n = Double(bytes.count)
        let entropy = counts.reduce(0.0) { sum, count in
            count == 0 ? sum : sum - Double(count) / n * log2(Double(count) / n)
        }
        // Random bytes: 4.7 bits for 30 bytes, 6.2 for 100, 7.8 for 1 000 (never more than log2 of the length).
        return entropy >= min(7.5, 0.8 * log2(n))
    }

    /// An andOTP backup of the old format: `nil` when the password's key does not open it (not one, or a wrong
    /// password: the two cannot be told apart, there being no header).
    static func andOTPOldFormat(
        _ bytes: [UInt8], source: String, password: SecureBytes
    ) -> Result<[(source: String, check: URICheck)], Failure>? {
        guard bytes.count >= 12 + 16 + 2, let key = try? Digest.sha256(password),
            let plaintext = try? AESGCM.open(bytes, key: key, authenticating: [])
        else { return nil }
        return andOTPEntries(decoded([AndOTPEntry].self, plaintext)?.map(oldAndOTPEntry), source: source)
    }

    /// An old andOTP entry's `Issuer - Issuer:Name` label as issuer and name (the label unchanged when it has
    /// another form; an entry with an issuer is left as it is).
    static func oldAndOTPEntry(_ entry: AndOTPEntry) -> AndOTPEntry {
        guard entry.issuer == nil, let label = entry.label, let dash = label.range(of: " - ") else { return entry }
        let issuer = String(label[..<dash.lowerBound])
        var name = String(label[dash.upperBound...])
        if name.hasPrefix(issuer + ":") { name = String(name.dropFirst(issuer.count + 1)) }
        guard !issuer.isEmpty, !name.isEmpty else { return entry }
        var out = entry
        out.issuer = issuer
        out.label = name
        return out
    }
}
