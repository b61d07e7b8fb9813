import Foundation
import OTPCore
import OTPCrypto

/// Proton Authenticator's password-protected export (proton-pass-common's `password_exporter.rs`, export
/// version 1): `{"version": 1, "salt": Base64(16 bytes), "content": Base64(nonce (12) ‖ ciphertext ‖ tag (16))}`.
/// The key is Argon2id v1.3 of the password's UTF-8 (2 passes, 19 MiB, 1 lane, 32 bytes: fixed by the format, not
/// read from the file); the cipher AES-256-GCM with the associated data `proton.authenticator.export.v1`. The
/// plaintext is the plain export (`entries[].content.uri`), read by the same typed model.
extension AppExports {
    struct ProtonEncrypted: Decodable {
        let version: Int
        let salt: String
        let content: String
    }

    static let protonExportAssociatedData = Array("proton.authenticator.export.v1".utf8)

    /// The entries of a password-protected Proton Authenticator export, or `nil` when the JSON is not one.
    static func protonEncrypted(_ data: Data, passphrase: () -> SecureBytes?) -> Result<[Entry], Failure>? {
        guard let export = try? JSONDecoder().decode(ProtonEncrypted.self, from: data) else { return nil }
        guard export.version == 1 else {
            return .failure(
                Failure(
                    code: "not-provisioning",
                    message: "a password-protected Proton Authenticator export of version \(export.version) "
                        + "(version 1 is read)"))
        }
        guard let salt = Data(base64Encoded: export.salt), salt.count == 16,
            let sealed = Data(base64Encoded: export.content), sealed.count >= 12 + 16
        else {
            return .failure(
                Failure(
                    code: "not-provisioning",
                    message: "a password-protected Proton Authenticator export that is damaged or truncated "
                        + "(its salt must be 16 bytes, its content a nonce, ciphertext and tag in Base64)"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("a password-protected Proton Authenticator export"))
        }
        guard
            let key = try? KeyDerivation.argon2id(
                passphrase: password, salt: Array(salt), iterations: 2, memoryKiB: 19 * 1024, lanes: 1),
            let plain = try? AESGCM.open(Array(sealed), key: key, authenticating: protonExportAssociatedData)
        else {
            return .failure(
                Failure(
                    code: "unreadable", message: "wrong password for the password-protected Proton Authenticator export"
                ))
        }
        guard let inner = plain.withUnsafeBytes({ try? JSONDecoder().decode(Proton.self, from: Data($0)) }) else {
            return .failure(
                Failure(
                    code: "not-provisioning",
                    message: "the Proton Authenticator export decrypts to no list of entries"))
        }
        return .success(inner.accounts)
    }
}
