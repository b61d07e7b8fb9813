internal import COpenSSL

/// AES-256-CBC with PKCS#7 padding, decryption only: some apps' older backups use it (Authenticator Pro's legacy
/// format). It is not authenticated: a wrong key shows only as bad padding or as text that does not parse.
public enum AESCBC {
    /// Decrypts `ciphertext` (a whole number of 16-byte blocks) with a 32-byte key and a 16-byte IV.
    ///
    /// - Throws: ``CryptoError`` with operation `"AES-CBC decrypt"` on bad sizes or bad padding.
    public static func decrypt(_ ciphertext: [UInt8], key: SecureBytes, iv: [UInt8]) throws(CryptoError) -> SecureBytes
    {
        guard key.count == 32, iv.count == 16, !ciphertext.isEmpty, ciphertext.count % 16 == 0,
            ciphertext.count < Int(Int32.max)
        else {
            throw CryptoError(operation: "AES-CBC decrypt", reason: "bad key, IV or ciphertext length")
        }
        guard let context = EVP_CIPHER_CTX_new() else { throw .openSSL("AES-CBC context") }
        defer { EVP_CIPHER_CTX_free(context) }
        var plainLength = 0
        let buffer = try SecureBytes(count: ciphertext.count + 16) { (out) throws(CryptoError) in
            let base = out.baseAddress?.assumingMemoryBound(to: UInt8.self)
            var length: Int32 = 0
            var final: Int32 = 0
            let ok = key.withUnsafeBytes { keyBytes in
                EVP_DecryptInit_ex(
                    context, EVP_aes_256_cbc(), nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), iv) == 1
                    && EVP_DecryptUpdate(context, base, &length, ciphertext, Int32(ciphertext.count)) == 1
                    && EVP_DecryptFinal_ex(context, base.map { $0 + Int(length) }, &final) == 1
            }
            guard ok else {
                ERR_clear_error()
                throw CryptoError(operation: "AES-CBC decrypt", reason: "bad padding (wrong key?)")
            }
            plainLength = Int(length + final)
        }
        return buffer.withUnsafeBytes { SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0.prefix(plainLength))) }
    }
}
