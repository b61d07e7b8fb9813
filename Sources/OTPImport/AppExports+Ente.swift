import Foundation
import OTPCore
import OTPCrypto

/// Ente Auth's encrypted export (Ente's `docs/auth/migration/export.md`, version 1):
/// `{"version": 1, "kdfParams": {"memLimit", "opsLimit", "salt"}, "encryptedData", "encryptionNonce"}`. The key is
/// Argon2id of the password (libsodium's `crypto_pwhash`: `opsLimit` passes, `memLimit` bytes, one lane); the data,
/// otpauth URIs one per line, is XChaCha20-Poly1305: a one-message libsodium secret stream whose header is
/// `encryptionNonce` (what Ente's apps write), or the AEAD with that nonce. Both costs are checked before deriving.
extension AppExports {
    struct EnteExport: Decodable {
        struct KDF: Decodable {
            let memLimit: Int
            let opsLimit: Int
            let salt: String
        }
        let version: Int
        let kdfParams: KDF
        let encryptedData: String
        let encryptionNonce: String
    }

    /// The entries of an Ente encrypted export, or `nil` when the JSON is not one.
    static func enteEncrypted(_ data: Data, passphrase: () -> SecureBytes?) -> Result<[Entry], Failure>? {
        guard let export = try? JSONDecoder().decode(EnteExport.self, from: data) else { return nil }
        guard export.version == 1 else {
            return .failure(
                Failure(code: "not-provisioning", message: "an Ente Auth export of version \(export.version)"))
        }
        let memoryKiB = export.kdfParams.memLimit / 1024
        guard memoryKiB <= KeyDerivation.maximumArgon2MemoryKiB, export.kdfParams.opsLimit >= 1,
            export.kdfParams.opsLimit <= KeyDerivation.maximumArgon2Iterations
        else {
            return .failure(
                Failure(
                    code: "not-provisioning",
                    message: "an Ente Auth export asking for Argon2id with \(export.kdfParams.opsLimit) passes over "
                        + "\(export.kdfParams.memLimit) bytes, over the budget "
                        + "(\(KeyDerivation.maximumArgon2Iterations) passes, "
                        + "\(KeyDerivation.maximumArgon2MemoryKiB / 1024) MiB)"))
        }
        guard let salt = Data(base64Encoded: export.kdfParams.salt),
            let sealed = Data(base64Encoded: export.encryptedData),
            let nonce = Data(base64Encoded: export.encryptionNonce)
        else {
            return .failure(Failure(code: "not-provisioning", message: "an Ente Auth export with damaged Base64"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted Ente Auth export"))
        }
        guard
            let key = try? KeyDerivation.argon2id(
                passphrase: password, salt: Array(salt), iterations: export.kdfParams.opsLimit,
                memoryKiB: max(memoryKiB, 8), lanes: 1),
            let plain = (try? XChaCha20Poly1305.openStream(Array(sealed), header: Array(nonce), key: key))
                ?? (try? XChaCha20Poly1305.openAEAD(Array(sealed), nonce: Array(nonce), key: key))
        else {
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted Ente Auth export"))
        }
        let text = plain.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        return .success(lines.map { .uri($0) })
    }
}
