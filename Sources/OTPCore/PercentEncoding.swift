/// RFC 3986 percent-encoding, byte-exact.
enum PercentEncoding {
    /// A `%` not followed by two hex digits, at a 1-based byte offset.
    struct MalformedEscape: Error {
        let offset: Int
    }

    /// Decodes `%XX` escapes to bytes. `+` is kept as `+` (RFC 3986) unless `plusAsSpace` (HTML form encoding,
    /// which query values in the wild use).
    static func decode<S: StringProtocol>(_ text: S, plusAsSpace: Bool = false) throws(MalformedEscape) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if plusAsSpace {
            for i in utf8.indices where utf8[i] == UInt8(ascii: "+") { utf8[i] = UInt8(ascii: " ") }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < utf8.count,
                    let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2])
                else { throw MalformedEscape(offset: i + 1) }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(byte)
                i += 1
            }
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Bytes that stay literal: RFC 3986 unreserved characters, plus `@` (common in account names).
    private static func isLiteral(_ byte: UInt8, keepingAt: Bool) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        case UInt8(ascii: "@"): keepingAt
        default: false
        }
    }

    /// Percent-encodes everything but unreserved characters (and `@` when `keepingAt`).
    static func encode(_ text: String, keepingAt: Bool = true) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            if isLiteral(byte, keepingAt: keepingAt) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
