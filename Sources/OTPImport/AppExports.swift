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

    /// The accounts of an export file: each format is tried by decoding its typed model (recognised by content,
    /// never by the file's name).
    ///
    /// - Parameters:
    ///   - text: The file's text.
    ///   - source: The file name, for item sources.
    ///   - passphrase: Asked for when the export is encrypted (`nil` when none can be had).
    public static func accounts(
        in text: String, source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        exportAccounts(in: text, source: source, passphrase: passphrase).map(\.accounts)
    }

    /// The accounts of a JSON export file, and how many of its entries hold no one-time code (a password manager's
    /// notes, cards and logins without TOTP: skipped, not errors).
    public static func exportAccounts(
        in text: String, source: String, passphrase: () -> SecureBytes?
    ) -> Result<(accounts: [(source: String, check: URICheck)], skipped: Int), Failure> {
        let data = Data(text.utf8)
        guard let shape = JSONShape(data) else {
            return .failure(Failure(code: "not-provisioning", message: "not valid JSON, and not a list of URIs"))
        }
        let decoder = JSONDecoder()
        let entries: Result<[Entry], Failure>
        let format: String
        var skipped = 0
        // Each format's model is decoded only when the document has its keys: one parse for the shape, one for the
        // model, however far down the list the format is (a large unknown document is parsed once).
        if shape.object("db", "header"), let aegis = try? decoder.decode(AegisFile.self, from: data) {
            format = "Aegis"
            entries = aegisEntries(aegis, passphrase: passphrase)
        } else if shape.object("services"), let twoFAS = try? decoder.decode(TwoFASFile.self, from: data) {
            format = "2FAS"
            let schema = twoFAS.schemaVersion ?? 1
            if twoFAS.services.isEmpty, let encrypted = twoFAS.servicesEncrypted, !encrypted.isEmpty {
                entries = openTwoFAS(encrypted, passphrase: passphrase).map { decrypted in
                    decrypted.map { .fields($0.fields(schema: schema)) }
                }
            } else {
                entries = .success(twoFAS.services.map { .fields($0.fields(schema: schema)) })
            }
        } else if shape.object("passwordProtected"), let protected = bitwardenProtected(data, passphrase: passphrase) {
            format = "Bitwarden"
            entries = protected
        } else if shape.object("items"), let vault = try? decoder.decode(BitwardenFile.self, from: data) {
            format = "Bitwarden"
            if vault.encrypted == true {
                entries = .failure(
                    Failure(
                        code: "not-provisioning",
                        message: "an account-restricted encrypted Bitwarden export, which only that Bitwarden account "
                            + "can open: export it again as password-protected or unencrypted JSON"))
            } else {
                let found = vault.items.compactMap { item in
                    bitwarden(name: item.name, username: item.login?.username, totp: item.login?.totp)
                }
                skipped = vault.items.count - found.count
                entries = .success(found)
            }
        } else if shape.object("exporterRpId", "accounts"), let cxf = try? decoder.decode(CXFFile.self, from: data) {
            format = "CXF"
            let found = cxfEntries(cxf)
            skipped = found.skipped
            entries = .success(found.entries)
        } else if shape.array("kind"), let raivo = try? decoder.decode([Raivo].self, from: data), !raivo.isEmpty {
            format = "Raivo OTP"
            entries = .success(raivo.map(\.entry))
        } else if shape.array("secret") || shape.emptyArray,
            let andOTP = try? decoder.decode([AndOTPEntry].self, from: data)
        {
            format = "andOTP"
            entries = .success(andOTP.map { .fields($0.fields) })
        } else if shape.object("kdfParams"), let ente = enteEncrypted(data, passphrase: passphrase) {
            format = "Ente Auth"
            entries = ente
        } else if shape.object("salt", "content"), let proton = protonEncrypted(data, passphrase: passphrase) {
            format = "Proton Authenticator"
            entries = proton
        } else if let typed = typedFormats(data, shape: shape) {
            format = typed.format
            entries = .success(typed.entries)
        } else {
            return .failure(
                Failure(code: "not-provisioning", message: "a JSON file of no known authenticator export format"))
        }
        return entries.map { list in
            let accounts = list.enumerated().map { index, entry in
                ("\(source) (\(format) entry \(index + 1) of \(list.count))", entry.check)
            }
            return (accounts, skipped)
        }
    }

    typealias Fields = OTPAuthURI.Fields

    /// A JSON document's top-level keys (an object's, or an array's first element's), read in one parse, so that
    /// each format's model is decoded only when the document could be one.
    struct JSONShape {
        let isArray: Bool
        let emptyArray: Bool
        let keys: Set<String>

        /// `nil` when the data is not JSON. Read with `JSONDecoder`, whose parse costs a fraction of
        /// `JSONSerialization`'s (no Foundation object per value).
        init?(_ data: Data) {
            guard let probe = try? JSONDecoder().decode(Probe.self, from: data) else { return nil }
            isArray = probe.isArray
            emptyArray = probe.emptyArray
            keys = probe.keys
        }

        private struct AnyKey: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        private struct Keys: Decodable {
            let keys: Set<String>
            init(from decoder: Decoder) throws {
                keys = Set((try? decoder.container(keyedBy: AnyKey.self))?.allKeys.map(\.stringValue) ?? [])
            }
        }

        private struct Probe: Decodable {
            var isArray = false
            var emptyArray = false
            var keys: Set<String> = []

            init(from decoder: Decoder) throws {
                if let object = try? decoder.container(keyedBy: AnyKey.self) {
                    keys = Set(object.allKeys.map(\.stringValue))
                } else if var array = try? decoder.unkeyedContainer() {
                    isArray = true
                    emptyArray = array.isAtEnd
                    if !array.isAtEnd { keys = (try? array.decode(Keys.self))?.keys ?? [] }
                } else {
                    _ = try decoder.singleValueContainer()  // a number, a string, true, false or null
                }
            }
        }

        /// An object with all these keys.
        func object(_ required: String...) -> Bool { !isArray && keys.isSuperset(of: required) }
        /// An array whose first element has all these keys.
        func array(_ required: String...) -> Bool { isArray && keys.isSuperset(of: required) }
    }

    /// A value an app writes as a string or a number (digits, period, counter). Decoding never fails on it: a value
    /// of another kind becomes text the URI checker refuses by name, so one odd entry does not hide the others.
    struct LenientString: Decodable {
        let value: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                value = text
            } else if let integer = try? container.decode(Int64.self) {
                value = String(integer)
            } else if let number = try? container.decode(Double.self) {
                value = String(number)
            } else {
                value = "(neither a number nor text)"
            }
        }
    }

    /// An account's fields as the exports name them, into the URI checker's parameters (a value the file writes as
    /// a number or a string is taken as text; the checker says what is wrong with it).
    static func fields(
        type: String, issuer: String?, name: String?, secret: String?, algorithm: String?, digits: String?,
        period: String?, counter: String?
    ) -> Fields {
        var parameters: [String: String] = [:]
        parameters["secret"] = secret ?? ""
        if let issuer, !issuer.isEmpty { parameters["issuer"] = issuer }
        if let algorithm {
            parameters["algorithm"] = algorithm.replacingOccurrences(of: "-", with: "")
        }
        var kind = type.lowercased()
        if kind == "steam" {
            parameters["encoder"] = "steam"
            kind = "totp"
        } else if let digits {
            parameters["digits"] = digits
        }
        if kind == "totp", let period { parameters["period"] = period }
        if kind == "hotp" { parameters["counter"] = counter ?? "0" }
        return Fields(type: kind, labelIssuer: nil, name: name ?? "", parameters: parameters)
    }

    // MARK: Aegis

    /// An Aegis vault (`docs/vault.md`): `db` is the content, or its ciphertext in Base64 when `header` has slots.
    struct AegisFile: Decodable {
        struct Params: Decodable {
            let nonce: String
            let tag: String
        }
        struct Slot: Decodable {
            let type: Int
            let key: String?
            let key_params: Params?
            let salt: String?
            let n: Int?
            let r: Int?
            let p: Int?
        }
        struct Header: Decodable {
            let slots: [Slot]?
            let params: Params?
        }
        struct Entry: Decodable {
            struct Info: Decodable {
                let secret: String?
                let algo: LenientString?
                let digits: LenientString?
                let period: LenientString?
                let counter: LenientString?
            }
            let type: String
            let name: String?
            let issuer: String?
            let info: Info
        }
        struct Content: Decodable {
            let entries: [Entry]
        }
        enum Database: Decodable {
            case plain(Content)
            case sealed(String)

            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let sealed = try? container.decode(String.self) {
                    self = .sealed(sealed)
                } else {
                    self = .plain(try container.decode(Content.self))
                }
            }
        }
        let header: Header
        let db: Database
    }

    private static func aegisEntries(_ file: AegisFile, passphrase: () -> SecureBytes?) -> Result<[Entry], Failure> {
        let content: AegisFile.Content
        switch file.db {
        case .plain(let plain): content = plain
        case .sealed(let ciphertext):
            switch openAegis(header: file.header, db: ciphertext, passphrase: passphrase) {
            case .success(let decrypted): content = decrypted
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(
            content.entries.map { entry in
                .fields(
                    fields(
                        type: entry.type, issuer: entry.issuer, name: entry.name, secret: entry.info.secret,
                        algorithm: entry.info.algo?.value, digits: entry.info.digits?.value,
                        period: entry.info.period?.value, counter: entry.info.counter?.value))
            })
    }

    static func hex(_ text: String?) -> [UInt8]? {
        guard let text, text.utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            guard let next = text.index(index, offsetBy: 2, limitedBy: text.endIndex),
                let byte = UInt8(text[index..<next], radix: 16)
            else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// The most password slots of one export tried (each costs a key derivation; Aegis writes one).
    static let maximumSlotsTried = 4

    private static func openAegis(
        header: AegisFile.Header, db: String, passphrase: () -> SecureBytes?
    ) -> Result<AegisFile.Content, Failure> {
        let slots = (header.slots ?? []).filter { $0.type == 1 }
        guard let params = header.params, let nonce = hex(params.nonce), let tag = hex(params.tag),
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
            guard let salt = hex(slot.salt), let key = hex(slot.key), let keyParams = slot.key_params,
                let keyNonce = hex(keyParams.nonce), let keyTag = hex(keyParams.tag),
                let n = slot.n, let r = slot.r, let p = slot.p, n > 0, r > 0, p > 0
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
            guard let content = decrypted(AegisFile.Content.self, nonce + [UInt8](ciphertext) + tag, key: master)
            else {
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
    ) -> Result<[TwoFASFile.Service], Failure> {
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
            let plaintext = try? AESGCM.open([UInt8](nonce) + [UInt8](body), key: key, authenticating: [])
        else {
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted 2FAS backup"))
        }
        guard let services = decoded([TwoFASFile.Service].self, plaintext) else {
            return .failure(
                Failure(code: "not-provisioning", message: "the 2FAS backup decrypts to no list of services"))
        }
        return .success(services)
    }

    /// Opens `nonce ‖ ciphertext ‖ tag` (AES-256-GCM) and decodes the plaintext: `nil` when the tag does not verify
    /// (a wrong password) or the plaintext is not a `T`. Shared by the encrypted formats.
    static func decrypted<T: Decodable>(_ type: T.Type, _ sealed: [UInt8], key: SecureBytes) -> T? {
        guard let plaintext = try? AESGCM.open(sealed, key: key, authenticating: []) else { return nil }
        return decoded(type, plaintext)
    }

    /// Decodes JSON held in a wiped buffer.
    static func decoded<T: Decodable>(_ type: T.Type, _ plaintext: SecureBytes) -> T? {
        plaintext.withUnsafeBytes { raw in try? JSONDecoder().decode(type, from: Data(raw)) }
    }

    // MARK: 2FAS, andOTP, Bitwarden

    /// A 2FAS backup: `services[]` (plain) or `servicesEncrypted`, and the schema version.
    struct TwoFASFile: Decodable {
        struct Service: Decodable {
            struct OTP: Decodable {
                let label: String?
                let account: String?
                let issuer: String?
                let digits: LenientString?
                let period: LenientString?
                let algorithm: String?
                let tokenType: String?
                let counter: LenientString?
            }
            let name: String?
            let secret: String?
            let otp: OTP?

            /// Schema 1 holds TOTP accounts only (no type, period or digits: the defaults). From schema 2 on, an
            /// entry with neither `tokenType` nor `period` was an HOTP account in the app whose counter the export
            /// does not hold: it is read as HOTP without a counter, which the URI rules refuse, never as a TOTP guess
            /// with wrong codes (found by `Scripts/conformance-exports.py` on a real 2FAS export).
            func fields(schema: Int) -> Fields {
                let otp = otp
                let issuer = otp?.issuer.flatMap { $0.isEmpty ? nil : $0 } ?? name
                let account = otp?.account.flatMap { $0.isEmpty ? nil : $0 }
                if schema >= 2, otp?.tokenType == nil, otp?.period == nil, otp?.counter == nil {
                    var parameters: [String: String] = ["secret": secret ?? ""]
                    if let issuer { parameters["issuer"] = issuer }
                    return Fields(type: "hotp", name: account ?? otp?.label, parameters: parameters)
                }
                return AppExports.fields(
                    type: otp?.tokenType ?? "totp", issuer: issuer, name: account ?? otp?.label ?? name,
                    secret: secret, algorithm: otp?.algorithm, digits: otp?.digits?.value,
                    period: otp?.period?.value, counter: otp?.counter?.value)
            }
        }
        let schemaVersion: Int?
        let services: [Service]
        let servicesEncrypted: String?
    }

    /// An andOTP entry (plain and encrypted backups): `{secret, issuer, label, digits, type, algorithm, period,
    /// counter}`.
    struct AndOTPEntry: Decodable {
        let secret: String
        var issuer: String?
        var label: String?
        let digits: LenientString?
        let type: String?
        let algorithm: String?
        let period: LenientString?
        let counter: LenientString?

        var fields: Fields {
            AppExports.fields(
                type: type ?? "totp", issuer: issuer, name: label, secret: secret, algorithm: algorithm,
                digits: digits?.value, period: period?.value, counter: counter?.value)
        }
    }

    /// A Bitwarden JSON export (unencrypted): `items[]` with `name` and `login{username, totp}`.
    struct BitwardenFile: Decodable {
        struct Item: Decodable {
            struct Login: Decodable {
                let username: String?
                let totp: String?
            }
            let name: String?
            let login: Login?
        }
        let encrypted: Bool?
        let items: [Item]
    }

    /// A Bitwarden item's `login.totp` (JSON and CSV exports): a full URI goes through the URI parser unchanged; a
    /// bare Base32 secret is a 6-digit, 30 s SHA1 TOTP; `steam://SECRET` a Steam account. The item name is the
    /// issuer, the username the account (the item name when there is none).
    static func bitwarden(name issuer: String?, username: String?, totp: String?) -> Entry? {
        guard let totp, !totp.isEmpty else { return nil }
        if OTPAuthURI.hasScheme(totp) { return .uri(totp) }
        let name = username.flatMap { $0.isEmpty ? nil : $0 } ?? issuer
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

    /// One exported account: decoded fields, or a provisioning URI the export stores as is, or a check already made
    /// (a line too long to be read).
    enum Entry {
        case fields(Fields)
        case uri(String)
        case checked(URICheck)

        var check: URICheck {
            switch self {
            case .fields(let fields): OTPAuthURI.check(fields)
            case .uri(let uri): OTPAuthURI.parse(uri)
            case .checked(let check): check
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
        (
            "Password managers' CSV with an otpauth:// column: KeePassXC, Apple Passwords, 1Password 8, Proton Pass, "
                + "any header (rows without a code are counted)",
            "KeePassXC 2.7, 1Password 8, macOS 15 Passwords, Proton Pass", "made from the published column lists"
        ),
        ("Plain CSV: name,secret,issuer[,digits,period,algorithm,type,counter]", "header row", "own fixtures"),
        (
            "FIDO Credential Exchange Format (CXF), unencrypted JSON: totp credentials", "CXF 1.0",
            "made from the published specification"
        ),
        (
            "Bitwarden password-protected JSON (PBKDF2-SHA256 or Argon2id, AES-CBC + HMAC)",
            "encrypted export with passwordProtected", "made from the published source"
        ),
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
