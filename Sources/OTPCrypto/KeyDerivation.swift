internal import CArgon2
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

    /// Whether OpenSSL will accept these and they fit the default budget: N a power of two above 1, r and p
    /// positive, r·p < 2^30 (RFC 7914), memory and work within ``Budget/default``. Never traps, whatever the values.
    public var isReasonable: Bool { check(budget: .default) == nil }

    /// What key derivation may cost before it is refused rather than run.
    public struct Budget: Sendable, Hashable {
        /// The most memory one derivation may take, in bytes.
        public var memory: UInt64
        /// The most work one derivation may take, counted in BlockMix calls of 128-byte blocks: 2·N·r·p.
        public var work: UInt64

        /// Creates a budget.
        public init(memory: UInt64, work: UInt64) {
            self.memory = memory
            self.work = work
        }

        /// 192 MiB and 2^23 block operations (about 1.4 s on the machines this was measured on): 16 × the work and
        /// 6 × the memory of N = 2^15, r = 8, p = 1 (the vault default and Aegis's), far above any app's default,
        /// and small enough that any input file is read within 2 s and 256 MiB.
        public static let `default` = Budget(memory: 192 << 20, work: 1 << 23)
    }

    /// Why these parameters are refused under `budget`, or `nil` when they may run. Overflow-safe.
    public func check(budget: Budget) -> String? {
        guard n > 1, n & (n &- 1) == 0 else { return "N=\(n) is not a power of two above 1" }
        guard r > 0, p > 0 else { return "r and p must be positive" }
        let (rp, rpOverflow) = r.multipliedReportingOverflow(by: p)
        guard !rpOverflow, rp < 1 << 30 else { return "r·p is not below 2^30" }
        // RFC 7914: N < 2^(128·r/8); OpenSSL refuses anything else.
        if 16 * r < 64, n >= UInt64(1) << (16 * r) { return "N=\(n) is not below 2^(16·r) for r=\(r)" }
        guard let memory = memory, memory <= budget.memory else {
            return
                "it asks for \(Self.describe(bytes: memory)) of memory (the limit is "
                + "\(Self.describe(bytes: budget.memory)))"
        }
        guard let work = work, work <= budget.work else {
            return "it asks for \(Self.describe(work: work)) of work (the limit is \(Self.describe(work: budget.work)))"
        }
        return nil
    }

    /// The memory scrypt needs: 128·r·(N + p + 2) bytes; `nil` when that does not fit 64 bits.
    public var memory: UInt64? {
        let (sum, o1) = n.addingReportingOverflow(p &+ 2)
        let (perBlock, o2) = r.multipliedReportingOverflow(by: 128)
        let (total, o3) = perBlock.multipliedReportingOverflow(by: sum)
        return o1 || o2 || o3 || p > UInt64.max - 2 ? nil : total
    }

    /// The work scrypt does, in BlockMix calls: 2·N·r·p; `nil` when that does not fit 64 bits.
    public var work: UInt64? {
        let (a, o1) = n.multipliedReportingOverflow(by: r)
        let (b, o2) = a.multipliedReportingOverflow(by: p)
        let (c, o3) = b.multipliedReportingOverflow(by: 2)
        return o1 || o2 || o3 ? nil : c
    }

    /// Bytes for people: "1.5 GiB".
    static func describe(bytes: UInt64?) -> String {
        guard let bytes else { return "more than 16 EiB" }
        let gib = Double(bytes) / Double(1 << 30)
        if gib >= 1 { return "\((gib * 10).rounded() / 10) GiB" }
        return "\(bytes >> 20) MiB"
    }

    /// Work for people, as time on this class of machine (one block operation ≈ 170 ns: N = 2^15, r = 8 takes
    /// about 90 ms).
    static func describe(work: UInt64?) -> String {
        guard let work else { return "more than 10^12 s" }
        let seconds = Double(work) * 1.7e-7
        return seconds >= 10 ? "\(Int(seconds)) s" : "\((seconds * 10).rounded() / 10) s"
    }
}

/// Key derivation: scrypt for passphrases, HKDF-SHA256 for subkeys of the master key.
public enum KeyDerivation {
    /// Derives a key from a passphrase with scrypt. The corresponding C function is `EVP_PBE_scrypt` (with an
    /// explicit `maxmem`: its default of 32 MiB is just too small for N = 2^15, r = 8).
    ///
    /// - Throws: ``CryptoError`` for unreasonable parameters or an OpenSSL failure.
    public static func scrypt(
        passphrase: SecureBytes, salt: [UInt8], parameters: ScryptParameters, length: Int = 32,
        budget: ScryptParameters.Budget = .default
    ) throws(CryptoError) -> SecureBytes {
        if let refusal = parameters.check(budget: budget) {
            throw CryptoError(
                operation: "scrypt",
                reason: "parameters N=\(parameters.n) r=\(parameters.r) p=\(parameters.p) refused: \(refusal)")
        }
        let memory = parameters.memory ?? 0
        var failed = false
        let key = SecureBytes(count: length) { out in
            let ok = passphrase.withUnsafeBytes { pass in
                pass.withMemoryRebound(to: CChar.self) { chars in
                    EVP_PBE_scrypt(
                        chars.baseAddress, chars.count, salt, salt.count, parameters.n, parameters.r, parameters.p,
                        memory + (1 << 20), out.baseAddress?.assumingMemoryBound(to: UInt8.self), length)
                }
            }
            failed = ok != 1
        }
        if failed { throw .openSSL("scrypt") }
        return key
    }

