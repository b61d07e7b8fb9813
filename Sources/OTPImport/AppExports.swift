import Foundation
import OTPCore
import OTPCrypto

/// Other authenticators' export files, by their published formats, turned into checked accounts through the
/// same validation as provisioning URIs (``OTPCore/OTPAuthURI/check(_:diagnostics:)``).
///
/// - Aegis (`docs/vault.md`): plain JSON, and the encrypted vault (password slot: scrypt with the slot's N, r, p
///   and salt unwraps the master key with AES-256-GCM; the master key opens `db`). Entry types totp, hotp, steam.
/// - 2FAS (`.2fas`, unencrypted): `services[]` with `secret` and `otp{account, issuer, digits, period, algorithm,
///   tokenType, counter}`; the service `name` is the issuer when `otp.issuer` is absent.
/// - andOTP (plain JSON): an array of `{secret, issuer, label, digits, type, algorithm, period, counter}`.
/// - Bitwarden JSON export (unencrypted): `items[]` whose `login.totp` holds an otpauth URI, a bare Base32 secret
///   (a 6-digit, 30 s SHA1 TOTP) or `steam://SECRET`; the item name is the issuer, `login.username` the account.
/// FreeOTP+ and Ente export plain URI lists, which are text inputs.
public enum AppExports {
    /// Why an export could not be read.
    public struct Failure: Error, Sendable {
        /// The contract's code: `unreadable` (encrypted without a passphrase, wrong passphrase) or
        /// `not-provisioning` (a JSON file of no known format, an encrypted format we cannot open).
        public let code: String
        public let message: String

        /// Creates a failure (a reader outside this module: app databases read by `otp`).
        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }

