public import OTPCore
public import OTPImport

/// `{"code": String, "message": String}`: a rejected input's error in JSON output.
package struct JSONError: Encodable {
    package let code: String
    package let message: String

    package init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

extension ScanFileJSON {
    /// An input `otp code --from --json` could not read an account from: `{"source", "error"}`.
    package struct Rejected: Encodable {
        package let source: String
        package let error: JSONError

        package init(source: String, error: JSONError) {
            self.source = source
            self.error = error
        }
    }
}

/// One element of `otp scan --json`: `{"file", "payloads", "error": null | JSONError}`.
package struct ScanFileJSON: Encodable {
    package let file: String
    package let payloads: [String]
    package let error: JSONError?

    enum CodingKeys: String, CodingKey { case file, payloads, error }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(payloads, forKey: .payloads)
        try container.encode(error, forKey: .error)  // explicit null, as the contract says
    }

    package init(file: String, payloads: [String], error: JSONError?) {
        self.file = file
        self.payloads = payloads
        self.error = error
    }
}

/// The contract's `Account`: `{"type", "issuer", "account", "algorithm", "digits", "period", "counter",
/// "secretBits"}` (`period` null for HOTP, `counter` null for TOTP); `encoder` appears only for Steam.
package struct AccountJSON: Encodable {
    package let account: OTPAccount

    package func encode(to encoder: any Encoder) throws {
        try AccountFields.encode(account, id: nil, secretBits: true, to: encoder)
    }

    package init(account: OTPAccount) {
        self.account = account
    }
}

/// The fields `Account` and `Entry` share, written in one place.
package enum AccountFields {
    package enum Key: String, CodingKey {
        case id, type, issuer, account, algorithm, digits, period, counter, secretBits, encoder, note, serial, retired
    }

    package static func encode(_ account: OTPAccount, id: String?, secretBits: Bool, to encoder: any Encoder) throws {
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
package struct CheckJSON: Encodable {
    package struct Batch: Encodable {
        package let id: Int32
        package let index: Int32
        package let size: Int32

        package init(id: Int32, index: Int32, size: Int32) {
            self.id = id
            self.index = index
            self.size = size
        }
    }

    package let source: String
    package let valid: Bool
    package let account: AccountJSON?
    package let diagnostics: [Diagnostic]
    package var issuer: String?
    package var name: String?
    package var batch: Batch?

    enum CodingKeys: String, CodingKey { case source, valid, account, diagnostics, issuer, name, batch }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(valid, forKey: .valid)
        try c.encode(account, forKey: .account)
        try c.encode(diagnostics, forKey: .diagnostics)
        if account == nil, let issuer { try c.encode(issuer, forKey: .issuer) }
        if account == nil, let name { try c.encode(name, forKey: .name) }
        if let batch { try c.encode(batch, forKey: .batch) }
    }

    package init(
        source: String, valid: Bool, account: AccountJSON?, diagnostics: [Diagnostic], issuer: String? = nil,
        name: String? = nil, batch: Batch? = nil
    ) {
        self.source = source
        self.valid = valid
        self.account = account
        self.diagnostics = diagnostics
        self.issuer = issuer
        self.name = name
        self.batch = batch
    }
}

/// `{"error": {"code", "message"}}`: what every command prints with `--json` when it fails as a whole.
package struct ErrorDocument: Encodable {
    package struct Body: Encodable {
        package let code: String
        package let message: String
        package var candidates: [Candidate]?

        package init(code: String, message: String, candidates: [Candidate]? = nil) {
            self.code = code
            self.message = message
            self.candidates = candidates
        }
    }

    package struct Candidate: Encodable {
        package let id: String
        package let name: String

        package init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    package let error: Body

    package init(error: Body) {
        self.error = error
    }
}

/// One code: `{"code", "validFrom", "validUntil"}` for TOTP, `{"code", "counter"}` for HOTP.
package struct CodeJSON: Encodable {
    package let code: OTPCode

    enum CodingKeys: String, CodingKey { case code, validFrom, validUntil, counter }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.value, forKey: .code)
        if let counter = code.counter {
            try c.encode(counter, forKey: .counter)
        } else {
            try c.encode(code.validFrom, forKey: .validFrom)
            try c.encode(code.validUntil, forKey: .validUntil)
        }
    }

    package init(code: OTPCode) {
        self.code = code
    }
}

/// One element of `otp code --json`: `{"id"?, "issuer", "account", "codes"}` (no `id` with `--from`).
package struct AccountCodesJSON: Encodable {
    package let id: String?
    package let issuer: String?
    package let account: String
    package let codes: [CodeJSON]

    enum CodingKeys: String, CodingKey { case id, issuer, account, codes }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        if let id { try c.encode(id, forKey: .id) }
        try c.encode(issuer, forKey: .issuer)
        try c.encode(account, forKey: .account)
        try c.encode(codes, forKey: .codes)
    }

    package init(id: String?, issuer: String?, account: String, codes: [CodeJSON]) {
        self.id = id
        self.issuer = issuer
        self.account = account
        self.codes = codes
    }
}

/// The contract's `Entry`: an Account without `secretBits`, plus `id`.
package struct EntryJSON: Encodable {
    package let id: String
    package let account: OTPAccount
    /// Where it came from (`otp import`).
    package var source: String?

    package init(id: String, account: OTPAccount, source: String? = nil) {
        self.id = id
        self.account = account
        self.source = source
    }

    enum SourceKey: String, CodingKey { case source }

    package func encode(to encoder: any Encoder) throws {
        try AccountFields.encode(account, id: id, secretBits: false, to: encoder)
        if let source {
            var c = encoder.container(keyedBy: SourceKey.self)
            try c.encode(source, forKey: .source)
        }
    }
}

/// `otp import --json`: `{"imported", "duplicates", "conflicts", "failed", "warnings"}`.
package struct ImportJSON: Encodable {
    package struct Failed: Encodable {
        package let source: String
        package let error: JSONError

        package init(source: String, error: JSONError) {
            self.source = source
            self.error = error
        }
    }

    package struct Warning: Encodable {
        package let source: String
        package let severity: String
        package let field: String
        package let code: String
        package let message: String

        package init(source: String, severity: String, field: String, code: String, message: String) {
            self.source = source
            self.severity = severity
            self.field = field
            self.code = code
            self.message = message
        }
    }

    package let imported: [EntryJSON]
    package let duplicates: [EntryJSON]
    package let conflicts: [EntryJSON]
    package let failed: [Failed]
    package let warnings: [Warning]
    /// Export rows (entries) without a one-time code: notes, cards, logins without TOTP. Never errors.
    package let skipped: Int

    package init(
        imported: [EntryJSON], duplicates: [EntryJSON], conflicts: [EntryJSON], failed: [Failed], warnings: [Warning],
        skipped: Int
    ) {
        self.imported = imported
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.failed = failed
        self.warnings = warnings
        self.skipped = skipped
    }
}
