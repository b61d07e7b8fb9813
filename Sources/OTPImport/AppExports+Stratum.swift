import Foundation
import OTPCore
import OTPCrypto

/// Authenticator Pro (Stratum) encrypted backups, recognised by their 16-byte header:
///
/// - `AUTHENTICATORPRO` ‖ salt (16) ‖ nonce (12) ‖ AES-256-GCM ciphertext ‖ tag, the key Argon2id of the password
///   (3 passes, 64 MiB, 4 lanes: fixed by the format, not read from the file);
/// - `AuthenticatorPro` (the legacy format) ‖ salt (20) ‖ IV (16) ‖ AES-256-CBC ciphertext (PKCS#7), the key
///   PBKDF2-HMAC-SHA1 of the password with 64 000 iterations.
///
/// Both decrypt to the plain backup's JSON, read by the same typed model.
extension AppExports {
    static let stratumHeader = Array("AUTHENTICATORPRO".utf8)
    static let stratumLegacyHeader = Array("AuthenticatorPro".utf8)

    /// Whether bytes start with either Authenticator Pro backup header.
    static func looksLikeStratumEncrypted(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: stratumHeader) || bytes.starts(with: stratumLegacyHeader)
    }

    /// The accounts of an encrypted Authenticator Pro backup.
    public static func stratumEncrypted(
        _ bytes: [UInt8], source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        let legacy = bytes.starts(with: stratumLegacyHeader)
        let minimum = legacy ? 16 + 20 + 16 + 16 : 16 + 16 + 12 + 16
        guard bytes.count >= minimum else {
            return .failure(Failure(code: "not-provisioning", message: "a truncated Authenticator Pro backup"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted Authenticator Pro backup"))
        }
        let plaintext: SecureBytes?
        if legacy {
            let salt = Array(bytes[16..<36])
            let iv = Array(bytes[36..<52])
            plaintext =
                (try? KeyDerivation.pbkdf2(passphrase: password, salt: salt, iterations: 64_000, algorithm: .sha1))
                .flatMap { key in try? AESCBC.decrypt(Array(bytes[52...]), key: key, iv: iv) }
        } else {
            let salt = Array(bytes[16..<32])
            plaintext =
                (try? KeyDerivation.argon2id(
                    passphrase: password, salt: salt, iterations: 3, memoryKiB: 64 * 1024, lanes: 4))
                .flatMap { key in try? AESGCM.open(Array(bytes[32...]), key: key, authenticating: []) }
        }
        guard let plaintext, let typed = plaintext.withUnsafeBytes({ typedFormats(Data($0)) }),
            typed.format == "Authenticator Pro"
        else {
            return .failure(
                Failure(code: "unreadable", message: "wrong password for the encrypted Authenticator Pro backup"))
        }
        return .success(
            typed.entries.enumerated().map { index, entry in
                ("\(source) (Authenticator Pro entry \(index + 1) of \(typed.entries.count))", entry.check)
            })
    }
}
