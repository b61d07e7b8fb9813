import Foundation
public import OTPCore
public import OTPCrypto

/// Accounts out, in formats other apps read: the mirror of ``AppExports``. Every result holds secrets: writing it
/// anywhere is the user's explicit act.
public enum Exporter {
    /// An export format.
    public enum Format: String, Sendable, CaseIterable {
        /// One canonical `otpauth://` URI per line.
        case uri
        /// Google Authenticator transfer payloads (`otpauth-migration://`), one per line, ten accounts each.
        case googleURI = "google-uri"
        /// An Aegis vault file (plain, or encrypted with a password slot).
        case aegis
        /// A CSV file with KeePassXC's columns (`Group,Title,Username,Password,URL,Notes,TOTP,…`), the TOTP column an
        /// `otpauth://` URI: KeePassXC, Bitwarden, Proton Pass and this tool read it.
        case csv
        /// Bitwarden's unencrypted JSON export: one login item per account, `login.totp` its `otpauth://` URI.
        case bitwarden
        /// The FIDO Alliance's Credential Exchange Format (CXF 1.0), unencrypted JSON: one `totp` credential per
        /// item. CXF has only TOTP (SHA-1, SHA-256, SHA-512): HOTP and Steam accounts are left out, by name.
        case cxf
    }

    /// What an export produced, and the accounts the format cannot hold (named, never silently dropped).
    public struct Output: Sendable {
        /// The file's bytes (secrets inside).
        public let data: SecureBytes
        /// Accounts left out, with the reason.
        public let leftOut: [(account: OTPAccount, reason: String)]
        /// How many accounts it holds.
        public let count: Int
    }

    /// Why an export failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Exports `accounts`.
    ///
    /// - Parameters:
    ///   - password: For `aegis`: encrypt with a password slot (scrypt N = 2^15, r = 8, p = 1 and AES-256-GCM, as
    ///     Aegis's `docs/vault.md` specifies); `nil` for a plain file.
    public static func export(
        _ accounts: [OTPAccount], as format: Format, password: SecureBytes? = nil
    ) throws(Failure) -> Output {
        switch format {
        case .uri:
            let text = accounts.map { OTPAuthURI.string(for: $0) + "\n" }.joined()
            return Output(data: SecureBytes(Array(text.utf8)), leftOut: [], count: accounts.count)
        case .googleURI:
            return googleURIs(accounts)
        case .aegis:
            return try aegis(accounts, password: password)
        case .csv:
            return csv(accounts)
        case .bitwarden:
            return try bitwarden(accounts)
        case .cxf:
            return try cxf(accounts)
        }
    }

    // MARK: Google Authenticator

    /// Why Google Authenticator cannot hold an account, or `nil` when it can.
    public static func googleRefusal(_ account: OTPAccount) -> String? {
        if account.encoder == .steam { return "Google Authenticator has no Steam codes" }
        if account.kind == .totp, account.period != 30 { return "Google Authenticator has only 30-second steps" }
        if account.digits != 6, account.digits != 8 { return "Google Authenticator has only 6 or 8 digits" }
        if account.counter > UInt64(Int64.max) { return "the counter does not fit" }
        return nil
    }

    /// Transfer payloads of at most ten accounts each, one batch (id, index and size set).
    static func googleURIs(_ accounts: [OTPAccount]) -> Output {
        var fit: [OTPAccount] = []
        var leftOut: [(OTPAccount, String)] = []
        for account in accounts {
            if let reason = googleRefusal(account) { leftOut.append((account, reason)) } else { fit.append(account) }
        }
        let parts = stride(from: 0, to: fit.count, by: 10).map { Array(fit[$0..<min($0 + 10, fit.count)]) }
        let batchID = Int32.random(in: 1...Int32.max)
        let lines = parts.enumerated().map { index, part in
            MigrationPayload(
                entries: part.map(entry), version: 1, batchSize: Int32(parts.count), batchIndex: Int32(index),
                batchID: batchID
            ).uri() + "\n"
        }
        return Output(data: SecureBytes(Array(lines.joined().utf8)), leftOut: leftOut, count: fit.count)
    }

