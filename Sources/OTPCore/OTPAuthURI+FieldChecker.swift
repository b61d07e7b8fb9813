import OTPCrypto

extension OTPAuthURI {
    /// The validation table, one small function per field (``OTPAuthURI/check(_:diagnostics:)`` calls them in
    /// order). Each returns the field's value (or its default) and records what it found.
    struct FieldChecker {
        var diagnostics: [Diagnostic]

        mutating func fail(_ field: Diagnostic.Field, _ code: Diagnostic.Code, _ message: String) {
            diagnostics.append(Diagnostic(.error, field, code, message))
        }

        mutating func warn(_ field: Diagnostic.Field, _ code: Diagnostic.Code, _ message: String) {
            diagnostics.append(Diagnostic(.warning, field, code, message))
        }

        /// Diagnostics grouped by field in the contract's order; the order within a field is kept.
        func sorted() -> [Diagnostic] {
            let order = Dictionary(uniqueKeysWithValues: Diagnostic.Field.allCases.enumerated().map { ($1, $0) })
            return diagnostics.sorted { (order[$0.field] ?? 0) < (order[$1.field] ?? 0) }
        }

        // MARK: Decoding steps of parse(_:)

        /// At most ``OTPAuthURI/maximumLength`` bytes, scheme `otpauth` (case-insensitive).
        mutating func scheme(of uri: String) -> Bool {
            guard uri.utf8.count <= maximumLength else {
                fail(.uri, .uriTooLong, "the URI is \(uri.utf8.count) bytes long; the limit is \(maximumLength)")
                return false
            }
            guard !hasScheme(uri) else { return true }
            let scheme = uri.firstRange(of: "://").map { String(uri[..<$0.lowerBound]) }
            if let scheme, scheme.count <= 40,
                scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
            {
                fail(.scheme, .notOtpauth, "the scheme is '\(scheme)', not 'otpauth'")
            } else {
                fail(.scheme, .notOtpauth, "this is not an otpauth:// URI")
            }
            return false
        }

        /// The percent-decoded label: UTF-8, no control characters.
        mutating func label(_ text: Substring) -> String? {
            do throws(PercentEncoding.MalformedEscape) {
                let bytes = try PercentEncoding.decode(text)
                guard let label = String(validating: bytes, as: UTF8.self) else {
                    fail(.label, .labelNotUtf8, "the label's percent-encoding does not decode to UTF-8")
                    return nil
                }
                if containsControlCharacters(label) {
                    fail(.label, .labelControlCharacters, "the label contains control characters")
                }
                return label
            } catch {
                fail(
                    .label, .labelBadEscape,
                    "the label has a '%' not followed by two hex digits (byte \(error.offset))")
                return nil
            }
        }

        /// The parameters the rules know, by lower-case name, and the others in order. Names are case-insensitive;
        /// a name given twice is an error; values are percent-decoded with `+` as a space.
        mutating func parameters(_ query: Substring) -> ([String: String], [OTPAccount.Parameter]) {
            var parameters: [String: String] = [:]
            var extras: [OTPAccount.Parameter] = []
            var seen: Set<String> = []
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                let equals = pair.firstIndex(of: "=")
                guard let nameBytes = try? PercentEncoding.decode(pair[..<(equals ?? pair.endIndex)]),
                    let name = String(validating: nameBytes, as: UTF8.self)
                else {
                    fail(.uri, .badEscape, "a parameter name has a malformed percent-escape")
                    continue
                }
                let key = name.lowercased()
                let field = Self.knownParameters[key] ?? .uri
                guard seen.insert(key).inserted else {
                    fail(
                        field, .duplicateParameter,
                        "the parameter '\(printable(name, limit: 40))' is given more than once")
                    continue
                }
                guard let value = parameterValue(equals.map { pair[pair.index(after: $0)...] } ?? "", name, field)
                else { continue }
                if Self.knownParameters[key] != nil {
                    parameters[key] = value
                } else {
                    extras.append(OTPAccount.Parameter(name: name, value: value))
                }
            }
            return (parameters, extras)
        }

        /// The parameters the validation table reads, and the field their diagnostics name.
        static let knownParameters: [String: Diagnostic.Field] = [
            "secret": .secret, "issuer": .issuer, "algorithm": .algorithm, "digits": .digits, "period": .period,
            "counter": .counter, "encoder": .type,
        ]

