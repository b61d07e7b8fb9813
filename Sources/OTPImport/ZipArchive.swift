internal import CZip
import Foundation
import OTPCrypto

/// One member of a ZIP archive read in memory through libzip: traditional PKWARE encryption (ZipCrypto) and WinZip AES
/// (AE-1/AE-2, 128 to 256 bits) are opened with a password; stored and deflated members are read.
///
/// Everything read from the archive is bounded before it is used: at most ``maximumMembers`` members, the member read
/// at most ``maximumMemberBytes`` (checked against the declared size first, then while inflating, so a bomb that lies
/// about its size stops at the limit). The archive's consistency is checked on opening (`ZIP_CHECKCONS`); a member's
/// CRC is checked by libzip as it is read, so a damaged member or a wrong password that slips past ZipCrypto's one-byte
/// check fails instead of yielding garbage.
///
/// WinZip AES members are authenticated here, before libzip decrypts them
/// (``winZipAESAuthenticates(_:keyBytes:password:)``): libzip 1.7.3, Debian 12's, reports a CRC error at the end of
/// every AE-2 member, whose CRC field is 0 by design (nih-at/libzip#261, fixed in 1.8), the same error a tampered HMAC
/// gives, and misses HMAC failures of compressed AE-2 members (nih-at/libzip#478). So an AES member is read only when
/// its HMAC-SHA1 checks out, and the spurious CRC error at its end is then ignored.
enum ZipArchive {
    static let maximumMembers = 64
    static let maximumMemberBytes = 16 << 20
    /// The most a member may inflate, relative to its stored size (above 1 MiB): a real export's text or JSON
    /// deflates a few times over; a bomb of repeated lines, a thousand times.
    static let maximumInflation: UInt64 = 100

    /// Whether bytes start with a ZIP local file header.
    static func looksLikeZip(_ bytes: [UInt8]) -> Bool { bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    struct Member: Equatable {
        let index: UInt64
        let name: String
        let size: UInt64
        let encrypted: Bool
        /// `ZIP_EM_*`: 0 none, 1 ZipCrypto, 0x0101…0x0103 WinZip AES-128…256.
        var method: UInt16 = 0
        /// The CRC-32 field (0 in AE-2 members).
        var crc: UInt32 = 0
        var compressedSize: UInt64 = 0

        /// The AES key length of a WinZip AES member (16, 24 or 32 bytes), else `nil`.
        var aesKeyBytes: Int? {
            (0x0101...0x0103).contains(Int(method)) ? 16 + 8 * (Int(method) - 0x0101) : nil
        }
    }

    enum Failure: Error, Equatable {
        /// Not a readable archive, or a damaged one (libzip's words).
        case damaged(String)
        /// Over a limit (what, in words).
        case tooLarge(String)
        /// Encrypted, and no password could be had.
        case needsPassword
        /// The password does not open the member (ZipCrypto's check byte or CRC, WinZip AES's verifier or HMAC).
        case wrongPassword
        /// An encryption or compression method libzip cannot read here.
        case unsupported(String)
        /// `choose` picked no member.
        case noMember
    }

    /// Reads the member `choose` picks from the archive's list (`nil`: none).
    ///
    /// - Parameters:
    ///   - password: Asked for only when the chosen member is encrypted.
    static func read(
        _ bytes: [UInt8], choose: ([Member]) -> Member?, password: () -> SecureBytes?
    ) -> Result<(member: Member, contents: SecureBytes), Failure> {
        bytes.withUnsafeBytes { raw in
            var error = zip_error_t()
            zip_error_init(&error)
            defer { zip_error_fini(&error) }
            guard let source = zip_source_buffer_create(raw.baseAddress, zip_uint64_t(raw.count), 0, &error) else {
                return .failure(.damaged(message(&error)))
            }
            guard let archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error) else {
                zip_source_free(source)
                return .failure(.damaged(message(&error)))
            }
            // zip_discard: nothing is ever written; the archive owns the source from here.
            defer { zip_discard(archive) }
            let members: [Member]
            switch listing(archive) {
            case .success(let listed): members = listed
            case .failure(let failure): return .failure(failure)
            }
            guard let member = choose(members) else { return .failure(.noMember) }
            if let refused = sizeProblem(member) { return .failure(refused) }
            let opened: (file: OpaquePointer, aesAuthenticated: Bool)
            switch open(member, in: archive, archiveSize: raw.count, password: password, &error) {
            case .success(let file): opened = file
            case .failure(let failure): return .failure(failure)
            }
            defer { zip_fclose(opened.file) }
            return contents(of: opened.file, member, aesAuthenticated: opened.aesAuthenticated, &error).map {
                (member, $0)
            }
        }
    }

