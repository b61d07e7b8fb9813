public import OTPCrypto

extension HashAlgorithm {
    /// The byte that stands for this algorithm in stored entries and fingerprints. Explicit, never an enum position:
    /// reordering the cases must not change what stored data means. The values are those the first vaults were
    /// written with (the case order then), so no stored entry or fingerprint changes meaning.
    public var storedCode: UInt8 {
        switch self {
        case .sha1: 0
        case .sha256: 1
        case .sha512: 2
        }
    }

    /// The algorithm a stored byte names; `nil` for a byte no version wrote.
    public init?(storedCode: UInt8) {
        switch storedCode {
        case 0: self = .sha1
        case 1: self = .sha256
        case 2: self = .sha512
        default: return nil
        }
    }
}

/// Keyed fingerprints of accounts (HMAC-SHA256): equal fingerprints under one key mean equal accounts, and the
/// fingerprint reveals nothing without the key. The vault stores them under a key derived from its master key;
/// importers use a throwaway key to find repeats within a run in linear time.
///
/// Not thread-safe (it holds an HMAC context): one per thread.
public struct AccountFingerprinter: ~Copyable {
    private let hmac: HMACContext

    /// A fingerprinter keyed with `key`.
    ///
    /// - Throws: ``OTPCrypto/CryptoError`` when OpenSSL cannot set up HMAC.
    public init(key: SecureBytes) throws(CryptoError) {
        hmac = try HMACContext(key: key, algorithm: .sha256)
    }

    /// A fingerprinter with a random key, for comparisons within one process.
    public static func ephemeral() throws(CryptoError) -> AccountFingerprinter {
        try AccountFingerprinter(key: SecureRandom.key(32))
    }

    /// The fingerprint of issuer and name: the same account re-provisioned (another secret) has the same one.
    public func identity(of account: OTPAccount) -> [UInt8] {
        let input = Self.identityInput(account)
        return input.withUnsafeBytes { hmac.authenticationCode(for: $0) }
    }

    /// The fingerprint of issuer, name and everything that decides the codes (type, algorithm, digits, encoder,
    /// the period of a TOTP account, the secret); the HOTP counter is state and is left out.
    public func duplicate(of account: OTPAccount) -> [UInt8] {
        let input = Self.identityInput(account)
        input.append(account.kind == .totp ? 0 : 1)
        input.append(account.algorithm.storedCode)
        input.append(UInt8(clamping: account.digits))
        input.append(account.encoder == .steam ? 1 : 0)
        input.append(bigEndian: UInt32(clamping: account.kind == .totp ? account.period : 0))
        input.append(bigEndian: UInt32(account.secret.count))
        input.append(account.secret)
        return input.withUnsafeBytes { hmac.authenticationCode(for: $0) }
    }

    /// Version byte, then issuer and name, each as a 32-bit big-endian length and UTF-8.
    private static func identityInput(_ account: OTPAccount) -> SecureBuffer {
        let buffer = SecureBuffer(capacity: 96 + account.secret.count)
        buffer.append(1)
        for text in [account.issuer ?? "", account.name] {
            let utf8 = Array(text.utf8)
            buffer.append(bigEndian: UInt32(clamping: utf8.count))
            buffer.append(contentsOf: utf8)
        }
        return buffer
    }
}
