import Foundation
import OTPCore
import OTPCrypto

/// TOTP Authenticator's backup file: one Base64 text of AES-256-CBC blocks (zero IV, PKCS#7), the key SHA-256 of the
/// password. It decrypts to a JSON object whose single key is the account list as JSON text (the same fields as the
/// app's storage: `issuer`, `name`, `key` in hex, `digits`, `period`). Recognised by content: Base64 that is not a
/// Base32 key (it has lower-case letters, `+` or `/`) and decodes to whole AES blocks.
extension AppExports {
    static func looksLikeTOTPAuthenticatorBackup(_ text: String) -> Bool {
        let blob = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard blob.utf8.count >= 44, blob.utf8.count % 4 == 0, blob.utf8.count <= 16 << 20,
            blob.utf8.allSatisfy({
                (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2B
                    || $0 == 0x2F || $0 == 0x3D
            }),
            blob.utf8.contains(where: { (0x61...0x7A).contains($0) || $0 == 0x2B || $0 == 0x2F }),
            let raw = Data(base64Encoded: blob)
        else { return false }
        return raw.count >= 32 && raw.count % 16 == 0
    }

    static func totpAuthenticatorBackup(
        _ text: String, source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            return .failure(Failure(code: "not-provisioning", message: "damaged Base64"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted TOTP Authenticator backup (or other Base64 data)"))
        }
        guard let key = try? Digest.sha256(password),
            let plain = try? AESCBC.decrypt(Array(raw), key: key, iv: [UInt8](repeating: 0, count: 16)),
            let outer = plain.withUnsafeBytes({ try? JSONDecoder().decode([String: String].self, from: Data($0)) }),
            outer.count == 1, let list = outer.keys.first,
            let tokens = try? JSONDecoder().decode([TOTPAuthenticatorToken].self, from: Data(list.utf8))
        else {
            return .failure(
                Failure(
                    code: "unreadable",
                    message: "wrong password for a TOTP Authenticator backup (or Base64 data of another kind)"))
        }
        return .success(
            tokens.enumerated().map { index, token in
                (
                    "\(source) (TOTP Authenticator entry \(index + 1) of \(tokens.count))",
                    totpAuthenticatorEntry(token).check
                )
            })
    }
}
