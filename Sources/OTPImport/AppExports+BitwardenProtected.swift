import Foundation
import OTPCore
import OTPCrypto

/// Bitwarden's password-protected JSON export (Bitwarden clients' `BitwardenPasswordProtectedImporter`):
/// `{encrypted: true, passwordProtected: true, salt, kdfType, kdfIterations, kdfMemory, kdfParallelism,
/// encKeyValidation_DO_NOT_EDIT, data}`.
///
/// - The key is PBKDF2-HMAC-SHA256 of the password with the `salt` string's UTF-8 as salt (`kdfType` 0), or Argon2id
///   with SHA-256 of that salt (`kdfType` 1; `kdfMemory` in MiB), then stretched with HKDF-Expand-SHA256 into an AES
///   key (info `enc`) and a MAC key (info `mac`). Every cost is read from the file and checked before it runs.
/// - `data` and `encKeyValidation_DO_NOT_EDIT` are Bitwarden "EncStrings" of type 2: `2.IV|CIPHERTEXT|MAC` in
///   Base64, AES-256-CBC with HMAC-SHA256 over IV ‖ ciphertext, checked before decrypting.
/// - `data` decrypts to the unencrypted JSON export, read by the same model.
extension AppExports {
    struct BitwardenProtected: Decodable {
        let encrypted: Bool
        let passwordProtected: Bool
        let salt: String
        let kdfType: Int
        let kdfIterations: Int
        let kdfMemory: Int?
        let kdfParallelism: Int?
        let encKeyValidation_DO_NOT_EDIT: String
        let data: String
    }

    /// The entries of a password-protected Bitwarden export, or `nil` when the JSON is not one.
    static func bitwardenProtected(_ data: Data, passphrase: () -> SecureBytes?) -> Result<[Entry], Failure>? {
        guard let export = try? JSONDecoder().decode(BitwardenProtected.self, from: data), export.encrypted,
            export.passwordProtected
        else { return nil }
        let what = "the password-protected Bitwarden export"
        func refused(_ message: String) -> Result<[Entry], Failure> {
            .failure(Failure(code: "not-provisioning", message: message))
        }
        // Costs first, from the file, before anything is derived.
        switch export.kdfType {
        case 0:
            guard (1...KeyDerivation.maximumPBKDF2Iterations).contains(export.kdfIterations) else {
                return refused(
                    "\(what) asks for PBKDF2 with \(export.kdfIterations) iterations, over the budget "
                        + "(\(KeyDerivation.maximumPBKDF2Iterations))")
            }
        case 1:
            let memoryMiB = export.kdfMemory ?? 64
            let lanes = export.kdfParallelism ?? 4
            guard (1...KeyDerivation.maximumArgon2Iterations).contains(export.kdfIterations),
                (1...(KeyDerivation.maximumArgon2MemoryKiB / 1024)).contains(memoryMiB), (1...16).contains(lanes)
            else {
                return refused(
                    "\(what) asks for Argon2id with \(export.kdfIterations) passes over \(memoryMiB) MiB and "
                        + "\(lanes) lanes, over the budget (\(KeyDerivation.maximumArgon2Iterations) passes, "
                        + "\(KeyDerivation.maximumArgon2MemoryKiB / 1024) MiB, 16 lanes)")
            }
        default:
            return refused("\(what) uses key derivation \(export.kdfType), which is not read (0 PBKDF2, 1 Argon2id)")
        }
        guard let validation = EncString(export.encKeyValidation_DO_NOT_EDIT), let body = EncString(export.data),
            export.salt.utf8.count <= 1024
        else {
            return refused("\(what) is damaged (its encrypted fields are not type-2 EncStrings in Base64)")
        }
        guard let password = passphrase() else { return .failure(.needsPassword(what)) }
        let salt = Array(export.salt.utf8)
        let derived: SecureBytes?
        if export.kdfType == 0 {
            derived = try? KeyDerivation.pbkdf2(
                passphrase: password, salt: salt, iterations: export.kdfIterations, algorithm: .sha256)
        } else {
            derived = (try? Digest.sha256(SecureBytes(salt))).flatMap { hashed in
                try? KeyDerivation.argon2id(
                    passphrase: password, salt: hashed.withUnsafeBytes { Array($0) },
                    iterations: export.kdfIterations, memoryKiB: (export.kdfMemory ?? 64) * 1024,
                    lanes: export.kdfParallelism ?? 4)
            }
        }
        guard let derived, let keys = try? EncString.Keys(stretching: derived) else {
            return .failure(Failure(code: "unreadable", message: "\(what): its key could not be derived"))
        }
        guard validation.open(with: keys) != nil else {
            return .failure(Failure(code: "unreadable", message: "wrong password for \(what)"))
        }
        guard let plaintext = body.open(with: keys) else {
            return .failure(Failure(code: "unreadable", message: "\(what)'s data does not decrypt (damaged file)"))
        }
        guard let inner = decoded(BitwardenFile.self, plaintext) else {
            return refused("\(what) decrypts to no Bitwarden JSON export")
        }
        return .success(
            inner.items.compactMap { item in
                bitwarden(name: item.name, username: item.login?.username, totp: item.login?.totp)
            })
    }

    /// A Bitwarden EncString of type 2 (AesCbc256_HmacSha256_B64): `2.IV|CIPHERTEXT|MAC`.
    struct EncString {
        let iv: [UInt8]
        let ciphertext: [UInt8]
        let mac: [UInt8]

        init?(_ text: String) {
            guard text.hasPrefix("2.") else { return nil }
            let parts = text.dropFirst(2).split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 3, let iv = Data(base64Encoded: String(parts[0])), iv.count == 16,
                let ciphertext = Data(base64Encoded: String(parts[1])), !ciphertext.isEmpty,
                ciphertext.count % 16 == 0, let mac = Data(base64Encoded: String(parts[2])), mac.count == 32
            else { return nil }
            self.iv = Array(iv)
            self.ciphertext = Array(ciphertext)
            self.mac = Array(mac)
        }

        /// The stretched key pair: HKDF-Expand-SHA256 of the derived key with info `enc` and `mac`, 32 bytes each
        /// (one HMAC block: T(1) = HMAC(key, info ‖ 0x01)).
        struct Keys {
            let encryption: SecureBytes
            let authentication: HMACContext

            init(stretching key: SecureBytes) throws(CryptoError) {
                let prk = try HMACContext(key: key, algorithm: .sha256)
                encryption = SecureBytes(prk.authenticationCode(for: Array("enc".utf8) + [1]))
                authentication = try HMACContext(
                    key: SecureBytes(prk.authenticationCode(for: Array("mac".utf8) + [1])), algorithm: .sha256)
            }
        }

        /// The plaintext when the MAC checks out (compared in constant time) and the padding is right.
        func open(with keys: Keys) -> SecureBytes? {
            let expected = keys.authentication.authenticationCode(for: iv + ciphertext)
            guard expected.count == mac.count, zip(expected, mac).reduce(UInt8(0), { $0 | ($1.0 ^ $1.1) }) == 0
            else { return nil }
            return try? AESCBC.decrypt(ciphertext, key: keys.encryption, iv: iv)
        }
    }
}
