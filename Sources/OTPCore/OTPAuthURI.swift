import OTPCrypto

/// The result of reading one `otpauth://` URI: the account when it is valid, and every finding.
public struct URICheck: Sendable {
    /// The account; `nil` when any diagnostic is an error.
    public let account: OTPAccount?
    /// Every error and warning, in the order of the URI's parts.
    public let diagnostics: [Diagnostic]
    /// The issuer as far as it could be read (for reports about invalid URIs). Untrusted text.
    public let issuer: String?
    /// The account name as far as it could be read. Untrusted text.
    public let name: String?

    /// Creates a check result.
    public init(account: OTPAccount?, diagnostics: [Diagnostic], issuer: String?, name: String?) {
        self.account = account
        self.diagnostics = diagnostics
        self.issuer = issuer
        self.name = name
    }

    /// Whether no diagnostic is an error.
    public var isValid: Bool { account != nil }

    /// The same check with warnings promoted to errors (`otp check --strict`).
    public func strict() -> URICheck {
        let promoted = diagnostics.map { d -> Diagnostic in
            var copy = d
            copy.severity = .error
            return copy
        }
        return URICheck(account: promoted.isEmpty ? account : nil, diagnostics: promoted, issuer: issuer, name: name)
    }
}

/// Parser, validator and serializer for Key-Uri-Format provisioning URIs
/// (`otpauth://TYPE/LABEL?PARAMETERS`).
///
/// The rules are those of DESIGN.md's validation table. Where that table and the Key-Uri-Format text leave a
/// question open, this parser decides as follows:
/// - The scheme, the type and parameter *names* are case-insensitive (`OTPAUTH://TOTP/x?SECRET=…` is accepted);
///   unknown parameters keep the name as written.
/// - In the label `+` is a literal plus (RFC 3986 paths); in parameter values `+` means a space, as HTML form
///   encoding has it and as Google Authenticator (Android's `Uri.getQueryParameter`), pyotp and Aegis read it
///   (`issuer=Air+Canada` is "Air Canada"). The Base32 secret has no `+`, so this never changes a key.
/// - The label is split at its first `:` after percent-decoding, so `%3A` separates like `:`; spaces after the
///   separator are trimmed, spaces before it are kept. An empty prefix (`:alice`) counts as no issuer. One
///   refinement: when the `issuer` parameter is given and the label starts with that issuer and a colon, the split
///   is made there, so an issuer that itself holds a colon (`Text: More Text:Secret`) is not cut in two.
/// - An empty `issuer=` counts as absent. With an issuer in the label and a different one in the parameter, the
///   parameter wins (warning `issuer-mismatch`).
/// - The secret may contain spaces and trailing `=`; a length that cannot encode whole bytes (1, 3 or 6
///   characters past a multiple of 8) is an error; extra low bits of the last character are ignored.
/// - A `period` on an HOTP URI and a `counter` on a TOTP URI are ignored with a warning.
/// - Steam Guard: `encoder=steam`, type `steam`, or issuer `Steam` with `digits=5`; codes then have 5
///   characters and a `digits` other than 5 is ignored with a warning (`digits-ignored`).
/// - A `#fragment` is not special: otpauth URIs in the wild do not use fragments, and `#` is not Base32.
///
/// Diagnostic codes: ``Diagnostic/Code``.
public enum OTPAuthURI {
    /// URIs longer than this (64 KiB) are refused before parsing.
    public static let maximumLength = 65_536
    /// Secrets longer than this many characters are refused.
    public static let maximumSecretLength = 1024
    /// RFC 4226 §4 requires 128 bits (and recommends 160); shorter secrets get a warning.
    public static let recommendedSecretBits = 128

    /// Whether `text` starts with the `otpauth://` scheme (case-insensitive).
    public static func hasScheme(_ text: String) -> Bool {
        text.utf8.count >= 10 && text.prefix(10).lowercased() == "otpauth://"
    }

    /// Parses and validates an `otpauth://` URI, collecting every diagnostic rather than stopping at the first.
    public static func parse(_ uri: String) -> URICheck {
        var checker = FieldChecker(diagnostics: [])
        guard checker.scheme(of: uri) else {
            return URICheck(account: nil, diagnostics: checker.diagnostics, issuer: nil, name: nil)
        }
        // otpauth://TYPE/LABEL?QUERY
        let rest = uri.dropFirst(10)
        let queryStart = rest.firstIndex(of: "?")
        let beforeQuery = rest[..<(queryStart ?? rest.endIndex)]
        let query = queryStart.map { rest[rest.index(after: $0)...] } ?? ""
        let slash = beforeQuery.firstIndex(of: "/")
        let typeText = String(beforeQuery[..<(slash ?? beforeQuery.endIndex)])
        let label = checker.label(slash.map { beforeQuery[beforeQuery.index(after: $0)...] } ?? "")
        let (parameters, extras) = checker.parameters(query)
        let (labelIssuer, name) = splitLabel(label, issuerParameter: parameters["issuer"])
        return check(
            Fields(type: typeText, labelIssuer: labelIssuer, name: name, parameters: parameters, extras: extras),
            diagnostics: checker.diagnostics)
    }

