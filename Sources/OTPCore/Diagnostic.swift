/// One finding about a provisioning URI.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Codable, Comparable {
        case warning
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    /// Which part of the URI it concerns (the contract's `field` values).
    public enum Field: String, Sendable, Codable, CaseIterable {
        case scheme, type, label, issuer, secret, algorithm, digits, period, counter, uri
    }

    /// A stable kebab-case identifier of what was found: the contract's diagnostic codes, and the error codes of
    /// inputs that gave no URI (`not-png`, `no-code`, …), which reports carry as diagnostics.
    public enum Code: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
        case accountEmpty = "account-empty"
        case badEscape = "bad-escape"
        case corruptImage = "corrupt-image"
        case corruptPng = "corrupt-png"
        case counterIgnored = "counter-ignored"
        case counterMissing = "counter-missing"
        case counterNotInteger = "counter-not-integer"
        case counterOutOfRange = "counter-out-of-range"
        case digitsIgnored = "digits-ignored"
        case digitsNotInteger = "digits-not-integer"
        case digitsOutOfRange = "digits-out-of-range"
        case duplicateParameter = "duplicate-parameter"
        case incompleteBatch = "incomplete-batch"
        case invisibleCharacters = "invisible-characters"
        case issuerControlCharacters = "issuer-control-characters"
        case issuerMismatch = "issuer-mismatch"
        case issuerMissing = "issuer-missing"
        case labelBadEscape = "label-bad-escape"
        case labelControlCharacters = "label-control-characters"
        case labelNotUtf8 = "label-not-utf8"
        case noCode = "no-code"
        case notFound = "not-found"
        case notOtpauth = "not-otpauth"
        case notPng = "not-png"
        case notProvisioning = "not-provisioning"
        case notUtf8 = "not-utf8"
        case periodIgnored = "period-ignored"
        case periodNotInteger = "period-not-integer"
        case periodOutOfRange = "period-out-of-range"
        case secretBadLength = "secret-bad-length"
        case secretEmpty = "secret-empty"
        case secretMissing = "secret-missing"
        case secretNotBase32 = "secret-not-base32"
        case secretTooLong = "secret-too-long"
        case tooLarge = "too-large"
        case unknownEncoder = "unknown-encoder"
        case unknownType = "unknown-type"
        case unreadable = "unreadable"
        case unsupportedAlgorithm = "unsupported-algorithm"
        case unsupportedImage = "unsupported-image"
        case uriTooLong = "uri-too-long"
        case weakSecret = "weak-secret"

        public var description: String { rawValue }
    }

    /// Error or warning.
    public var severity: Severity
    /// The part of the URI.
    public let field: Field
    /// What was found (`weak-secret`, `digits-out-of-range`).
    public let code: Code
    /// A sentence for people. Never contains the secret.
    public let message: String

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ field: Field, _ code: Code, _ message: String) {
        self.severity = severity
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(severity.rawValue) \(field.rawValue) [\(code)]: \(message)" }
}
