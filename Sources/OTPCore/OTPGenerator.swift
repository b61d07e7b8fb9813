import OTPCrypto

/// One code and when it is valid.
public struct OTPCode: Sendable, Hashable, CustomStringConvertible {
    /// The code as the user types it (`"287082"`, Steam `"2TC8B"`).
    public let value: String
    /// For TOTP: the first Unix second the code is valid; for HOTP: `nil`.
    public let validFrom: Int64?
    /// For TOTP: the first Unix second it is no longer valid.
    public let validUntil: Int64?
    /// For HOTP: the counter value it was made from.
    public let counter: UInt64?

    public var description: String { value }

    /// A code as made elsewhere (an agent process, a test).
    public init(value: String, validFrom: Int64?, validUntil: Int64?, counter: UInt64?) {
        self.value = value
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.counter = counter
    }
}

/// Makes HOTP (RFC 4226) and TOTP (RFC 6238) codes for one account, with the HMAC key schedule computed once.
///
/// Not thread-safe (it owns an OpenSSL MAC context); make one per thread.
public final class OTPGenerator {
    /// The account's parameters.
    public let account: OTPAccount
    private let hmac: HMACContext
    private var digest: [UInt8]

    /// Steam Guard's alphabet (26 characters, no vowels or look-alikes).
    static let steamAlphabet = Array("23456789BCDFGHJKMNPQRTVWXY")

    /// Powers of ten for 6…10 digits (10^10 exceeds the 31-bit truncated value, so 10 digits are zero-padded).
    private static let powers: [UInt64] = (0...10).map { n in (0..<n).reduce(1) { acc, _ in acc * 10 } }

    /// Creates a generator.
    ///
    /// - Throws: ``OTPCrypto/CryptoError`` if OpenSSL cannot set up the HMAC.
    public init(account: OTPAccount) throws(CryptoError) {
        self.account = account
        self.hmac = try HMACContext(key: account.secret, algorithm: account.algorithm)
        self.digest = [UInt8](repeating: 0, count: account.algorithm.outputSize)
    }

    deinit {
        for i in digest.indices { digest[i] = 0 }
    }

    /// RFC 4226 §5.3 dynamic truncation of HMAC(K, counter): a 31-bit value.
    public func truncatedValue(counter: UInt64) -> UInt32 {
        var message = counter.bigEndian
        return withUnsafeBytes(of: &message) { input in
            digest.withUnsafeMutableBytes { output in
                hmac.authenticate(input, into: output)
                let offset = Int(output[output.count - 1] & 0x0F)
                return (UInt32(output[offset] & 0x7F) << 24) | (UInt32(output[offset + 1]) << 16)
                    | (UInt32(output[offset + 2]) << 8) | UInt32(output[offset + 3])
            }
        }
    }

    /// The code for a counter value (HOTP, or TOTP's time step).
    public func value(counter: UInt64) -> String {
        let truncated = truncatedValue(counter: counter)
        switch account.encoder {
        case .steam:
            var v = truncated
            var out = ""
            for _ in 0..<5 {
                out.append(Self.steamAlphabet[Int(v % 26)])
                v /= 26
            }
            return out
        case .decimal:
            let digits = min(max(account.digits, 1), 10)
            let number = UInt64(truncated) % Self.powers[digits]
            let text = String(number)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
    }

    /// HOTP codes for `count` consecutive counter values starting at `counter` (RFC 4226).
    public func hotp(counter: UInt64, count: Int = 1) -> [OTPCode] {
        (0..<UInt64(max(count, 0))).compactMap { i in
            let (c, overflow) = counter.addingReportingOverflow(i)
            return overflow ? nil : OTPCode(value: value(counter: c), validFrom: nil, validUntil: nil, counter: c)
        }
    }

    /// TOTP codes for `count` consecutive periods starting with the one containing `time` (RFC 6238 §4, T0 = 0).
    ///
    /// Codes whose window would end past `Int64.max` seconds are left out (checked arithmetic, never a trap).
    ///
    /// - Parameter time: Unix seconds, at least 0.
    public func totp(at time: Int64, count: Int = 1) -> [OTPCode] {
        let period = Int64(max(account.period, 1))
        let step = max(time, 0) / period
        var codes: [OTPCode] = []
        for i in 0..<Int64(max(count, 0)) {
            let (s, o1) = step.addingReportingOverflow(i)
            let (from, o2) = s.multipliedReportingOverflow(by: period)
            let (until, o3) = from.addingReportingOverflow(period)
            if o1 || o2 || o3 { break }
            codes.append(OTPCode(value: value(counter: UInt64(s)), validFrom: from, validUntil: until, counter: nil))
        }
        return codes
    }

    /// The account's codes: TOTP at `time`, or HOTP from the account's counter.
    public func codes(at time: Int64, count: Int = 1) -> [OTPCode] {
        switch account.kind {
        case .totp: totp(at: time, count: count)
        case .hotp: hotp(counter: account.counter, count: count)
        }
    }
}

@available(*, unavailable)
extension OTPGenerator: Sendable {}
