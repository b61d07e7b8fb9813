internal import COpenSSL

/// The hash functions HOTP/TOTP accept (RFC 6238 §1.2).
public enum HashAlgorithm: String, Sendable, CaseIterable, Codable {
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha512 = "SHA512"

    /// The digest's output length in bytes.
    public var outputSize: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha512: 64
        }
    }
}

/// An HMAC keyed once and used many times (RFC 2104), through OpenSSL's `EVP_MAC`.
///
/// The key schedule (inner and outer padded states) is computed once in `init`; each ``authenticate(_:into:)``
/// re-initialises from it, which is what makes generating many codes for one account cheap. Not thread-safe: one
/// context per thread. OpenSSL keeps its own copy of the key and cleanses it when the context is freed.
public final class HMACContext {
    private let context: OpaquePointer
    /// The digest used.
    public let algorithm: HashAlgorithm

    nonisolated(unsafe) private static let mac: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)

    /// Creates a context for `key`.
    ///
    /// The corresponding C functions are `EVP_MAC_CTX_new` and `EVP_MAC_init`.
    public init(key: SecureBytes, algorithm: HashAlgorithm) throws(CryptoError) {
        guard let mac = Self.mac, let context = EVP_MAC_CTX_new(mac) else { throw .openSSL("HMAC context") }
        self.context = context
        self.algorithm = algorithm
        let ok = key.withUnsafeBytes { raw in
            // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
            var zero: UInt8 = 0
            return withUnsafePointer(to: &zero) { zeroPointer in
                COpenSSL_HMAC_init(
                    context, algorithm.rawValue,
                    raw.count > 0 ? raw.baseAddress?.assumingMemoryBound(to: UInt8.self) : zeroPointer, raw.count)
            }
        }
        // `deinit` frees the context (every stored property is set): freeing it here too would free it twice.
        guard ok == 1 else { throw .openSSL("HMAC init") }
    }

    deinit {
        EVP_MAC_CTX_free(context)
    }

    /// Computes HMAC(key, message) into `output`, which must hold ``HashAlgorithm/outputSize`` bytes.
    ///
    /// The corresponding C functions are `EVP_MAC_init` (with the key kept), `EVP_MAC_update` and `EVP_MAC_final`.
    public func authenticate(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= algorithm.outputSize)
        var length = 0
        let ok =
            EVP_MAC_init(context, nil, 0, nil) == 1
            && EVP_MAC_update(context, message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count) == 1
            && EVP_MAC_final(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, output.count)
                == 1
        // With a valid context and buffer sizes these calls cannot fail; if OpenSSL ever does, never return a MAC.
        precondition(ok && length == algorithm.outputSize, "EVP_MAC failed")
    }

    /// HMAC(key, message) as an array (a MAC, not a secret: fingerprints and tags).
    public func authenticationCode(for message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: algorithm.outputSize) { buffer, initialized in
            authenticate(message, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = algorithm.outputSize
        }
    }

    /// HMAC(key, message) of non-secret bytes, as an array.
    public func authenticationCode(for message: [UInt8]) -> [UInt8] {
        message.withUnsafeBytes { authenticationCode(for: $0) }
    }
}

@available(*, unavailable)
extension HMACContext: Sendable {}
