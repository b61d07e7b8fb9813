import OTPCore
import OTPImport

/// `{"code": String, "message": String}`: a rejected input's error in JSON output.
struct JSONError: Encodable {
    let code: String
    let message: String
}

extension ScanFileJSON {
    /// An input `otp code --from --json` could not read an account from: `{"source", "error"}`.
    struct Rejected: Encodable {
        let source: String
        let error: JSONError
    }
}

/// One element of `otp scan --json`: `{"file", "payloads", "error": null | JSONError}`.
struct ScanFileJSON: Encodable {
    let file: String
    let payloads: [String]
    let error: JSONError?

    enum CodingKeys: String, CodingKey { case file, payloads, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(payloads, forKey: .payloads)
        try container.encode(error, forKey: .error)  // explicit null, as the contract says
    }
}

/// The contract's `Account`: `{"type", "issuer", "account", "algorithm", "digits", "period", "counter",
/// "secretBits"}` (`period` null for HOTP, `counter` null for TOTP); `encoder` appears only for Steam.
struct AccountJSON: Encodable {
    let account: OTPAccount

    func encode(to encoder: any Encoder) throws {
        try AccountFields.encode(account, id: nil, secretBits: true, to: encoder)
    }
}

/// The fields `Account` and `Entry` share, written in one place.
enum AccountFields {
    enum Key: String, CodingKey {
        case id, type, issuer, account, algorithm, digits, period, counter, secretBits, encoder, note, serial, retired
    }

    static func encode(_ account: OTPAccount, id: String?, secretBits: Bool, to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(account.kind.rawValue, forKey: .type)
        try c.encode(account.issuer, forKey: .issuer)
        try c.encode(account.name, forKey: .account)
        try c.encode(account.algorithm.rawValue, forKey: .algorithm)
        try c.encode(account.digits, forKey: .digits)
        try c.encode(account.kind == .totp ? account.period : nil, forKey: .period)
        try c.encode(account.kind == .hotp ? account.counter : nil, forKey: .counter)
        if secretBits { try c.encode(account.secretBits, forKey: .secretBits) }
        if account.encoder == .steam { try c.encode("steam", forKey: .encoder) }
        // Vault entries only, and only when set (otp edit --note / --serial).
        if id != nil, let note = account.note { try c.encode(note, forKey: .note) }
        if id != nil, let serial = account.awsSerial { try c.encode(serial, forKey: .serial) }
        if id != nil, account.retired { try c.encode(true, forKey: .retired) }
    }
}

/// One element of `otp check --json`: `{"source", "valid", "account", "diagnostics"}`, and for an account that
/// could not be read whole, the `issuer` and `name` that could; `batch` for a Google transfer part.
struct CheckJSON: Encodable {
    struct Batch: Encodable {
        let id: Int32
        let index: Int32
        let size: Int32
    }

    let source: String
    let valid: Bool
    let account: AccountJSON?
    let diagnostics: [Diagnostic]
    var issuer: String?
    var name: String?
    var batch: Batch?

    enum CodingKeys: String, CodingKey { case source, valid, account, diagnostics, issuer, name, batch }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(valid, forKey: .valid)
        try c.encode(account, forKey: .account)
        try c.encode(diagnostics, forKey: .diagnostics)
        if account == nil, let issuer { try c.encode(issuer, forKey: .issuer) }
        if account == nil, let name { try c.encode(name, forKey: .name) }
        if let batch { try c.encode(batch, forKey: .batch) }
    }
}

/// `{"error": {"code", "message"}}`: what every command prints with `--json` when it fails as a whole.
struct ErrorDocument: Encodable {
    struct Body: Encodable {
        let code: String
        let message: String
        var candidates: [Candidate]?
    }

    struct Candidate: Encodable {
        let id: String
        let name: String
    }

    let error: Body
}

/// One code: `{"code", "validFrom", "validUntil"}` for TOTP, `{"code", "counter"}` for HOTP.
struct CodeJSON: Encodable {
    let code: OTPCode

    enum CodingKeys: String, CodingKey { case code, validFrom, validUntil, counter }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.value, forKey: .code)
        if let counter = code.counter {
            try c.encode(counter, forKey: .counter)
        } else {
            try c.encode(code.validFrom, forKey: .validFrom)
            try c.encode(code.validUntil, forKey: .validUntil)
        }
    }
}

/// One element of `otp code --json`: `{"id"?, "issuer", "account", "codes"}` (no `id` with `--from`).
struct AccountCodesJSON: Encodable {
    let id: String?
    let issuer: String?
    let account: String
    let codes: [CodeJSON]

    enum CodingKeys: String, CodingKey { case id, issuer, account, codes }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(issuer, forKey: .issuer)
        try c.encode(account, forKey: .account)
        try c.encode(codes, forKey: .codes)
    }
}

/// The contract's `Entry`: an Account without `secretBits`, plus `id`.
struct EntryJSON: Encodable {
    let id: String
    let account: OTPAccount
    /// Where it came from (`otp import`).
    var source: String?

    init(id: String, account: OTPAccount, source: String? = nil) {
        self.id = id
        self.account = account
        self.source = source
    }

    enum SourceKey: String, CodingKey { case source }

    func encode(to encoder: any Encoder) throws {
        try AccountFields.encode(account, id: id, secretBits: false, to: encoder)
        if let source {
            var c = encoder.container(keyedBy: SourceKey.self)
            try c.encode(source, forKey: .source)
        }
    }
}

/// `otp import --json`: `{"imported", "duplicates", "conflicts", "failed", "warnings"}`.
struct ImportJSON: Encodable {
    struct Failed: Encodable {
        let source: String
        let error: JSONError
    }

    struct Warning: Encodable {
        let source: String
        let severity: String
        let field: String
        let code: String
        let message: String
    }

    let imported: [EntryJSON]
    let duplicates: [EntryJSON]
    let conflicts: [EntryJSON]
    let failed: [Failed]
    let warnings: [Warning]
    /// Export rows (entries) without a one-time code: notes, cards, logins without TOTP. Never errors.
    let skipped: Int
}
