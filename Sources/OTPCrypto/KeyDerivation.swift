internal import COpenSSL

/// scrypt parameters (RFC 7914), stored with each key slot so they can be raised later.
public struct ScryptParameters: Sendable, Hashable, Codable {
    /// CPU/memory cost, a power of two.
    public let n: UInt64
    /// Block size.
    public let r: UInt64
    /// Parallelism.
    public let p: UInt64

    /// Creates parameters.
    public init(n: UInt64, r: UInt64, p: UInt64) {
        self.n = n
        self.r = r
        self.p = p
    }

    /// N = 2^15, r = 8, p = 1: 32 MiB and about 0.1 s, the vault default.
    public static let `default` = ScryptParameters(n: 1 << 15, r: 8, p: 1)

    /// Whether OpenSSL will accept these: N a power of two above 1, r and p positive, memory under 1 GiB.
    public var isReasonable: Bool {
        n > 1 && n & (n - 1) == 0 && r > 0 && p > 0 && r * p < 1 << 30 && n <= 1 << 24 && memory <= 1 << 30
    }

    /// The memory scrypt needs: 128 · r · (N + p + 2) bytes.
    var memory: UInt64 { 128 &* r &* (n &+ p &+ 2) }
}

/// Key derivation: scrypt for passphrases, HKDF-SHA256 for subkeys of the master key.
public enum KeyDerivation {
    /// Derives a key from a passphrase with scrypt. The corresponding C function is `EVP_PBE_scrypt` (with an
    /// explicit `maxmem`: its default of 32 MiB is just too small for N = 2^15, r = 8).
    ///
    /// - Throws: ``CryptoError`` for unreasonable parameters or an OpenSSL failure.
    public static func scrypt(
        passphrase: SecureBytes, salt: [UInt8], parameters: ScryptParameters, length: Int = 32
    ) throws(CryptoError) -> SecureBytes {
        guard parameters.isReasonable else {
            throw CryptoError(operation: "scrypt", reason: "unreasonable parameters N=\(parameters.n) r=\(parameters.r) p=\(parameters.p)")
        }
        var failed = false
        let key = SecureBytes(count: length) { out in
            let ok = passphrase.withUnsafeBytes { pass in
                pass.withMemoryRebound(to: CChar.self) { chars in
                    EVP_PBE_scrypt(
                        chars.baseAddress, chars.count, salt, salt.count, parameters.n, parameters.r, parameters.p,
                        parameters.memory + (1 << 20), out.baseAddress?.assumingMemoryBound(to: UInt8.self), length)
                }
            }
            failed = ok != 1
        }
        if failed { throw .openSSL("scrypt") }
        return key
    }

    /// HKDF-SHA256 (RFC 5869) extract-and-expand, built on ``HMACContext``.
    public static func hkdf(key: SecureBytes, salt: [UInt8] = [], info: [UInt8], length: Int = 32) throws(CryptoError) -> SecureBytes {
        precondition(length <= 255 * 32)
        let extract = try HMACContext(key: SecureBytes(salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt), algorithm: .sha256)
        let prk = SecureBytes(key.withUnsafeBytes { extract.authenticationCode(for: Array($0)) })
        let expand = try HMACContext(key: prk, algorithm: .sha256)
        var output: [UInt8] = []
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while output.count < length {
            previous = expand.authenticationCode(for: previous + info + [counter])
            output += previous
            counter += 1
        }
        defer {
            for i in output.indices { output[i] = 0 }
            for i in previous.indices { previous[i] = 0 }
        }
        return SecureBytes(output.prefix(length))
    }
}
