/// RFC 4648 §6 Base32 (alphabet `A–Z2–7`), as provisioning URIs carry secrets.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Why a string is not Base32. Positions are 1-based; the offending character itself is never quoted,
    /// because it is part of a secret.
    public enum DecodingError: Error, Sendable, Equatable {
        /// A character outside the alphabet (after case folding and removing spaces and padding).
        case invalidCharacter(position: Int)
        /// A length whose last group cannot encode whole bytes (1, 3 or 6 characters past a multiple of 8).
        case invalidLength(Int)
        /// `=` before the end.
        case misplacedPadding(position: Int)
    }

    /// Encodes bytes as upper-case Base32, without padding (as otpauth URIs write secrets).
    public static func encode<Bytes: Collection>(_ bytes: Bytes, padding: Bool = false) -> String
    where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 8 + 4) / 5 + 8)
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
            buffer &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        if padding { while out.count % 8 != 0 { out.append(UInt8(ascii: "=")) } }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes Base32 leniently in the ways people write secrets: case-insensitive, spaces ignored,
    /// trailing `=` padding optional. Trailing bits that do not make a whole byte are dropped (most generators
    /// leave them non-zero).
    ///
    /// - Throws: ``DecodingError``.
    public static func decode(_ text: String) throws(DecodingError) -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var paddingStart: Int?
        var position = 0
        for byte in text.utf8 {
            position += 1
            if byte == UInt8(ascii: " ") { continue }
            if byte == UInt8(ascii: "=") {
                if paddingStart == nil { paddingStart = position }
                continue
            }
            if let start = paddingStart { throw .misplacedPadding(position: start) }
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a"))
            case UInt8(ascii: "2")...UInt8(ascii: "7"): values.append(byte - UInt8(ascii: "2") + 26)
            default: throw .invalidCharacter(position: position)
            }
        }
        switch values.count % 8 {
        case 1, 3, 6: throw .invalidLength(values.count)
        default: break
        }
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for value in values {
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        for i in values.indices { values[i] = 0 }
        return out
    }
}
