internal import COpenSSL

/// Ed25519 signatures (RFC 8032) through OpenSSL's `EVP_DigestSign`: a team member's signing key, with which admins
/// sign the team vault's membership log.
public enum Ed25519 {
    /// Seed (private key) and public key length in bytes.
    public static let keySize = 32
    /// Signature length in bytes.
    public static let signatureSize = 64

    /// The public key of a 32-byte seed (any 32 bytes are a seed).
    public static func publicKey(seed: SecureBytes) throws(CryptoError) -> [UInt8] {
        let key = try pkey(seed: seed)
        defer { EVP_PKEY_free(key) }
        var out = [UInt8](repeating: 0, count: keySize)
        var length = keySize
        guard EVP_PKEY_get_raw_public_key(key, &out, &length) == 1, length == keySize else {
            throw .openSSL("Ed25519 public key")
        }
        return out
    }

    /// The signature of `message` by the key of `seed`.
    public static func sign(_ message: [UInt8], seed: SecureBytes) throws(CryptoError) -> [UInt8] {
        let key = try pkey(seed: seed)
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { throw .openSSL("Ed25519 context") }
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: signatureSize)
        var length = signatureSize
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1,
            EVP_DigestSign(context, &signature, &length, message, message.count) == 1, length == signatureSize
        else { throw .openSSL("Ed25519 sign") }
        return signature
    }

    /// Whether `signature` is a valid signature of `message` by `publicKey`. Any malformed input is `false`.
    public static func verify(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureSize, publicKey.count == keySize,
            let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, publicKey, keySize)
        else { return false }
        defer { EVP_PKEY_free(key) }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signatureSize, message, message.count) == 1
    }

    private static func pkey(seed: SecureBytes) throws(CryptoError) -> OpaquePointer {
        guard seed.count == keySize else {
            throw CryptoError(operation: "Ed25519", reason: "a seed must be \(keySize) bytes")
        }
        let key = seed.withUnsafeBytes { raw in
            EVP_PKEY_new_raw_private_key(
                EVP_PKEY_ED25519, nil, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), keySize)
        }
        guard let key else { throw .openSSL("Ed25519 private key") }
        return key
    }
}