    static func entry(_ account: OTPAccount) -> MigrationPayload.Entry {
        let algorithm =
            switch account.algorithm {
            case .sha1: 1
            case .sha256: 2
            case .sha512: 3
            }
        // Google writes "Issuer:name" into the name; readers (ours included) strip the issuer again.
        let name = account.issuer.map { "\($0):\(account.name)" } ?? account.name
        return MigrationPayload.Entry(
            secret: account.secret, name: name, issuer: account.issuer ?? "", algorithm: algorithm,
            digits: account.digits == 8 ? 2 : 1, type: account.kind == .hotp ? 1 : 2,
            counter: Int64(account.counter))
    }

    // MARK: Aegis

    /// An Aegis vault (`docs/vault.md`): `{"version": 1, "header": {...}, "db": {...}}`, the database encrypted
    /// with a random master key wrapped in a password slot when `password` is given.
    static func aegis(_ accounts: [OTPAccount], password: SecureBytes?) throws(Failure) -> Output {
        let entries: [[String: Any]] = accounts.map { account in
            var info: [String: Any] = [
                "secret": account.secret.withUnsafeBytes { Base32.encode($0) }, "algo": account.algorithm.rawValue,
                "digits": account.encoder == .steam ? 5 : account.digits,
            ]
            if account.kind == .hotp { info["counter"] = account.counter } else { info["period"] = account.period }
            let type = account.encoder == .steam ? "steam" : account.kind.rawValue
            return [
                "type": type, "uuid": UUID().uuidString.lowercased(), "name": account.name,
                "issuer": account.issuer ?? "", "note": account.note ?? "", "favorite": false, "icon": NSNull(),
                "info": info,
            ]
        }
        let db: [String: Any] = ["version": 2, "entries": entries, "groups": [] as [Any]]
        do {
            guard let password else {
                let vault: [String: Any] = ["version": 1, "header": ["slots": NSNull(), "params": NSNull()], "db": db]
                let data = try JSONSerialization.data(withJSONObject: vault, options: [.sortedKeys])
                return Output(data: SecureBytes(data), leftOut: [], count: accounts.count)
            }
            var plain = try JSONSerialization.data(withJSONObject: db)
            defer { plain.resetBytes(in: 0..<plain.count) }
            let master = try SecureRandom.key(32)
            let sealedDB = try AESGCM.seal(SecureBytes(plain), key: master, authenticating: [])
            let salt = try SecureRandom.bytes(32)
            let parameters = ScryptParameters(n: 1 << 15, r: 8, p: 1)
            let kek = try KeyDerivation.scrypt(passphrase: password, salt: salt, parameters: parameters)
            let wrapped = try AESGCM.seal(master, key: kek, authenticating: [])
            func hex(_ bytes: some Collection<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
            // nonce ‖ ciphertext ‖ tag, split the way Aegis stores them.
            let n = AESGCM.nonceSize
            let t = AESGCM.tagSize
            let slot: [String: Any] = [
                "type": 1, "uuid": UUID().uuidString.lowercased(), "key": hex(wrapped[n..<(wrapped.count - t)]),
                "key_params": ["nonce": hex(wrapped.prefix(n)), "tag": hex(wrapped.suffix(t))],
                "n": 1 << 15, "r": 8, "p": 1, "salt": hex(salt), "repaired": true, "is_backup": false,
            ]
            let header: [String: Any] = [
                "slots": [slot], "params": ["nonce": hex(sealedDB.prefix(n)), "tag": hex(sealedDB.suffix(t))],
            ]
            let body = Data(sealedDB[n..<(sealedDB.count - t)]).base64EncodedString()
            let vault: [String: Any] = ["version": 1, "header": header, "db": body]
            let data = try JSONSerialization.data(withJSONObject: vault, options: [.sortedKeys])
            return Output(data: SecureBytes(data), leftOut: [], count: accounts.count)
        } catch let error as CryptoError {
            throw Failure(description: "encrypting the Aegis export failed: \(error)")
        } catch {
            throw Failure(description: "writing the Aegis export failed: \(error)")
        }
    }
}