        /// An encrypted export met without a password: `what` names it ("an encrypted andOTP backup").
        static func needsPassword(_ what: String) -> Failure {
            Failure(
                code: "unreadable",
                message: "\(what): give its password with --source-passphrase-file (or on the terminal)")
        }
    }

    /// Whether bytes look like a JSON document (after a BOM and white space).
    static func looksLikeJSON(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first(where: { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }) else {
            return false
        }
        return first == "{" || first == "["
    }

    /// The accounts of an export file.
    ///
    /// - Parameters:
    ///   - text: The file's text.
    ///   - source: The file name, for item sources.
    ///   - passphrase: Asked for when the export is encrypted (`nil` when none can be had).
    public static func accounts(
        in text: String, source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        guard let json = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            return .failure(Failure(code: "not-provisioning", message: "not valid JSON, and not a list of URIs"))
        }
        let entries: Result<[Entry], Failure>
        let format: String
        if let object = json as? [String: Any], object["db"] != nil, object["header"] != nil {
            format = "Aegis"
            entries = aegis(object, passphrase: passphrase)
        } else if let object = json as? [String: Any], let services = object["services"] as? [Any] {
            format = "2FAS"
            let schema = object["schemaVersion"] as? Int ?? 1
            if services.isEmpty, let encrypted = object["servicesEncrypted"] as? String, !encrypted.isEmpty {
                entries = openTwoFAS(encrypted, passphrase: passphrase).map { decrypted in
                    decrypted.map { .fields(twoFAS($0, schema: schema)) }
                }
            } else {
                entries = .success(
                    services.compactMap { $0 as? [String: Any] }.map { .fields(twoFAS($0, schema: schema)) })
            }
        } else if let object = json as? [String: Any], let items = object["items"] as? [Any] {
            format = "Bitwarden"
            if object["encrypted"] as? Bool == true {
                entries = .failure(
                    Failure(
                        code: "not-provisioning",
                        message: "an encrypted Bitwarden export: export it as unencrypted JSON"))
            } else {
                entries = .success(items.compactMap { $0 as? [String: Any] }.compactMap(bitwarden))
            }
        } else if let array = json as? [[String: Any]], !array.isEmpty,
            array.allSatisfy({ $0["kind"] != nil && $0["type"] == nil }),
            let raivo = try? JSONDecoder().decode([Raivo].self, from: Data(text.utf8))
        {
            format = "Raivo OTP"
            entries = .success(raivo.map(\.entry))
        } else if let array = json as? [[String: Any]], array.allSatisfy({ $0["secret"] != nil }) {
            format = "andOTP"
            entries = .success(array.map { .fields(andOTP($0)) })
        } else if let ente = enteEncrypted(Data(text.utf8), passphrase: passphrase) {
            format = "Ente Auth"
            entries = ente
        } else if let proton = protonEncrypted(Data(text.utf8), passphrase: passphrase) {
            format = "Proton Authenticator"
            entries = proton
        } else if let typed = typedFormats(Data(text.utf8)) {
            format = typed.format
            entries = .success(typed.entries)
        } else {
            return .failure(
                Failure(code: "not-provisioning", message: "a JSON file of no known authenticator export format"))
        }
        return entries.map { list in
            list.enumerated().map { index, entry in
                ("\(source) (\(format) entry \(index + 1) of \(list.count))", entry.check)
            }
        }
    }

    typealias Fields = OTPAuthURI.Fields

    private static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    private static func fields(
        type: String, issuer: String?, name: String?, secret: String?, algorithm: Any?, digits: Any?, period: Any?,
        counter: Any?
    ) -> Fields {
        var parameters: [String: String] = [:]
        parameters["secret"] = secret ?? ""
        if let issuer, !issuer.isEmpty { parameters["issuer"] = issuer }
        if let algorithm = string(algorithm) {
            parameters["algorithm"] = algorithm.replacingOccurrences(of: "-", with: "")
        }
        var kind = type.lowercased()
        if kind == "steam" {
            parameters["encoder"] = "steam"
            kind = "totp"
        } else if let digits = string(digits) {
            parameters["digits"] = digits
        }
        if kind == "totp", let period = string(period) { parameters["period"] = period }
        if kind == "hotp" { parameters["counter"] = string(counter) ?? "0" }
        return Fields(type: kind, labelIssuer: nil, name: name ?? "", parameters: parameters)
    }

    // MARK: Aegis

    private static func aegis(_ object: [String: Any], passphrase: () -> SecureBytes?) -> Result<[Entry], Failure> {
        var content = object["db"] as? [String: Any]
        if content == nil, let ciphertext = object["db"] as? String {
            switch openAegis(header: object["header"] as? [String: Any] ?? [:], db: ciphertext, passphrase: passphrase)
            {
            case .success(let decrypted): content = decrypted
            case .failure(let failure): return .failure(failure)
            }
        }
        guard let entries = content?["entries"] as? [[String: Any]] else {
            return .failure(Failure(code: "not-provisioning", message: "an Aegis file without entries"))
        }
        return .success(
            entries.map { entry in
                let info = entry["info"] as? [String: Any] ?? [:]
                return .fields(
                    fields(
                        type: entry["type"] as? String ?? "", issuer: entry["issuer"] as? String,
                        name: entry["name"] as? String,
                        secret: info["secret"] as? String, algorithm: info["algo"], digits: info["digits"],
                        period: info["period"],
                        counter: info["counter"]))
            })
    }

    static func hex(_ text: Any?) -> [UInt8]? {
        guard let text = text as? String, text.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// The most password slots of one export tried (each costs a key derivation; Aegis writes one).
    static let maximumSlotsTried = 4

    private static func openAegis(
        header: [String: Any], db: String, passphrase: () -> SecureBytes?
    ) -> Result<[String: Any], Failure> {
        let slots = (header["slots"] as? [[String: Any]] ?? []).filter { ($0["type"] as? Int) == 1 }
        guard let params = header["params"] as? [String: Any], let nonce = hex(params["nonce"]),
            let tag = hex(params["tag"]),
            let ciphertext = Data(base64Encoded: db), !slots.isEmpty
        else {
            return .failure(
                Failure(code: "not-provisioning", message: "an encrypted Aegis vault with no password slot"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted Aegis vault"))
        }
        // Each slot costs a key derivation: try only the first few password slots, and only those whose cost is
        // within the budget (checked with overflow-safe arithmetic before anything runs).
        var refusals: [String] = []
        // One budget for the whole file: four slots at the limit would take four times as long.
        var workLeft = ScryptParameters.Budget.default.work
        for slot in slots.prefix(maximumSlotsTried) {
            guard let salt = hex(slot["salt"]), let key = hex(slot["key"]),
                let keyParams = slot["key_params"] as? [String: Any],
                let keyNonce = hex(keyParams["nonce"]), let keyTag = hex(keyParams["tag"]),
                let n = slot["n"] as? Int, let r = slot["r"] as? Int, let p = slot["p"] as? Int, n > 0, r > 0, p > 0
            else { continue }
            let parameters = ScryptParameters(n: UInt64(n), r: UInt64(r), p: UInt64(p))
            if let refusal = parameters.check(
                budget: .init(memory: ScryptParameters.Budget.default.memory, work: workLeft))
            {
                refusals.append(refusal)
                continue
            }
            workLeft -= parameters.work ?? workLeft
            guard let kek = try? KeyDerivation.scrypt(passphrase: password, salt: salt, parameters: parameters),
                let master = try? AESGCM.open(keyNonce + key + keyTag, key: kek, authenticating: [])
            else { continue }
            guard let content = decryptedJSON(nonce + [UInt8](ciphertext) + tag, key: master) as? [String: Any] else {
                return .failure(
                    Failure(code: "unreadable", message: "the Aegis vault's contents do not decrypt (damaged file)"))
            }
            return .success(content)
        }
        if let refusal = refusals.first, refusals.count == min(slots.count, maximumSlotsTried) {
            return .failure(
                Failure(
                    code: "unreadable",
                    message: "this export's key derivation (scrypt) was not attempted: \(refusal)"))
        }
        let note =
            slots.count > maximumSlotsTried
            ? " (only the first \(maximumSlotsTried) of its \(slots.count) password slots were tried)" : ""
        return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted Aegis vault" + note))
    }

    /// An encrypted 2FAS backup (schema 2 to 4): `servicesEncrypted` is `ciphertext‖tag : salt : nonce`, each in
    /// Base64; the key is PBKDF2-HMAC-SHA256 of the password, 10 000 iterations, 256 bits; AES-256-GCM.
    private static func openTwoFAS(
        _ encrypted: String, passphrase: () -> SecureBytes?
    ) -> Result<[[String: Any]], Failure> {
        let parts = encrypted.split(separator: ":").map { Data(base64Encoded: String($0)) }
        guard parts.count == 3, let body = parts[0], let salt = parts[1], let nonce = parts[2], nonce.count == 12,
            body.count >= 16, salt.count <= 1024
        else {
            return .failure(Failure(code: "not-provisioning", message: "an encrypted 2FAS backup that is damaged"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted 2FAS backup"))
        }
        guard let key = try? KeyDerivation.pbkdf2SHA256(passphrase: password, salt: [UInt8](salt), iterations: 10_000),
            let json = decryptedJSON([UInt8](nonce) + [UInt8](body), key: key)
        else {
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted 2FAS backup"))
        }
        guard let services = json as? [[String: Any]] else {
            return .failure(
                Failure(code: "not-provisioning", message: "the 2FAS backup decrypts to no list of services"))
        }
        return .success(services)
    }

    /// Opens `nonce ‖ ciphertext ‖ tag` (AES-256-GCM) and parses the plaintext as JSON: `nil` when the tag does not
    /// verify (a wrong password); `NSNull` when it verifies but holds no JSON. Shared by the encrypted formats.
    static func decryptedJSON(_ sealed: [UInt8], key: SecureBytes) -> Any? {
        guard let plaintext = try? AESGCM.open(sealed, key: key, authenticating: []) else { return nil }
        let json: Any? = try? plaintext.withUnsafeBytes { raw -> Any in
            try JSONSerialization.jsonObject(with: Data(raw))
        }
        return json ?? NSNull()
    }

    // MARK: 2FAS, andOTP, Bitwarden

    /// A 2FAS service. Schema 1 holds TOTP accounts only (no type, period or digits: the defaults). From schema 2
    /// on, an entry with neither `tokenType` nor `period` was an HOTP account in the app whose counter the export
    /// does not hold: it is read as HOTP without a counter, which the URI rules refuse, never as a TOTP guess with
    /// wrong codes (found by `Scripts/conformance-exports.py` on a real 2FAS export).
    private static func twoFAS(_ service: [String: Any], schema: Int) -> Fields {
        let otp = service["otp"] as? [String: Any] ?? [:]
        if schema >= 2, otp["tokenType"] == nil, otp["period"] == nil, otp["counter"] == nil {
            let issuer = (otp["issuer"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? service["name"] as? String
            var parameters: [String: String] = ["secret": service["secret"] as? String ?? ""]
            if let issuer { parameters["issuer"] = issuer }
            return Fields(
                type: "hotp",
                name: (otp["account"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? otp["label"] as? String,
                parameters: parameters)
        }
        let issuer = (otp["issuer"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? service["name"] as? String
        return fields(
            type: otp["tokenType"] as? String ?? "totp", issuer: issuer,
            name: (otp["account"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? otp["label"] as? String ?? service[
                "name"] as? String,
            secret: service["secret"] as? String, algorithm: otp["algorithm"], digits: otp["digits"],
            period: otp["period"],
            counter: otp["counter"])
    }

    static func andOTP(_ entry: [String: Any]) -> Fields {
        fields(
            type: entry["type"] as? String ?? "totp", issuer: entry["issuer"] as? String,
            name: entry["label"] as? String,
            secret: entry["secret"] as? String, algorithm: entry["algorithm"], digits: entry["digits"],
            period: entry["period"],
            counter: entry["counter"])
    }

    /// A Bitwarden item's `login.totp`: a full URI goes through the URI parser unchanged.
    static func bitwarden(_ item: [String: Any]) -> Entry? {
        guard let login = item["login"] as? [String: Any], let totp = login["totp"] as? String, !totp.isEmpty else {
            return nil
        }
        if OTPAuthURI.hasScheme(totp) { return .uri(totp) }
        let issuer = item["name"] as? String
        let name = (login["username"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? issuer
        if totp.lowercased().hasPrefix("steam://") {
            return .fields(
                fields(
                    type: "steam", issuer: issuer, name: name, secret: String(totp.dropFirst(8)), algorithm: nil,
                    digits: nil, period: nil, counter: nil))
        }
        return .fields(
            fields(
                type: "totp", issuer: issuer, name: name, secret: totp, algorithm: nil, digits: nil, period: nil,
                counter: nil))
    }

    /// One exported account: decoded fields, or a provisioning URI the export stores as is.
    enum Entry {
        case fields(Fields)
        case uri(String)

        var check: URICheck {
            switch self {
            case .fields(let fields): OTPAuthURI.check(fields)
            case .uri(let uri): OTPAuthURI.parse(uri)
            }
        }
    }
}

extension AppExports {
    /// What `otp import` reads, for `otp import --list-formats`: each format, the app or format versions read (those
    /// of the real exports checked, as the files themselves say, or the format version of a published description),
    /// and what it was checked against (real exports from `Scripts/conformance-exports.py`'s corpus, or fixtures made
    /// from a published description).
    public static let formats: [(format: String, versions: String, checked: String)] = [
        (
            "Images: PNG, JPEG, WebP, HEIC (QR codes: otpauth://, Google transfer)", "Google Authenticator transfer v1",
            "zxing corpus, own fixtures"
        ),
        (
            "Text: otpauth:// URIs one per line (Ente Auth, FreeOTP+ lists, zbarimg output)", "Ente Auth plain export",
            "real exports (exact)"
        ),
        ("A file holding only a Base32 key (AWS Base32StringSeed), with --account", "AWS CLI", "own fixtures"),
        ("Aegis vault, plain and encrypted (scrypt + AES-GCM)", "vault version 1", "real exports (exact)"),
        (
            "andOTP plain, the encrypted backup (PBKDF2-SHA1 + AES-GCM) and the old one (SHA-256 + AES-GCM)",
            "andOTP 0.6.3 and later; before 0.6.3", "real exports (exact)"
        ),
        (
            "2FAS schema 1-4, plain and encrypted (PBKDF2-SHA256 + AES-GCM)",
            "2FAS 3.1.1 (schema 1), 3.8.2 (2), 4.0.0 (3), 5.1.0 (4), Android",
            "real exports (exact; schema 2 HOTP refused)"
        ),
        ("Bitwarden JSON and CSV", "unencrypted exports", "real exports (exact)"),
        ("FreeOTP+ JSON", "tokens list", "a real export (exact)"),
        ("Authenticator Pro / Stratum plain JSON", "backup JSON", "a real export (exact)"),
        (
            "Authenticator Pro encrypted backup (Argon2id + AES-GCM) and its legacy format",
            "AUTHENTICATORPRO and legacy AuthenticatorPro headers", "real exports (exact)"
        ),
        ("Proton Authenticator JSON", "export version 1", "a real export (exact)"),
        (
            "Proton Authenticator password-protected export (Argon2id + AES-GCM)", "export version 1",
            "made from the published source"
        ),
        (
            "Authenticator Plus encrypted ZIP (Accounts.txt; ZipCrypto or WinZip AES, through libzip)", "Accounts.txt",
            "a real export (exact)"
        ),
        (
            "Raivo OTP ZIP export (raivo-otp-export.json; WinZip AES or ZipCrypto), or its JSON",
            "string-valued fields", "made from the published source"
        ),
        ("Steam Guard maFile, one or several", "old and current maFiles", "real exports (exact)"),
        ("LastPass Authenticator JSON", "accounts[] export (Aegis issue 1160)", "made from the published description"),
        (
            "Ente Auth encrypted export (Argon2id + XChaCha20-Poly1305)", "export version 1",
            "made from the published description"
        ),
        ("FreeOTP and FreeOTP+ app storage (Android shared_prefs XML)", "FreeOTP 1, FreeOTP+", "real files (exact)"),
        ("Duo Mobile account list (JSON)", "OtpAccount list", "a real file (exact)"),
        (
            "Battle.net Authenticator app storage (Android shared_prefs XML, masked secret)",
            "masked serial and secret",
            "a real file (exact)"
        ),
        (
            "FreeOTP 2 encrypted backup (Java-serialised; PBKDF2 + AES-GCM key wrapping)",
            "backups made on Android API 23, 25, 27 and 34", "5 real files (exact)"
        ),
        (
            "Authy app storage, plain or under a backup password (Android shared_prefs XML)", "key_version 121",
            "real files (exact)"
        ),
        ("TOTP Authenticator app storage (Android shared_prefs XML)", "shared_prefs", "a real file (exact)"),
        ("TOTP Authenticator encrypted backup (SHA-256 key + AES-CBC)", "Base64 backup", "a real file (exact)"),
        (
            "Google Authenticator app database (SQLite, from a rooted phone; import, check, code --from)",
            "accounts table", "a real file (exact)"
        ),
        ("Microsoft Authenticator app database (SQLite; TOTP accounts)", "accounts table", "a real file (exact)"),
        ("Authenticator Pro / Stratum app database (SQLite)", "authenticator table", "a real file (exact)"),
        ("otp vaults (restore from otp backup)", "vault format 1", "own fixtures"),
    ]
}
