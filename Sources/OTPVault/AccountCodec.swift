import OTPCore
import OTPCrypto

/// The plaintext inside a sealed entry: every field of an ``OTPCore/OTPAccount`` and the entry's bookkeeping, in a
/// small length-prefixed binary layout (version 2; version 1, without the tail, is still read). Binary rather than
/// JSON so the buffer holding the secret is one array this code can wipe, not a string copied through an encoder.
///
/// Layout: `01` version, kind, algorithm, digits, encoder (one byte each), period (u32), counter (u64),
/// secret (u16 length + bytes), issuer (u8 present + u32 length + UTF-8), name (u32 length + UTF-8),
/// extra parameter count (u16) and each name and value (u32 length + UTF-8); version 2 adds the note and the AWS MFA
/// serial (u8 present + string each) and the last TOTP step handed out with `--once` (u8 present + u64);
/// version 3 adds a flags byte (bit 0: retired) and a cached AWS session (u8 present + u32 length + bytes, at most
/// 64 KiB), and is written only for an entry that has either, so entries without them stay readable by older
/// versions. Integers are big-endian.
enum AccountCodec {
    static let version: UInt8 = 3

    /// What the vault keeps about an entry besides the account: sealed like it.
    struct State: Sendable, Equatable {
        /// The last TOTP time step handed out by a `--once` request.
        var lastOnceStep: UInt64?
        /// `otp aws session`'s credentials (their JSON), until shortly before they expire.
        var sessionCache: SecureBytes?
    }

    /// The largest cached session kept.
    static let maximumSessionCache = 65_536

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

    /// The plaintext of a sealed entry, assembled in a buffer that wipes every copy it makes.
    static func encode(_ account: OTPAccount, state: State = State()) -> SecureBytes {
        let out = SecureBuffer(capacity: 128 + account.secret.count)
        let written: UInt8 = account.retired || state.sessionCache != nil ? 3 : 2
        out.append(written)
        out.append(account.kind == .totp ? 0 : 1)
        out.append(account.algorithm.storedCode)
        out.append(UInt8(clamping: account.digits))
        out.append(account.encoder == .steam ? 1 : 0)
        out.append(bigEndian: UInt32(clamping: account.period))
        out.append(bigEndian: account.counter)
        account.secret.withUnsafeBytes { secret in
            let kept = UnsafeRawBufferPointer(rebasing: secret.prefix(Int(UInt16.max)))
            out.append(bigEndian: UInt16(kept.count))
            out.append(kept)
        }
        if let issuer = account.issuer {
            out.append(1)
            appendString(out, issuer)
        } else {
            out.append(0)
        }
        appendString(out, account.name)
        let extras = account.extraParameters.prefix(Int(UInt16.max))
        out.append(bigEndian: UInt16(extras.count))
        for parameter in extras {
            appendString(out, parameter.name)
            appendString(out, parameter.value)
        }
        for text in [account.note, account.awsSerial] {
            if let text {
                out.append(1)
                appendString(out, text)
            } else {
                out.append(0)
            }
        }
        if let step = state.lastOnceStep {
            out.append(1)
            out.append(bigEndian: step)
        } else {
            out.append(0)
        }
        if written >= 3 {
            out.append(account.retired ? 1 : 0)
            if let cache = state.sessionCache, cache.count <= maximumSessionCache {
                out.append(1)
                out.append(bigEndian: UInt32(cache.count))
                out.append(cache)
            } else {
                out.append(0)
            }
        }
        return out.finish()
    }

    static func decode(_ plaintext: SecureBytes) throws(DecodingError) -> OTPAccount {
        try decodeWithState(plaintext).account
    }

    static func decodeWithState(_ plaintext: SecureBytes) throws(DecodingError) -> (account: OTPAccount, state: State) {
        try plaintext.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(DecodingError) -> (OTPAccount, State) in
            var reader = Reader(bytes: raw)
            let v = try reader.byte()
            guard (1...version).contains(v) else { throw .unknownVersion(v) }
            let kind: OTPAccount.Kind = try reader.byte() == 0 ? .totp : .hotp
            guard let algorithm = HashAlgorithm(storedCode: try reader.byte()) else { throw .malformed("algorithm") }
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
            var account = OTPAccount(
                kind: kind, issuer: issuer, name: name, secret: secret, algorithm: algorithm,
                digits: digits, period: period, counter: counter, encoder: encoder, extraParameters: extras)
            var state = State()
            if v >= 2 {
                account.note = try reader.byte() == 1 ? try reader.string() : nil
                account.awsSerial = try reader.byte() == 1 ? try reader.string() : nil
                state.lastOnceStep = try reader.byte() == 1 ? try reader.integer(UInt64.self) : nil
            }
            if v >= 3 {
                let flags = try reader.byte()
                guard flags & ~1 == 0 else { throw .malformed("unknown flags") }
                account.retired = flags & 1 == 1
                if try reader.byte() == 1 {
                    let length = Int(try reader.integer(UInt32.self))
                    guard length <= maximumSessionCache else { throw .malformed("session cache too large") }
                    state.sessionCache = SecureBytes(
                        copying: UnsafeRawBufferPointer(rebasing: try reader.bytes(length)))
                }
            }
            guard reader.offset == raw.count else { throw .malformed("trailing bytes") }
            return (account, state)
        }
    }

    private static func appendString(_ out: SecureBuffer, _ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            let kept = UnsafeRawBufferPointer(utf8).prefix(Int(UInt32.max))
            out.append(bigEndian: UInt32(kept.count))
            out.append(UnsafeRawBufferPointer(rebasing: kept))
        }
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
