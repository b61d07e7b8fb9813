import Foundation
import OTPCore
import OTPCrypto

/// andOTP's encrypted backup (`.json.aes`): `iterations` (u32, big-endian) ‖ salt (12) ‖ nonce (12) ‖ AES-256-GCM
/// ciphertext ‖ tag, the key PBKDF2-HMAC-SHA1 of the password. Recognised by its layout: a plausible iteration
/// count and room for a tag. (The older format, keyed by SHA-256 of the password, has no such header and is not
/// read.)
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
            let json = decryptedJSON(Array(bytes[16...]), key: key)
        else {
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted andOTP backup"))
        }
        guard let entries = json as? [[String: Any]] else {
            return .failure(
                Failure(code: "not-provisioning", message: "the andOTP backup decrypts to no list of accounts"))
        }
        return .success(
            entries.enumerated().map { index, entry in
                ("\(source) (andOTP entry \(index + 1) of \(entries.count))", OTPAuthURI.check(andOTP(entry)))
            })
    }
}
