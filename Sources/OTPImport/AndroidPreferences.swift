/// Android's `SharedPreferences` XML, as `XmlUtils.writeMapXml` writes it, read in one linear pass:
///
///     <?xml version='1.0' encoding='utf-8' standalone='yes' ?>
///     <map>
///         <string name="key">text with &quot;escapes&quot;</string>
///         <int name="n" value="3" />
///         <set name="s"><string>a</string></set>
///     </map>
///
/// Anything else (a DOCTYPE, other elements, an undefined entity, a missing end tag) makes the file unreadable:
/// nothing is fetched, nothing expands, and the cost is proportional to the file's length.
struct AndroidPreferences {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The `<string>` values directly under `<map>`, in file order, or `nil` when the file is not such a map.
    mutating func strings() -> [(name: String, value: String)]? {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        skipSpace()
        if consume("<?xml") {
            guard skip(past: "?>") else { return nil }
            skipSpace()
        }
        guard consume("<map") else { return nil }
        skipSpace()
        if consume("/>") { return [] }
        guard consume(">") else { return nil }
        var found: [(String, String)] = []
        while true {
            skipSpace()
            if consume("</map>") { return found }
            guard consume("<"), let element = name() else { return nil }
            let attributes = self.attributes()
            guard let attributes else { return nil }
            if consume("/>") {
                if element == "string" { found.append((attributes["name"] ?? "", "")) }
                continue
            }
            guard consume(">") else { return nil }
            switch element {
            case "string":
                guard let text = text(until: "</string>") else { return nil }
                found.append((attributes["name"] ?? "", text))
            case "set":
                // Strings of a set are not values of the map: skip to its end.
                while true {
                    skipSpace()
                    if consume("</set>") { break }
                    guard consume("<string>"), text(until: "</string>") != nil else { return nil }
                }
            default:
                return nil
            }
        }
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func consume(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { buffer in
            guard index + buffer.count <= bytes.count, bytes[index..<(index + buffer.count)].elementsEqual(buffer)
            else { return false }
            index += buffer.count
            return true
        }
    }

    private mutating func skip(past literal: StaticString) -> Bool {
        while index < bytes.count {
            if consume(literal) { return true }
            index += 1
        }
        return false
    }

    /// An element or attribute name: ASCII letters, digits, `_`, `-`, `.`, `:`.
    private mutating func name() -> String? {
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            let letter = (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A
            guard letter || (0x30...0x39).contains(c) || c == 0x5F || c == 0x2D || c == 0x2E || c == 0x3A else { break }
            index += 1
        }
        return index > start ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
    }

    private mutating func attributes() -> [String: String]? {
        var result: [String: String] = [:]
        while true {
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == 0x2F || bytes[index] == 0x3E { return result }  // "/" or ">"
            guard let key = name() else { return nil }
            skipSpace()
            guard consume("=") else { return nil }
            skipSpace()
            // The file may end here, after the spaces (found by FuzzTextInputs: `<map><string name= ` trapped).
            guard index < bytes.count else { return nil }
            let quote = bytes[index]
            guard quote == 0x22 || quote == 0x27 else { return nil }
            index += 1
            guard let end = bytes[index...].firstIndex(of: quote), let value = unescape(bytes[index..<end]) else {
                return nil
            }
            index = end + 1
            result[key] = value
        }
    }

    private mutating func text(until end: StaticString) -> String? {
        let start = index
        guard let lessThan = bytes[index...].firstIndex(of: 0x3C) else { return nil }
        index = lessThan
        guard consume(end) else { return nil }
        return unescape(bytes[start..<lessThan])
    }

    /// Text with the five predefined entities and character references decoded; `nil` for anything else.
    private func unescape(_ raw: ArraySlice<UInt8>) -> String? {
        guard raw.contains(0x26) else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i < raw.endIndex {
            guard raw[i] == 0x26 else {
                out.append(raw[i])
                i += 1
                continue
            }
            guard let semicolon = raw[i...].prefix(12).firstIndex(of: 0x3B) else { return nil }
            let entity = String(decoding: raw[(i + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": out.append(0x26)
            case "lt": out.append(0x3C)
            case "gt": out.append(0x3E)
            case "quot": out.append(0x22)
            case "apos": out.append(0x27)
            default:
                let hex = entity.hasPrefix("#x") || entity.hasPrefix("#X")
                guard entity.hasPrefix("#"),
                    let value = UInt32(entity.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10),
                    let scalar = Unicode.Scalar(value)
                else { return nil }
                out += Array(String(Character(scalar)).utf8)
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}
