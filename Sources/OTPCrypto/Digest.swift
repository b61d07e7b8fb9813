internal import COpenSSL

/// Message digests (OpenSSL `EVP_Digest`), for formats that key their encryption with a plain hash of the password.
public enum Digest {
    /// SHA-256 of `bytes`, in a wiped-on-release buffer (it is usually a key).
    public static func sha256(_ bytes: SecureBytes) throws(CryptoError) -> SecureBytes {
        try SecureBytes(count: 32) { (out) throws(CryptoError) in
            var length: UInt32 = 0
            let ok = bytes.withUnsafeBytes { input in
                EVP_Digest(
                    input.baseAddress, input.count, out.baseAddress?.assumingMemoryBound(to: UInt8.self), &length,
                    EVP_sha256(), nil)
            }
            guard ok == 1, length == 32 else { throw .openSSL("SHA-256") }
        }
    }
}
