internal import COpenSSL

/// X25519 (RFC 7748) through OpenSSL's `EVP_PKEY`: a member's key pair in a team vault, and the ECIES wrap of a team
/// key to it (``SealedBox``).
public enum X25519 {
    /// Key and shared-secret length in bytes.
    public static let keySize = 32

    /// The public key of a 32-byte private key (any 32 bytes are a private key; OpenSSL clamps them).
    public static func publicKey(of privateKey: SecureBytes) throws(CryptoError) -> [UInt8] {
        let key = try pkey(private: privateKey)
        defer { EVP_PKEY_free(key) }
        var out = [UInt8](repeating: 0, count: keySize)
        var length = keySize
        guard EVP_PKEY_get_raw_public_key(key, &out, &length) == 1, length == keySize else {
            throw .openSSL("X25519 public key")
        }
        return out
    }

    /// The shared secret of a private key and a peer's public key. Refuses an all-zero result (a low-order peer key,
    /// RFC 7748 §6.1), which would make the secret known to anyone.
    public static func sharedSecret(
        privateKey: SecureBytes, peerPublicKey: [UInt8]
    ) throws(CryptoError) -> SecureBytes {
        guard peerPublicKey.count == keySize else {
            throw CryptoError(operation: "X25519", reason: "a public key must be \(keySize) bytes")
        }
        let own = try pkey(private: privateKey)
        defer { EVP_PKEY_free(own) }
        guard let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peerPublicKey, keySize) else {
            throw .openSSL("X25519 peer key")
        }
        defer { EVP_PKEY_free(peer) }
        guard let context = EVP_PKEY_CTX_new(own, nil) else { throw .openSSL("X25519 context") }
        defer { EVP_PKEY_CTX_free(context) }
        let secret = try SecureBytes(count: keySize) { (out: UnsafeMutableRawBufferPointer) throws(CryptoError) in
            var length = keySize
            guard EVP_PKEY_derive_init(context) == 1, EVP_PKEY_derive_set_peer(context, peer) == 1,
                EVP_PKEY_derive(context, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length) == 1,
                length == keySize
            else { throw .openSSL("X25519 derive") }
        }
        let zero = secret.withUnsafeBytes { raw in raw.allSatisfy { $0 == 0 } }
        guard !zero else { throw CryptoError(operation: "X25519", reason: "the peer key has low order") }
        return secret
    }

    private static func pkey(private privateKey: SecureBytes) throws(CryptoError) -> OpaquePointer {
        guard privateKey.count == keySize else {
            throw CryptoError(operation: "X25519", reason: "a private key must be \(keySize) bytes")
        }
        let key = privateKey.withUnsafeBytes { raw in
            EVP_PKEY_new_raw_private_key(
                EVP_PKEY_X25519, nil, raw.baseAddress?.assumingMemoryBound(to: UInt8.self), keySize)
        }
        guard let key else { throw .openSSL("X25519 private key") }
        return key
    }

    /// ECIES on X25519: a secret sealed to a public key, so that only the holder of its private key opens it.
    ///
    /// `ephemeral public key (32) ‖ AES-256-GCM(secret)`, the key from HKDF-SHA256 of the shared secret, salted with
    /// both public keys, and the caller's associated data authenticated (a team vault binds the team, the member
    /// and the key epoch, so a wrapped key cannot be moved to another row).
    public enum SealedBox {
        private static let info = Array("otp x25519 sealed box v1".utf8)

        /// Seals `secret` to `recipient`.
        public static func seal(
            _ secret: SecureBytes, to recipient: [UInt8], authenticating aad: [UInt8]
        ) throws(CryptoError) -> [UInt8] {
            let ephemeral = try SecureRandom.key(keySize)
            let ephemeralPublic = try publicKey(of: ephemeral)
            let shared = try sharedSecret(privateKey: ephemeral, peerPublicKey: recipient)
            let key = try KeyDerivation.hkdf(key: shared, salt: ephemeralPublic + recipient, info: info)
            return ephemeralPublic + (try AESGCM.seal(secret, key: key, authenticating: aad))
        }

        /// Opens a sealed box with the recipient's private key; `nil` when it was not sealed to that key (or was
        /// altered).
        public static func open(
            _ box: [UInt8], privateKey: SecureBytes, authenticating aad: [UInt8]
        ) throws(CryptoError) -> SecureBytes? {
            guard box.count >= keySize + AESGCM.nonceSize + AESGCM.tagSize else {
                throw CryptoError(operation: "sealed box", reason: "it is \(box.count) bytes, too short")
            }
            let ephemeralPublic = Array(box.prefix(keySize))
            let shared: SecureBytes
            do {
                shared = try sharedSecret(privateKey: privateKey, peerPublicKey: ephemeralPublic)
            } catch {
                return nil
            }
            let key = try KeyDerivation.hkdf(
                key: shared, salt: ephemeralPublic + (try publicKey(of: privateKey)), info: info)
            return try? AESGCM.open(Array(box.dropFirst(keySize)), key: key, authenticating: aad)
        }
    }
}