        mutating func parameterValue(_ raw: Substring, _ name: String, _ field: Diagnostic.Field) -> String? {
            do throws(PercentEncoding.MalformedEscape) {
                let bytes = try PercentEncoding.decode(raw, plusAsSpace: true)
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    fail(field, .notUtf8, "the value of '\(printable(name, limit: 40))' does not decode to UTF-8")
                    return nil
                }
                return text
            } catch {
                fail(
                    field, .badEscape,
                    "the value of '\(printable(name, limit: 40))' has a '%' not followed by two hex digits")
                return nil
            }
        }

        // MARK: The validation table

        /// `totp`, `hotp` or `steam` (a TOTP variant), case-insensitive.
        mutating func type(_ text: String) -> OTPAccount.Kind? {
            switch text.lowercased() {
            case "totp", "steam": return .totp
            case "hotp": return .hotp
            case "":
                fail(.type, .unknownType, "the OTP type is missing: expected otpauth://totp/… or otpauth://hotp/…")
            default:
                fail(.type, .unknownType, "unknown OTP type '\(printable(text, limit: 20))': expected totp or hotp")
            }
            return nil
        }

        /// The account name must be present and not empty.
        mutating func name(_ name: String?) {
            if let name, name.isEmpty {
                fail(.label, .accountEmpty, "the account name (the label after the issuer) is empty")
            } else if name == nil, !diagnostics.contains(where: { $0.field == .label }) {
                fail(.label, .accountEmpty, "there is no account name")
            }
        }

        /// The issuer: the parameter wins over the label prefix (a mismatch is a warning); no control characters.
        mutating func issuer(label: String?, parameter: String?) -> String? {
            if let label, containsControlCharacters(label) {
                fail(.issuer, .issuerControlCharacters, "the issuer in the label contains control characters")
            }
            guard let parameter, !parameter.isEmpty else {
                if label == nil {
                    warn(
                        .issuer, .issuerMissing,
                        "no issuer, neither in the label nor as a parameter: the account will be hard to tell apart")
                }
                return label
            }
            if containsControlCharacters(parameter) {
                fail(.issuer, .issuerControlCharacters, "the issuer parameter contains control characters")
            }
            if let label, label != parameter {
                warn(
                    .issuer, .issuerMismatch,
                    "the label says issuer '\(printable(label, limit: 60))' but the issuer parameter says "
                        + "'\(printable(parameter, limit: 60))'; the parameter is used")
            }
            return parameter
        }

        /// Steam Guard: type `steam`, `encoder=steam`, or issuer Steam with `digits=5`.
        mutating func steam(type: String, parameters: [String: String], issuer: String?) -> Bool {
            let encoder = parameters["encoder"]?.lowercased()
            if let encoder, encoder != "steam" {
                fail(
                    .type, .unknownEncoder, "unknown encoder '\(printable(encoder, limit: 20))': only 'steam' is known")
            }
            if type.lowercased() == "steam" || encoder == "steam" { return true }
            return issuer?.lowercased() == "steam" && parameters["digits"] == "5"
        }

        /// The secret: key bytes given as such, or Base32 text (case-insensitive, spaces and `=` padding ignored).
        mutating func secret(bytes: SecureBytes?, text: String?) -> SecureBytes? {
            if let bytes {
                guard bytes.count > 0 else {
                    fail(.secret, .secretEmpty, "the secret is empty")
                    return nil
                }
                guard bytes.count <= maximumSecretLength * 5 / 8 else {
                    fail(
                        .secret, .secretTooLong,
                        "the secret is \(bytes.count) bytes long; the limit is \(maximumSecretLength * 5 / 8)")
                    return nil
                }
                weakSecret(bits: bytes.count * 8)
                return bytes
            }
            guard let text else {
                fail(.secret, .secretMissing, "the secret parameter is missing")
                return nil
            }
            let compact = text.filter { $0 != " " }
            guard compact.utf8.count <= maximumSecretLength else {
                fail(
                    .secret, .secretTooLong,
                    "the secret is \(compact.utf8.count) characters long; the limit is \(maximumSecretLength)")
                return nil
            }
            guard !compact.isEmpty, !compact.allSatisfy({ $0 == "=" }) else {
                fail(.secret, .secretEmpty, "the secret parameter is empty")
                return nil
            }
            do throws(Base32.DecodingError) {
                var decoded = try Base32.decode(text)
                defer { for i in decoded.indices { decoded[i] = 0 } }
                guard !decoded.isEmpty else {
                    fail(.secret, .secretEmpty, "the secret decodes to no bytes")
                    return nil
                }
                weakSecret(bits: decoded.count * 8)
                return SecureBytes(decoded)
            } catch {
                switch error {
                case .invalidCharacter(let position):
                    fail(.secret, .secretNotBase32, "character \(position) of the secret is not Base32 (A–Z, 2–7)")
                case .misplacedPadding(let position):
                    fail(
                        .secret, .secretNotBase32, "the secret has '=' padding before its end (character \(position))")
                case .invalidLength(let length):
                    fail(
                        .secret, .secretBadLength,
                        "a Base32 secret cannot be \(length) characters long (it would end in a partial byte)")
                }
                return nil
            }
        }

        /// RFC 4226 §4 asks for 128 bits and recommends 160.
        mutating func weakSecret(bits: Int) {
            guard bits < recommendedSecretBits else { return }
            warn(.secret, .weakSecret, "the secret has \(bits) bits; RFC 4226 requires at least 128 (160 recommended)")
        }

        /// SHA1 (default), SHA256 or SHA512, case-insensitive; anything else is an error, never a silent SHA1.
        mutating func algorithm(_ value: String?) -> HashAlgorithm {
            guard let value else { return .sha1 }
            if let parsed = HashAlgorithm(rawValue: value.uppercased()) { return parsed }
            fail(
                .algorithm, .unsupportedAlgorithm,
                "unsupported algorithm '\(printable(value, limit: 20))': use SHA1, SHA256 or SHA512")
            return .sha1
        }

        /// 6…10 (default 6); Steam codes always have 5 characters.
        mutating func digits(_ value: String?, steam: Bool) -> Int {
            let standard = steam ? 5 : 6
            guard let value else { return standard }
            switch parseInteger(value) {
            case .some(let n) where steam:
                if n != 5 { warn(.digits, .digitsIgnored, "Steam codes have 5 characters; digits=\(n) is ignored") }
            case .some(let n) where (6...10).contains(n): return Int(n)
            case .some:
                fail(.digits, .digitsOutOfRange, "digits must be between 6 and 10, not \(printable(value, limit: 20))")
            case .none where steam:
                warn(.digits, .digitsIgnored, "Steam codes have 5 characters; digits is ignored")
            case .none:
                fail(
                    .digits, .digitsNotInteger,
                    "digits must be a whole number between 6 and 10, not '\(printable(value, limit: 20))'")
            }
            return standard
        }

        /// 1…86400 seconds (default 30), TOTP only.
        mutating func period(_ value: String?, kind: OTPAccount.Kind?) -> Int {
            guard let value else { return 30 }
            guard kind != .hotp else {
                warn(.period, .periodIgnored, "HOTP codes have no period; the period parameter is ignored")
                return 30
            }
            switch parseInteger(value) {
            case .some(let n) where (1...86_400).contains(n): return Int(n)
            case .some:
                fail(
                    .period, .periodOutOfRange,
                    "period must be between 1 and 86400 seconds, not \(printable(value, limit: 20))")
            case .none:
                fail(
                    .period, .periodNotInteger,
                    "period must be a whole number of seconds, not '\(printable(value, limit: 20))'")
            }
            return 30
        }

        /// Required for HOTP, 0…2^63 − 1; ignored (with a warning) for TOTP.
        mutating func counter(_ value: String?, kind: OTPAccount.Kind?) -> UInt64 {
            guard let value else {
                if kind == .hotp {
                    fail(.counter, .counterMissing, "HOTP needs a counter parameter (the Key-Uri-Format requires it)")
                }
                return 0
            }
            if kind == .totp {
                warn(.counter, .counterIgnored, "TOTP codes have no counter; the counter parameter is ignored")
            }
            guard kind == .hotp else { return 0 }
            switch parseInteger(value) {
            case .some(let n) where n <= UInt64(Int64.max): return n
            case .some: fail(.counter, .counterOutOfRange, "counter must be between 0 and 2^63−1")
            case .none:
                fail(
                    .counter, .counterNotInteger, "counter must be a whole number, not '\(printable(value, limit: 30))'"
                )
            }
            return 0
        }

        /// Look-alike names: invisible and separator characters are kept, with a warning (escaped when printed).
        mutating func lookAlikes(name: String?, issuer: String?) {
            if let name, UntrustedText.hasInvisibleCharacters(name) {
                warn(
                    .label, .invisibleCharacters,
                    "the account name '\(printable(name, limit: 60))' contains invisible or separator characters: "
                        + "it may pass for another name")
            }
            if let issuer, UntrustedText.hasInvisibleCharacters(issuer) {
                warn(
                    .issuer, .invisibleCharacters,
                    "the issuer '\(printable(issuer, limit: 60))' contains invisible or separator characters: "
                        + "it may pass for another issuer")
            }
        }
    }
}
