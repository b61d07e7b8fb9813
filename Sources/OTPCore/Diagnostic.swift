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

    /// Error or warning.
    public var severity: Severity
    /// The part of the URI.
    public let field: Field
    /// A stable kebab-case identifier (`weak-secret`, `digits-out-of-range`); see ``OTPAuthURI`` for the list.
    public let code: String
    /// A sentence for people. Never contains the secret.
    public let message: String

    /// Creates a diagnostic.
    public init(_ severity: Severity, _ field: Field, _ code: String, _ message: String) {
        self.severity = severity
        self.field = field
        self.code = code
        self.message = message
    }

    public var description: String { "\(severity.rawValue) \(field.rawValue) [\(code)]: \(message)" }
}
