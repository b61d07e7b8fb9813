internal import COpenSSL

/// AES-256-GCM (NIST SP 800-38D) through OpenSSL's `EVP_CIPHER_CTX`: 96-bit nonces, 128-bit tags.
public enum AESGCM {
    /// Nonce length in bytes (96 bits, the GCM default).
    public static let nonceSize = 12
    /// Tag length in bytes.
    public static let tagSize = 16

    /// Encrypts and authenticates. A fresh random nonce is drawn for every call.
    ///
    /// - Returns: `nonce ‖ ciphertext ‖ tag`.
    /// - Throws: ``CryptoError`` if OpenSSL fails or the key is not 32 bytes.
    public static func seal(
        _ plaintext: SecureBytes, key: SecureBytes, authenticating aad: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        try plaintext.withUnsafeBytes { (raw) throws(CryptoError) in try seal(raw, key: key, authenticating: aad) }
    }

    /// Encrypts and authenticates bytes in place in the caller's buffer (no copy of the plaintext is made).
    ///
    /// - Returns: `nonce ‖ ciphertext ‖ tag`.
    /// - Throws: ``CryptoError`` if OpenSSL fails, the key is not 32 bytes or the plaintext exceeds 2^31 bytes.
    public static func seal(
        _ plaintext: UnsafeRawBufferPointer, key: SecureBytes, authenticating aad: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        guard key.count == 32 else { throw CryptoError(operation: "AES-GCM seal", reason: "the key must be 32 bytes") }
        guard plaintext.count < Int(Int32.max) - 16, aad.count < Int(Int32.max) else {
            throw CryptoError(operation: "AES-GCM seal", reason: "the input is too large")
        }
        let input = plaintext.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let nonce = try SecureRandom.bytes(nonceSize)
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("AES-GCM context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagSize)
        var length: Int32 = 0
        var total: Int32 = 0
        let ok = key.withUnsafeBytes { keyBytes -> Bool in
            guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
                COpenSSL_GCM_set_iv_length(context, Int32(nonceSize)) == 1,
                EVP_EncryptInit_ex(context, nil, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce)
                    == 1
            else { return false }
            if !aad.isEmpty, EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) != 1 { return false }
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(context, &ciphertext, &length, input, Int32(plaintext.count)) == 1 else {
                    return false
                }
                total = length
            }
            let finalOK = ciphertext.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.map { EVP_EncryptFinal_ex(context, $0 + Int(total), &length) == 1 } ?? false
            }
            guard finalOK else { return false }
            total += length
            return COpenSSL_GCM_get_tag(context, &tag, Int32(tagSize)) == 1
        }
        guard ok else { throw .openSSL("AES-GCM seal") }
        return nonce + ciphertext.prefix(Int(total)) + tag
    }

    /// Verifies and decrypts `nonce ‖ ciphertext ‖ tag`.
    ///
    /// - Returns: The plaintext in a wiped-on-release buffer.
    /// - Throws: ``CryptoError`` with operation `"AES-GCM open"`; `reason` is `"authentication failed"` when the
    ///   tag does not match (wrong key, tampered data or associated data).
    public static func open(
        _ sealed: [UInt8], key: SecureBytes, authenticating aad: [UInt8]
    ) throws(CryptoError) -> SecureBytes {
        guard key.count == 32 else { throw CryptoError(operation: "AES-GCM open", reason: "the key must be 32 bytes") }
        guard sealed.count >= nonceSize + tagSize else { throw authenticationFailure }
        guard sealed.count < Int(Int32.max), aad.count < Int(Int32.max) else { throw authenticationFailure }
        let nonce = Array(sealed.prefix(nonceSize))
        var tag = Array(sealed.suffix(tagSize))
        let ciphertext = Array(sealed[nonceSize..<(sealed.count - tagSize)])
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("AES-GCM context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var failure: CryptoError?
        let plaintext = SecureBytes(count: ciphertext.count + 16) { out in
            var length: Int32 = 0
            var total: Int32 = 0
            let base = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let setUp = key.withUnsafeBytes { keyBytes in
                EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
                    && COpenSSL_GCM_set_iv_length(context, Int32(nonceSize)) == 1
                    && EVP_DecryptInit_ex(
                        context, nil, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nonce) == 1
            }
            guard setUp else {
                failure = .openSSL("AES-GCM open")
                return
            }
            if !aad.isEmpty, EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) != 1 {
                failure = .openSSL("AES-GCM open")
                return
            }
            if !ciphertext.isEmpty {
                guard EVP_DecryptUpdate(context, base, &length, ciphertext, Int32(ciphertext.count)) == 1 else {
                    failure = .openSSL("AES-GCM open")
                    return
                }
                total = length
            }
            guard COpenSSL_GCM_set_tag(context, &tag, Int32(tagSize)) == 1,
                EVP_DecryptFinal_ex(context, base.map { $0 + Int(total) }, &length) == 1
            else {
                ERR_clear_error()
                failure = authenticationFailure
                return
            }
        }
        if let failure { throw failure }
        return plaintext.prefix(ciphertext.count)
    }

    /// The error for a tag that does not verify.
    public static let authenticationFailure = CryptoError(operation: "AES-GCM open", reason: "authentication failed")
}

