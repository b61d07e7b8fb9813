import Foundation
import OTPCore
import OTPCrypto

/// Authenticators' app storage on Android (`shared_prefs/*.xml`, which a rooted phone or an app backup yields):
/// a `<map>` of typed values written by Android's `XmlUtils`. The `<string name=…>` values are JSON, read with typed
/// models:
///
/// - FreeOTP (the first app, and FreeOTP+'s own storage): one value per token, `{algo, counter, digits, issuerExt,
///   label, period, secret (signed bytes), type}`, ordered by the `tokenOrder` value.
/// - Authy (`com.authy.storage.tokens.authenticator.key`): `[{decryptedSecret, digits, originalIssuer,
///   originalName, name}]`; Authy keeps no algorithm or period: SHA1 and 30 s, as Authy computes them.
///   With a backup password set, entries hold `encryptedSecret` and `salt` instead: the Base32 secret under
///   AES-256-CBC (zero IV, PKCS#7), the key PBKDF2-HMAC-SHA1 of the password and the salt text, 1 000 iterations.
/// - TOTP Authenticator (`STATIC_TOTP_CODES_LIST`): `[{issuer, name, key, base, digits, period}]`, the key in hex
///   (`base` 16) or Base32 (`base` 32), SHA1.
/// - Battle.net (`com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET` and `…_SERIAL`): XOR-masked hex; 8 digits.
///
/// The file format is Android's, not general XML: an optional declaration, `<map>`, and elements `string`, `int`,
/// `long`, `float`, `boolean` (self-closing with `value`) and `set` (of strings). ``AndroidPreferences`` reads
/// exactly that in one linear pass, with no DTD, no entity but the five predefined ones and character references.
/// (FoundationXML's libxml2 parser would also load ICU into every `otp` process: about 3 ms of start-up.)
extension AppExports {
    /// Whether text looks like an Android preferences file: an XML declaration or `<map>` first.
    static func looksLikeAndroidPreferences(_ text: String) -> Bool {
        let head = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }.prefix(200)
        return (head.hasPrefix("<?xml") && head.contains("<map")) || head.hasPrefix("<map")
    }

    /// The `<string name=…>` values of an Android preferences file, in file order, or `nil` when it is not one.
    static func androidPreferenceStrings(_ text: String) -> [(name: String, value: String)]? {
        var reader = AndroidPreferences(Array(text.utf8))
        return reader.strings()
    }

    struct AuthyToken: Decodable {
        let decryptedSecret: String?
        let encryptedSecret: String?
        let salt: String?
        let digits: Int?
        let originalIssuer: String?
        let originalName: String?
        let name: String?
    }

    struct TOTPAuthenticatorToken: Decodable {
        let issuer: String?
        let name: String?
        let key: String
        let base: Int?
        let digits: String?
        let period: String?
    }

    /// The accounts of an Android preferences file, or a failure naming what it is.
    static func androidPreferences(
        _ text: String, source: String, passphrase: () -> SecureBytes? = { nil }
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        guard let strings = androidPreferenceStrings(text) else {
            return .failure(Failure(code: "not-provisioning", message: "damaged XML (an Android preferences file?)"))
        }
        let decoder = JSONDecoder()
        let values = Dictionary(strings.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        var format = ""
        var entries: [Entry] = []
        if let json = values["com.authy.storage.tokens.authenticator.key"] {
            format = "Authy"
            guard var tokens = try? decoder.decode([AuthyToken].self, from: Data(json.utf8)) else {
                return .failure(Failure(code: "not-provisioning", message: "Authy storage with unreadable tokens"))
            }
            if tokens.contains(where: { $0.decryptedSecret == nil && $0.encryptedSecret != nil }) {
                guard let password = passphrase() else {
                    return .failure(.needsPassword("Authy storage encrypted with a backup password"))
                }
                var opened: [AuthyToken] = []
                for token in tokens {
                    guard token.decryptedSecret == nil else {
                        opened.append(token)
                        continue
                    }
                    guard let secret = authySecret(token, password: password) else {
                        return .failure(
                            Failure(code: "unreadable", message: "wrong backup password for the Authy storage"))
                    }
                    opened.append(
                        AuthyToken(
                            decryptedSecret: secret, encryptedSecret: nil, salt: nil, digits: token.digits,
                            originalIssuer: token.originalIssuer, originalName: token.originalName, name: token.name))
                }
                tokens = opened
            }
            entries = tokens.map(authyEntry)
        } else if let json = values["STATIC_TOTP_CODES_LIST"] {
            format = "TOTP Authenticator"
            guard let tokens = try? decoder.decode([TOTPAuthenticatorToken].self, from: Data(json.utf8)) else {
                return .failure(
                    Failure(code: "not-provisioning", message: "TOTP Authenticator storage with unreadable tokens"))
            }
            entries = tokens.map(totpAuthenticatorEntry)
        } else {
            var order: [String] = []
            if let list = values["tokenOrder"], let names = try? decoder.decode([String].self, from: Data(list.utf8)) {
                order = names
            }
            let tokens = strings.compactMap { item -> (String, FreeOTPPlus.Token)? in
                guard item.name != "tokenOrder",
                    let token = try? decoder.decode(FreeOTPPlus.Token.self, from: Data(item.value.utf8))
                else { return nil }
                return (item.name, token)
            }
            guard !tokens.isEmpty else {
                if let masked = values["com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET"] {
                    let serial = values["com.blizzard.messenger.AUTHENTICATOR_SERIAL"].flatMap(battleNetUnmask) ?? ""
                    let entry = battleNetEntry(secret: masked, serial: serial)
                    return .success([("\(source) (Battle.net Authenticator)", entry.check)])
                }
                return .failure(
                    Failure(code: "not-provisioning", message: "an Android preferences file of no known authenticator"))
            }
            format = "FreeOTP"
            let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            entries = tokens.enumerated().sorted {
                (rank[$0.element.0] ?? order.count + $0.offset) < (rank[$1.element.0] ?? order.count + $1.offset)
            }.map { freeOTPEntry($0.element.1, counterIsLastUsed: true) }
        }
        return .success(
            entries.enumerated().map { index, entry in
                ("\(source) (\(format) entry \(index + 1) of \(entries.count))", entry.check)
            })
    }

    /// An Authy secret under its backup password, or `nil` when the password is wrong (bad padding, not Base32).
    static func authySecret(_ token: AuthyToken, password: SecureBytes) -> String? {
        guard let sealed = token.encryptedSecret.flatMap({ Data(base64Encoded: $0) }), let salt = token.salt,
            sealed.count <= 4096,
            let key = try? KeyDerivation.pbkdf2(
                passphrase: password, salt: Array(salt.utf8), iterations: 1_000, algorithm: .sha1),
            let plain = try? AESCBC.decrypt(Array(sealed), key: key, iv: [UInt8](repeating: 0, count: 16))
        else { return nil }
        let text = plain.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        let base32 = text.allSatisfy { ("A"..."Z").contains($0) || ("2"..."7").contains($0) || $0 == "=" }
        return base32 && !text.isEmpty ? text : nil
    }

    static func authyEntry(_ token: AuthyToken) -> Entry {
        var parameters = ["secret": token.decryptedSecret ?? "", "algorithm": "SHA1", "period": "30"]
        parameters["issuer"] = token.originalIssuer
        parameters["digits"] = token.digits.map(String.init)
        // originalName is the label the code was scanned with ("Issuer:name"); Authy's own `name` is for display.
        var name = token.originalName ?? token.name ?? ""
        if let issuer = token.originalIssuer, name.hasPrefix(issuer + ":") {
            name = String(name.dropFirst(issuer.count + 1)).trimmingCharacters(in: .whitespaces)
        }
        return .fields(Fields(type: "totp", name: name, parameters: parameters))
    }

    static func totpAuthenticatorEntry(_ token: TOTPAuthenticatorToken) -> Entry {
        var parameters = ["algorithm": "SHA1"]
        parameters["issuer"] = token.issuer
        parameters["digits"] = token.digits
        parameters["period"] = token.period
        if token.base == 16 {
            guard token.key.utf8.count <= 256, let bytes = hex(token.key) else {
                parameters["secret"] = "not hex"
                return .fields(Fields(type: "totp", name: token.name, parameters: parameters))
            }
            var key = bytes
            defer { for i in key.indices { key[i] = 0 } }
            return .fields(
                Fields(type: "totp", name: token.name, parameters: parameters, secretBytes: SecureBytes(key)))
        }
        parameters["secret"] = token.key
        return .fields(Fields(type: "totp", name: token.name, parameters: parameters))
    }

    /// The fixed 57-byte mask the Battle.net app XORs over its stored serial and device secret (as Aegis's
    /// `BattleNetImporter` publishes it).
    static let battleNetMask: [UInt8] =
        hex(
            "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb380"
                + "68773fa59ba47c17ca6c6479015c1d5b8b8f6b9a"
        ) ?? []

    /// A stored Battle.net value unmasked: hex, XORed with the mask, read as ASCII; `nil` when it is longer than the
    /// mask or not hex.
    static func battleNetUnmask(_ stored: String) -> String? {
        guard stored.utf8.count <= 2 * battleNetMask.count, let masked = hex(stored) else { return nil }
        let plain = zip(masked, battleNetMask).map { $0 ^ $1 }
        guard plain.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// Battle.net's authenticator: the unmasked device secret is the key in hex; codes are 8 digits, SHA1, 30 s;
    /// the serial names the account.
    static func battleNetEntry(secret stored: String, serial: String) -> Entry {
        var parameters = ["issuer": "Battle.net", "algorithm": "SHA1", "digits": "8", "period": "30"]
        guard let unmasked = battleNetUnmask(stored), var key = hex(unmasked) else {
            parameters["secret"] = "not a masked Battle.net secret"
            return .fields(Fields(type: "totp", name: serial, parameters: parameters))
        }
        defer { for i in key.indices { key[i] = 0 } }
        return .fields(Fields(type: "totp", name: serial, parameters: parameters, secretBytes: SecureBytes(key)))
    }
}
