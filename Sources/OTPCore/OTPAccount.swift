public import OTPCrypto

/// Everything that defines an OTP account: what a provisioning URI carries.
///
/// `description`, `debugDescription` and the mirror never show the secret.
public struct OTPAccount: Sendable, Hashable {
    /// Time-based (RFC 6238) or counter-based (RFC 4226).
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case totp
        case hotp
    }

    /// How the truncated HMAC value becomes the code shown to the user.
    public enum Encoder: String, Sendable, Codable {
        /// Decimal digits (RFC 4226 §5.3).
        case decimal
        /// Steam Guard: 5 characters from `23456789BCDFGHJKMNPQRTVWXY`.
        case steam
    }

    /// One URI query parameter this library does not interpret (`image`, `color`, …), kept in order.
    public struct Parameter: Sendable, Hashable, Codable {
        /// The name as written.
        public let name: String
        /// The percent-decoded value.
        public let value: String

        /// Creates a parameter.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// TOTP or HOTP.
    public var kind: Kind
    /// The service (`Amazon Web Services`), if known.
    public var issuer: String?
    /// The account name within the service (`alice@123456789012`).
    public var name: String
    /// The shared secret (decoded key bytes).
    public var secret: SecureBytes
    /// The HMAC hash.
    public var algorithm: HashAlgorithm
    /// Code length: 6–10 decimal digits, or 5 characters for Steam.
    public var digits: Int
    /// TOTP time step in seconds.
    public var period: Int
    /// HOTP moving factor (the next counter value to use).
    public var counter: UInt64
    /// Decimal or Steam.
    public var encoder: Encoder
    /// Parameters kept but not interpreted.
    public var extraParameters: [Parameter]
    /// A note of the user's (kept in the vault, sealed; never in a URI).
    public var note: String?
    /// The AWS MFA device's serial (`arn:aws:iam::123456789012:mfa/alice`), to select the account by it.
    public var awsSerial: String?
    /// Kept after its device was retired (`otp aws rotate`): hidden from the text `list` unless `--all`, and from
    /// `otp code` without a query, until `otp remove`.
    public var retired = false

    /// Creates an account; defaults are those of the Key-Uri-Format (SHA1, 6 digits, 30 s).
    public init(
        kind: Kind = .totp, issuer: String?, name: String, secret: SecureBytes, algorithm: HashAlgorithm = .sha1,
        digits: Int = 6, period: Int = 30, counter: UInt64 = 0, encoder: Encoder = .decimal,
        extraParameters: [Parameter] = [], note: String? = nil, awsSerial: String? = nil
    ) {
        self.note = note
        self.awsSerial = awsSerial
        self.kind = kind
        self.issuer = issuer
        self.name = name
        self.secret = secret
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self.counter = counter
        self.encoder = encoder
        self.extraParameters = extraParameters
    }

    /// The strength of the secret in bits.
    public var secretBits: Int { secret.count * 8 }

    /// `Issuer: name`, or the name alone.
    public var displayName: String {
        if let issuer, !issuer.isEmpty { return "\(issuer): \(name)" }
        return name
    }

    /// Whether two accounts produce the same codes (type, secret, algorithm, digits, period, encoder); the
    /// HOTP counter is state, not identity, and is ignored.
    public func generatesSameCodes(as other: OTPAccount) -> Bool {
        kind == other.kind && secret == other.secret && algorithm == other.algorithm && digits == other.digits
            && encoder == other.encoder && (kind == .hotp || period == other.period)
    }
}

extension OTPAccount: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var parts = ["\(kind.rawValue)", "\(displayName)", algorithm.rawValue, "\(digits) digits"]
        parts.append(kind == .totp ? "\(period) s" : "counter \(counter)")
        if encoder == .steam { parts.append("steam") }
        parts.append("secret: \(secretBits) bits")
        return "OTPAccount(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "kind": kind, "issuer": issuer as Any, "name": name, "secretBits": secretBits, "algorithm": algorithm,
                "digits": digits, "period": period, "counter": counter, "encoder": encoder,
            ])
    }
}