/// An AES-256-GCM key schedule set up once for many ``open(_:authenticating:)`` calls (a vault of 10 000 entries
/// opens them all to match a query): each call only sets the nonce. Not thread-safe: one per thread.
public final class AESGCMOpener {
    private let context: OpaquePointer

    /// Prepares decryption with `key` (32 bytes).
    public init(key: SecureBytes) throws(CryptoError) {
        guard key.count == 32 else { throw CryptoError(operation: "AES-GCM open", reason: "the key must be 32 bytes") }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("AES-GCM context") }
        let ok = key.withUnsafeBytes { keyBytes in
            EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
                && COpenSSL_GCM_set_iv_length(context, Int32(AESGCM.nonceSize)) == 1
                && EVP_DecryptInit_ex(context, nil, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nil)
                    == 1
        }
        guard ok else {
            EVP_CIPHER_CTX_free(context)
            throw .openSSL("AES-GCM init")
        }
        self.context = context
    }

    deinit {
        EVP_CIPHER_CTX_free(context)  // cleanses the key schedule
    }

    /// Verifies and decrypts `nonce ‖ ciphertext ‖ tag`, as ``AESGCM/open(_:key:authenticating:)`` does.
    public func open(_ sealed: [UInt8], authenticating aad: [UInt8]) throws(CryptoError) -> SecureBytes {
        let n = AESGCM.nonceSize
        let t = AESGCM.tagSize
        guard sealed.count >= n + t, sealed.count < Int(Int32.max), aad.count < Int(Int32.max) else {
            throw AESGCM.authenticationFailure
        }
        let bodyCount = sealed.count - n - t
        var verified = false
        let plaintext = sealed.withUnsafeBufferPointer { input -> SecureBytes in
            guard let base = input.baseAddress else { return SecureBytes([]) }
            return SecureBytes(count: bodyCount) { out in
                var length: Int32 = 0
                var scratch: UInt8 = 0
                let outBase = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
                var tag = Array(input[(input.count - t)...])
                guard EVP_DecryptInit_ex(context, nil, nil, nil, base) == 1 else { return }
                if !aad.isEmpty, EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) != 1 { return }
                if bodyCount > 0, EVP_DecryptUpdate(context, outBase, &length, base + n, Int32(bodyCount)) != 1 {
                    return
                }
                guard COpenSSL_GCM_set_tag(context, &tag, Int32(t)) == 1 else { return }
                let finalOut = outBase.map { $0 + Int(length) }
                verified = withUnsafeMutablePointer(to: &scratch) {
                    EVP_DecryptFinal_ex(context, finalOut ?? $0, &length) == 1
                }
                if !verified {
                    ERR_clear_error()
                    out.initializeMemory(as: UInt8.self, repeating: 0)
                }
            }
        }
        guard verified else { throw AESGCM.authenticationFailure }
        return plaintext
    }
}

@available(*, unavailable)
extension AESGCMOpener: Sendable {}