    /// The archive's members, at most ``maximumMembers``.
    private static func listing(_ archive: OpaquePointer) -> Result<[Member], Failure> {
        let count = zip_get_num_entries(archive, 0)
        guard count >= 0 else { return .failure(.damaged("its directory cannot be read")) }
        guard count <= maximumMembers else {
            return .failure(.tooLarge("\(count) members (at most \(maximumMembers) are read)"))
        }
        var members: [Member] = []
        for index in 0..<zip_uint64_t(count) {
            var stat = zip_stat_t()
            zip_stat_init(&stat)
            guard zip_stat_index(archive, index, 0, &stat) == 0, let name = stat.name,
                stat.valid & zip_uint64_t(ZIP_STAT_SIZE) != 0
            else { return .failure(.damaged("member \(index + 1) cannot be read")) }
            members.append(
                Member(
                    index: index, name: String(decoding: Data(bytes: name, count: strlen(name)), as: UTF8.self),
                    size: stat.size, encrypted: stat.encryption_method != ZIP_EM_NONE,
                    method: stat.encryption_method,
                    crc: stat.valid & zip_uint64_t(ZIP_STAT_CRC) != 0 ? stat.crc : 0,
                    compressedSize: stat.valid & zip_uint64_t(ZIP_STAT_COMP_SIZE) != 0 ? stat.comp_size : 0))
        }
        return .success(members)
    }

    /// Why a member's declared size (or inflation) is refused before anything is inflated.
    private static func sizeProblem(_ member: Member) -> Failure? {
        guard member.size <= maximumMemberBytes else {
            return .tooLarge("its member \(member.name) declares \(member.size) bytes (at most \(maximumMemberBytes))")
        }
        guard member.size <= 1 << 20 || member.size / max(member.compressedSize, 1) <= maximumInflation else {
            return .tooLarge(
                "its member \(member.name) inflates \(member.size / max(member.compressedSize, 1)) times "
                    + "(at most \(maximumInflation) for a member over 1 MiB)")
        }
        return nil
    }

    /// Opens a member for reading; an encrypted one with the password (a WinZip AES member's HMAC is checked first,
    /// so a wrong password is told apart from damage).
    private static func open(
        _ member: Member, in archive: OpaquePointer, archiveSize: Int, password: () -> SecureBytes?,
        _ error: inout zip_error_t
    ) -> Result<(file: OpaquePointer, aesAuthenticated: Bool), Failure> {
        guard member.encrypted else {
            guard let file = zip_fopen_index(archive, member.index, 0) else {
                return .failure(failure(zip_error_code_zip(zip_get_error(archive)), &error, archive: archive))
            }
            return .success((file, false))
        }
        guard let secret = password() else { return .failure(.needsPassword) }
        var aesAuthenticated = false
        if let keyBytes = member.aesKeyBytes {
            // The stored size is read from the archive: never more than the archive itself.
            guard member.compressedSize <= UInt64(archiveSize) else {
                return .failure(.damaged("member \(member.index + 1) claims more bytes than the archive has"))
            }
            switch rawBytes(of: member, in: archive) {
            case .success(let raw):
                guard winZipAESAuthenticates(raw, keyBytes: keyBytes, password: secret) else {
                    return .failure(.wrongPassword)
                }
                aesAuthenticated = true
            case .failure(let failure): return .failure(failure)
            }
        }
        // libzip takes a C string: a copy with a terminating NUL, wiped when done. A password holding a NUL byte
        // cannot be given to it (nor typed into the apps that make these archives).
        guard !secret.withUnsafeBytes({ $0.contains(0) }) else { return .failure(.wrongPassword) }
        var cString = [CChar](repeating: 0, count: secret.count + 1)
        defer { cString.withUnsafeMutableBytes { SecureBytes.wipe($0) } }
        secret.withUnsafeBytes { bytes in
            for (i, byte) in bytes.enumerated() { cString[i] = CChar(bitPattern: byte) }
        }
        guard let file = zip_fopen_index_encrypted(archive, member.index, 0, cString) else {
            return .failure(failure(zip_error_code_zip(zip_get_error(archive)), &error, archive: archive))
        }
        return .success((file, aesAuthenticated))
    }

