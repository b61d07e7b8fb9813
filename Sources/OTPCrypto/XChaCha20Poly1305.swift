internal import CSodium

/// XChaCha20-Poly1305 (libsodium): OpenSSL 3.0 has ChaCha20-Poly1305 with 12-byte nonces only. Opening only, for
/// exports that use it (Ente Auth).
public enum XChaCha20Poly1305 {
    private static let ready: Bool = sodium_init() >= 0

    /// Opens a one-message `crypto_secretstream_xchacha20poly1305` stream (24-byte header; the message must carry
    /// the final tag), as libsodium's stream API writes it.
    ///
    /// - Throws: ``CryptoError`` with reason "authentication failed" on a wrong key or altered data.
    public static func openStream(
        _ ciphertext: [UInt8], header: [UInt8], key: SecureBytes
    ) throws(CryptoError)
        -> SecureBytes
    {
        let abytes = Int(crypto_secretstream_xchacha20poly1305_abytes())
        guard ready, key.count == 32, header.count == Int(crypto_secretstream_xchacha20poly1305_headerbytes()),
            ciphertext.count >= abytes
        else {
            throw CryptoError(operation: "XChaCha20-Poly1305 stream", reason: "bad key, header or length")
        }
        var state = crypto_secretstream_xchacha20poly1305_state()
        defer { withUnsafeMutableBytes(of: &state) { sodium_memzero($0.baseAddress, $0.count) } }
        let started = key.withUnsafeBytes { keyBytes -> Int32 in
            guard let k = keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return -1 }
            return crypto_secretstream_xchacha20poly1305_init_pull(&state, header, k)
        }
        guard started == 0 else { throw failure("XChaCha20-Poly1305 stream") }
        var length: UInt64 = 0
        var tag: UInt8 = 0
        var opened = false
        let plain = SecureBytes(count: ciphertext.count - abytes) { out in
            opened =
                crypto_secretstream_xchacha20poly1305_pull(
                    &state, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, &tag, ciphertext,
                    UInt64(ciphertext.count), nil, 0) == 0
        }
        guard opened, tag == UInt8(crypto_secretstream_xchacha20poly1305_tag_final()),
            Int(length) == ciphertext.count - abytes
        else { throw failure("XChaCha20-Poly1305 stream") }
        return plain
    }

    /// Opens `crypto_aead_xchacha20poly1305_ietf` (24-byte nonce, ciphertext ‖ 16-byte tag).
    public static func openAEAD(
        _ ciphertext: [UInt8], nonce: [UInt8], key: SecureBytes
    ) throws(CryptoError)
        -> SecureBytes
    {
        let abytes = Int(crypto_aead_xchacha20poly1305_ietf_abytes())
        guard ready, key.count == 32, nonce.count == Int(crypto_aead_xchacha20poly1305_ietf_npubbytes()),
            ciphertext.count >= abytes
        else {
            throw CryptoError(operation: "XChaCha20-Poly1305", reason: "bad key, nonce or length")
        }
        var length: UInt64 = 0
        var opened = false
        let plain = SecureBytes(count: ciphertext.count - abytes) { out in
            opened = key.withUnsafeBytes { keyBytes in
                guard let k = keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
                return crypto_aead_xchacha20poly1305_ietf_decrypt(
                    out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, nil, ciphertext,
                    UInt64(ciphertext.count), nil, 0, nonce, k) == 0
            }
        }
        guard opened else { throw failure("XChaCha20-Poly1305") }
        return plain
    }

    private static func failure(_ operation: String) -> CryptoError {
        CryptoError(operation: operation, reason: "authentication failed")
    }
}