    /// HKDF-SHA256 (RFC 5869) extract-and-expand. The corresponding C function is `EVP_KDF_derive` with
    /// OpenSSL's `HKDF` (no copy of the key or of intermediate blocks outside OpenSSL, which cleanses its own).
    ///
    /// - Throws: ``CryptoError`` when OpenSSL fails or `length` exceeds 255 · 32 bytes.
    public static func hkdf(
        key: SecureBytes, salt: [UInt8] = [], info: [UInt8], length: Int = 32
    ) throws(CryptoError) -> SecureBytes {
        guard length > 0, length <= 255 * 32 else {
            throw CryptoError(operation: "HKDF", reason: "output length \(length) is outside 1...8160")
        }
        return try SecureBytes(count: length) { (out) throws(CryptoError) in
            let ok = key.withUnsafeBytes { keyBytes in
                COpenSSL_HKDF_SHA256(
                    keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), keyBytes.count, salt, salt.count, info,
                    info.count, out.baseAddress?.assumingMemoryBound(to: UInt8.self), length)
            }
            guard ok == 1 else { throw .openSSL("HKDF") }
        }
    }

    /// The most memory one Argon2id derivation may use: 192 MiB, the scrypt budget's (Authenticator Pro uses 64 MiB).
    public static let maximumArgon2MemoryKiB = 192 * 1024
    /// The most Argon2id passes run for one file.
    public static let maximumArgon2Iterations = 16
    /// The most Argon2id work for one file, passes × memory: 4 passes over 192 MiB (about a second here). The
    /// exports read use far less: Authenticator Pro and Bitwarden's defaults 3 × 64 MiB, Proton 2 × 19 MiB. Each limit
    /// alone let a 1 KB file ask for 16 passes over 192 MiB, 3–4 s.
    public static let maximumArgon2WorkKiB = 4 * 192 * 1024

    /// Argon2id (RFC 9106) through libargon2's reference implementation (`argon2id_hash_raw`).
    ///
    /// - Throws: ``CryptoError`` when a cost is outside its limit (``maximumArgon2MemoryKiB``,
    ///   ``maximumArgon2Iterations``, 1…16 lanes), refused before any memory is allocated, or libargon2 fails.
    public static func argon2id(
        passphrase: SecureBytes, salt: [UInt8], iterations: Int, memoryKiB: Int, lanes: Int, length: Int = 32
    ) throws(CryptoError) -> SecureBytes {
        guard (1...maximumArgon2Iterations).contains(iterations),
            (8 * lanes...maximumArgon2MemoryKiB).contains(memoryKiB),
            (1...16).contains(lanes), (4...1024).contains(length), salt.count >= 8,
            iterations * memoryKiB <= maximumArgon2WorkKiB
        else {
            throw CryptoError(
                operation: "Argon2id",
                reason: "costs out of bounds: \(iterations) passes, \(memoryKiB) KiB, \(lanes) lanes "
                    + "(limits \(maximumArgon2Iterations) passes, \(maximumArgon2MemoryKiB) KiB, 16 lanes, "
                    + "\(maximumArgon2WorkKiB / 1024) MiB × passes)")
        }
        return try SecureBytes(count: length) { (out) throws(CryptoError) in
            let status = passphrase.withUnsafeBytes { pass in
                argon2id_hash_raw(
                    UInt32(iterations), UInt32(memoryKiB), UInt32(lanes), pass.baseAddress, pass.count, salt,
                    salt.count,
                    out.baseAddress, length)
            }
            guard status == 0 else {
                throw CryptoError(operation: "Argon2id", reason: String(cString: argon2_error_message(status)))
            }
        }
    }

    /// The most PBKDF2 iterations run for one file: far above any app's default (2FAS 10 000, FreeOTP 100 000, andOTP
    /// 140 000-ish). About a second of HMAC-SHA1 here, the slowest of the three (2 000 000 took 2.0 s with SHA1, over
    /// the 2-second budget of a hostile file; SHA512 1.3 s, SHA256 1.0 s).
    public static let maximumPBKDF2Iterations = 1_000_000

    /// PBKDF2-HMAC-SHA256 (RFC 8018); see ``pbkdf2(passphrase:salt:iterations:algorithm:length:)``.
    public static func pbkdf2SHA256(
        passphrase: SecureBytes, salt: [UInt8], iterations: Int, length: Int = 32
    ) throws(CryptoError) -> SecureBytes {
        try pbkdf2(passphrase: passphrase, salt: salt, iterations: iterations, algorithm: .sha256, length: length)
    }

    /// PBKDF2 with HMAC over `algorithm` (RFC 8018). The corresponding C function is `PKCS5_PBKDF2_HMAC`.
    ///
    /// - Throws: ``CryptoError`` when `iterations` is outside 1…``maximumPBKDF2Iterations`` (refused before
    ///   running) or OpenSSL fails.
    public static func pbkdf2(
        passphrase: SecureBytes, salt: [UInt8], iterations: Int, algorithm: HashAlgorithm, length: Int = 32
    ) throws(CryptoError) -> SecureBytes {
        guard (1...maximumPBKDF2Iterations).contains(iterations), (1...1024).contains(length) else {
            throw CryptoError(
                operation: "PBKDF2",
                reason: "\(iterations) iterations asked for (the limit is \(maximumPBKDF2Iterations))")
        }
        return try SecureBytes(count: length) { (out) throws(CryptoError) in
            let ok = passphrase.withUnsafeBytes { pass in
                pass.withMemoryRebound(to: CChar.self) { chars in
                    PKCS5_PBKDF2_HMAC(
                        chars.baseAddress, Int32(chars.count), salt, Int32(salt.count), Int32(iterations),
                        algorithm == .sha1 ? EVP_sha1() : algorithm == .sha256 ? EVP_sha256() : EVP_sha512(),
                        Int32(length), out.baseAddress?.assumingMemoryBound(to: UInt8.self))
                }
            }
            guard ok == 1 else { throw .openSSL("PBKDF2") }
        }
    }
}