    /// Inflates an opened member into wiped-on-release memory, never past ``maximumMemberBytes``.
    private static func contents(
        of file: OpaquePointer, _ member: Member, aesAuthenticated: Bool, _ error: inout zip_error_t
    ) -> Result<SecureBytes, Failure> {
        let contents = SecureBuffer(capacity: Int(member.size) + 1)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        defer { chunk.withUnsafeMutableBytes { SecureBytes.wipe($0) } }
        while true {
            let read = chunk.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t($0.count)) }
            if read < 0 {
                let code = zip_error_code_zip(zip_file_get_error(file))
                // libzip 1.7.3's spurious CRC error at the end of an AE-2 member (see above), whose HMAC was checked
                // here: every declared byte has been read.
                if code == ZIP_ER_CRC, aesAuthenticated, member.crc == 0, contents.count == Int(member.size) {
                    break
                }
                // Past ZipCrypto's check byte (one wrong password in 256), a wrong key inflates garbage: the deflate
                // stream breaks, or the CRC does not match.
                if member.encrypted, code == ZIP_ER_COMPRESSED_DATA || code == ZIP_ER_ZLIB {
                    return .failure(.wrongPassword)
                }
                return .failure(failure(code, &error, archive: nil))
            }
            if read == 0 { break }
            guard contents.count + Int(read) <= maximumMemberBytes else {
                return .failure(.tooLarge("its member \(member.name) inflates past \(maximumMemberBytes) bytes"))
            }
            chunk.withUnsafeBytes { contents.append(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(read)))) }
        }
        return .success(contents.finish())
    }

    /// A member's stored bytes, still encrypted (`ZIP_FL_ENCRYPTED`), at most the archive's size.
    private static func rawBytes(of member: Member, in archive: OpaquePointer) -> Result<[UInt8], Failure> {
        guard let file = zip_fopen_index(archive, member.index, zip_flags_t(ZIP_FL_ENCRYPTED)) else {
            return .failure(.damaged("member \(member.index + 1)'s data cannot be read"))
        }
        defer { zip_fclose(file) }
        var raw = [UInt8](repeating: 0, count: Int(member.compressedSize))
        var filled = 0
        while filled < raw.count {
            let read = raw.withUnsafeMutableBytes { buffer in
                let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
                return zip_fread(file, rest.baseAddress, zip_uint64_t(rest.count))
            }
            guard read > 0 else { return .failure(.damaged("member \(member.index + 1)'s data is truncated")) }
            filled += Int(read)
        }
        return .success(raw)
    }

    /// Whether a WinZip AES member's stored bytes (salt ‖ password verifier (2) ‖ ciphertext ‖ HMAC (10)) check out
    /// under `password`: PBKDF2-HMAC-SHA1 with 1 000 iterations gives the AES key, the HMAC key and the verifier;
    /// HMAC-SHA1 of the ciphertext, cut to 10 bytes, must match (WinZip's published AES format).
    static func winZipAESAuthenticates(_ raw: [UInt8], keyBytes: Int, password: SecureBytes) -> Bool {
        let saltBytes = keyBytes / 2
        guard raw.count >= saltBytes + 2 + 10,
            let derived = try? KeyDerivation.pbkdf2(
                passphrase: password, salt: Array(raw.prefix(saltBytes)), iterations: 1000, algorithm: .sha1,
                length: 2 * keyBytes + 2)
        else { return false }
        let (hmacKey, verifier) = derived.withUnsafeBytes { bytes in
            (SecureBytes(bytes[keyBytes..<(2 * keyBytes)]), Array(bytes[(2 * keyBytes)...]))
        }
        guard verifier == Array(raw[saltBytes..<(saltBytes + 2)]),
            let context = try? HMACContext(key: hmacKey, algorithm: .sha1)
        else { return false }
        let code = raw.withUnsafeBytes { bytes in
            context.authenticationCode(for: UnsafeRawBufferPointer(rebasing: bytes[(saltBytes + 2)..<(raw.count - 10)]))
        }
        // Constant time: a mismatch anywhere costs the same.
        return zip(code.prefix(10), raw.suffix(10)).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func failure(_ code: Int32, _ error: inout zip_error_t, archive: OpaquePointer?) -> Failure {
        switch code {
        case ZIP_ER_WRONGPASSWD, ZIP_ER_CRC: return .wrongPassword
        case ZIP_ER_NOPASSWD: return .needsPassword
        case ZIP_ER_ENCRNOTSUPP: return .unsupported("its encryption method")
        case ZIP_ER_COMPNOTSUPP: return .unsupported("its compression method")
        default:
            zip_error_fini(&error)
            zip_error_init_with_code(&error, code)
            return .damaged(message(&error))
        }
    }

    private static func message(_ error: inout zip_error_t) -> String {
        guard let text = zip_error_strerror(&error) else { return "libzip error" }
        return String(cString: text).lowercased()
    }
}
