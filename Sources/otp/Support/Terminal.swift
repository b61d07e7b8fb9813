#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Output helpers shared by the subcommands: escaping untrusted text, JSON, stderr.
enum Terminal {
    /// Writes a line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes text to standard output.
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Whether standard error is a terminal (progress bars go there).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Text read from a QR code or a file made safe to print: C0 and C1 control characters, DEL and the Unicode
    /// bidirectional overrides become visible escapes (`\n`, `\u{1B}`), so a hostile name cannot move the
    /// cursor, clear the screen or reorder what the user sees.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00...0x1F, 0x7F...0x9F, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Encodes a value as one JSON document (camelCase keys, slashes unescaped) followed by a newline.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "null\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
