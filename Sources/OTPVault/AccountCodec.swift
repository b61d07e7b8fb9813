import OTPCore
import OTPCrypto

/// The plaintext inside a sealed entry: every field of an ``OTPCore/OTPAccount``, in a small length-prefixed
/// binary layout (version 1). Binary rather than JSON so the buffer holding the secret is one array this code can
/// wipe, not a string copied through an encoder.
///
/// Layout: `01` version, kind, algorithm, digits, encoder (one byte each), period (u32), counter (u64),
/// secret (u16 length + bytes), issuer (u8 present + u32 length + UTF-8), name (u32 length + UTF-8),
/// extra parameter count (u16) and each name and value (u32 length + UTF-8). Integers are big-endian.
enum AccountCodec {
    static let version: UInt8 = 1

    enum DecodingError: Error, CustomStringConvertible {
        case unknownVersion(UInt8)
        case malformed(String)

        var description: String {
            switch self {
            case .unknownVersion(let v): "unknown entry format version \(v)"
            case .malformed(let what): "malformed entry (\(what))"
            }
        }
    }

    static func encode(_ account: OTPAccount) -> [UInt8] {
        var out: [UInt8] = [version]
        out.append(account.kind == .totp ? 0 : 1)
        out.append(UInt8(HashAlgorithm.allCases.firstIndex(of: account.algorithm) ?? 0))
        out.append(UInt8(clamping: account.digits))
        out.append(account.encoder == .steam ? 1 : 0)
        append(&out, UInt32(clamping: account.period))
        append(&out, account.counter)
        account.secret.withUnsafeBytes { secret in
            append(&out, UInt16(clamping: secret.count))
            out.append(contentsOf: secret.prefix(Int(UInt16.max)))
        }
        if let issuer = account.issuer {
            out.append(1)
            appendString(&out, issuer)
        } else {
            out.append(0)
        }
        appendString(&out, account.name)
        append(&out, UInt16(clamping: account.extraParameters.count))
        for parameter in account.extraParameters.prefix(Int(UInt16.max)) {
            appendString(&out, parameter.name)
            appendString(&out, parameter.value)
        }
        return out
    }

    static func decode(_ plaintext: SecureBytes) throws(DecodingError) -> OTPAccount {
        try plaintext.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(DecodingError) -> OTPAccount in
            var reader = Reader(bytes: raw)
            let v = try reader.byte()
            guard v == version else { throw .unknownVersion(v) }
            let kind: OTPAccount.Kind = try reader.byte() == 0 ? .totp : .hotp
            let algorithmIndex = Int(try reader.byte())
            guard algorithmIndex < HashAlgorithm.allCases.count else { throw .malformed("algorithm") }
            let digits = Int(try reader.byte())
            let encoder: OTPAccount.Encoder = try reader.byte() == 1 ? .steam : .decimal
            let period = Int(try reader.integer(UInt32.self))
            let counter = try reader.integer(UInt64.self)
            let secretLength = Int(try reader.integer(UInt16.self))
            let secret = SecureBytes(copying: UnsafeRawBufferPointer(rebasing: try reader.bytes(secretLength)))
            let issuer = try reader.byte() == 1 ? try reader.string() : nil
            let name = try reader.string()
            var extras: [OTPAccount.Parameter] = []
            for _ in 0..<Int(try reader.integer(UInt16.self)) {
                extras.append(.init(name: try reader.string(), value: try reader.string()))
            }
            guard reader.offset == raw.count else { throw .malformed("trailing bytes") }
            return OTPAccount(
                kind: kind, issuer: issuer, name: name, secret: secret, algorithm: HashAlgorithm.allCases[algorithmIndex],
                digits: digits, period: period, counter: counter, encoder: encoder, extraParameters: extras)
        }
    }

    private static func append<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }

    private static func appendString(_ out: inout [UInt8], _ text: String) {
        append(&out, UInt32(clamping: text.utf8.count))
        out.append(contentsOf: text.utf8)
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func bytes(_ count: Int) throws(DecodingError) -> UnsafeRawBufferPointer.SubSequence {
            guard count >= 0, count <= bytes.count - offset else { throw .malformed("truncated") }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }

        mutating func byte() throws(DecodingError) -> UInt8 { try bytes(1).first ?? 0 }

        mutating func integer<T: FixedWidthInteger>(_: T.Type) throws(DecodingError) -> T {
            let raw = UnsafeRawBufferPointer(rebasing: try bytes(MemoryLayout<T>.size))
            return T(bigEndian: raw.loadUnaligned(as: T.self))
        }

        /// Text as written by ``encode(_:)``. The blob's GCM tag has verified, so these bytes are ours: decoding
        /// (which would repair invalid UTF-8) stands in for validating, at a fraction of the cost.
        mutating func string() throws(DecodingError) -> String {
            let length = Int(try integer(UInt32.self))
            let raw = UnsafeRawBufferPointer(rebasing: try bytes(length))
            return String(decoding: raw.bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }
}
