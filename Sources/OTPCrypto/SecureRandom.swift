internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    /// `count` random bytes. The corresponding C function is `RAND_bytes`.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count == 0 || RAND_bytes(&out, Int32(count)) == 1 else { throw .openSSL("RAND_bytes") }
        return out
    }

    /// A new random key of `count` bytes in a wiped buffer.
    public static func key(_ count: Int) throws(CryptoError) -> SecureBytes {
        try SecureBytes(count: count) { (raw) throws(CryptoError) in
            guard count == 0 || RAND_bytes(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(count)) == 1
            else {
                throw .openSSL("RAND_bytes")
            }
        }
    }
}