    /// The label's issuer prefix and account name: split at the issuer parameter when the label starts with it and
    /// a colon (so `Text: More Text:Secret` stays whole), else at the first colon; spaces after it are dropped.
    static func splitLabel(_ label: String?, issuerParameter: String?) -> (issuer: String?, name: String?) {
        guard let label else { return (nil, nil) }
        var split = label.firstIndex(of: ":")
        if let issuerParameter, !issuerParameter.isEmpty, label.hasPrefix(issuerParameter + ":") {
            split = label.index(label.startIndex, offsetBy: issuerParameter.count)
        }
        guard let colon = split else { return (nil, label) }
        let prefix = String(label[..<colon])
        return (prefix.isEmpty ? nil : prefix, String(label[label.index(after: colon)...].drop { $0 == " " }))
    }

    /// The decoded parts of a provisioning URI, or of an account read from another app's export, ready for
    /// validation by ``check(_:diagnostics:)``.
    public struct Fields: Sendable {
        /// `totp`, `hotp` or `steam` (case-insensitive); anything else is an `unknown-type` error.
        public var type: String
        /// The issuer written before the account name (`Issuer:name`), if any.
        public var labelIssuer: String?
        /// The account name; `nil` when there was no label.
        public var name: String?
        /// Known parameters by lower-case name (`secret`, `issuer`, `algorithm`, `digits`, `period`, `counter`,
        /// `encoder`), as text.
        public var parameters: [String: String]
        /// Other parameters, kept on the account.
        public var extras: [OTPAccount.Parameter]
        /// The secret as key bytes, for formats that carry bytes rather than Base32 text (Google transfer
        /// payloads); when set, the `secret` parameter is not read.
        public var secretBytes: SecureBytes?

        /// Creates fields.
        public init(
            type: String, labelIssuer: String? = nil, name: String?, parameters: [String: String],
            extras: [OTPAccount.Parameter] = [], secretBytes: SecureBytes? = nil
        ) {
            self.secretBytes = secretBytes
            self.type = type
            self.labelIssuer = labelIssuer
            self.name = name
            self.parameters = parameters
            self.extras = extras
        }
    }

    /// Validates decoded fields with every rule of the validation table (the part of ``parse(_:)`` after
    /// decoding), adding to `diagnostics` found while decoding.
    public static func check(_ fields: Fields, diagnostics initial: [Diagnostic] = []) -> URICheck {
        var checker = FieldChecker(diagnostics: initial)
        let kind = checker.type(fields.type)
        checker.name(fields.name)
        let issuer = checker.issuer(label: fields.labelIssuer, parameter: fields.parameters["issuer"])
        let steam = checker.steam(type: fields.type, parameters: fields.parameters, issuer: issuer)
        let secret = checker.secret(bytes: fields.secretBytes, text: fields.parameters["secret"])
        let algorithm = checker.algorithm(fields.parameters["algorithm"])
        let digits = checker.digits(fields.parameters["digits"], steam: steam)
        let period = checker.period(fields.parameters["period"], kind: kind)
        let counter = checker.counter(fields.parameters["counter"], kind: kind)
        checker.lookAlikes(name: fields.name, issuer: issuer)
        let diagnostics = checker.sorted()
        guard let kind, let secret, let name = fields.name, !diagnostics.contains(where: { $0.severity == .error })
        else {
            return URICheck(account: nil, diagnostics: diagnostics, issuer: issuer, name: fields.name)
        }
        let account = OTPAccount(
            kind: kind, issuer: issuer, name: name, secret: secret, algorithm: algorithm, digits: digits,
            period: period, counter: counter, encoder: steam ? .steam : .decimal, extraParameters: fields.extras)
        return URICheck(account: account, diagnostics: diagnostics, issuer: issuer, name: name)
    }

    /// Serializes an account as a canonical `otpauth://` URI that ``parse(_:)`` reads back to an equal account.
    ///
    /// The label is `issuer:name` (percent-encoded); the parameters are `secret` (Base32, no padding), `issuer`,
    /// `algorithm`, `digits`, `period` or `counter`, `encoder` for Steam, then the extra parameters in order.
    /// The result contains the secret: never log it.
    public static func string(for account: OTPAccount) -> String {
        var label = PercentEncoding.encode(account.name)
        if let issuer = account.issuer, !issuer.isEmpty { label = PercentEncoding.encode(issuer) + ":" + label }
        var query = ["secret=" + account.secret.withUnsafeBytes { Base32.encode($0) }]
        if let issuer = account.issuer, !issuer.isEmpty { query.append("issuer=" + PercentEncoding.encode(issuer)) }
        query.append("algorithm=" + account.algorithm.rawValue)
        query.append("digits=\(account.digits)")
        switch account.kind {
        case .totp: query.append("period=\(account.period)")
        case .hotp: query.append("counter=\(account.counter)")
        }
        if account.encoder == .steam { query.append("encoder=steam") }
        for extra in account.extraParameters {
            query.append(
                PercentEncoding.encode(extra.name, keepingAt: false) + "="
                    + PercentEncoding.encode(extra.value, keepingAt: false))
        }
        return "otpauth://\(account.kind.rawValue)/\(label)?" + query.joined(separator: "&")
    }

    /// A strict unsigned decimal: ASCII digits only (no sign, no spaces), `nil` on overflow past `UInt64`.
    static func parseInteger(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text) ?? (text.utf8.count > 19 ? UInt64.max : nil)
    }

    /// Whether text holds C0/C1 control characters or DEL (``UntrustedText/hasControlCharacters(_:)``).
    static func containsControlCharacters(_ text: String) -> Bool {
        UntrustedText.hasControlCharacters(text)
    }

    /// Untrusted text shortened and escaped, for diagnostics.
    static func printable(_ text: String, limit: Int) -> String {
        UntrustedText.escaped(text, limit: limit)
    }
}
