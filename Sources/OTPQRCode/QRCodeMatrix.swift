internal import CQRencode

/// A QR code as modules (libqrencode): what `otp show --qr`, `--png` and the Google transfer export draw.
public struct QRCodeMatrix: Sendable, Equatable {
    /// Modules per side (21 for version 1, 4 more per version).
    public let size: Int
    /// `size × size` modules, row by row; `true` is dark.
    public let modules: [Bool]

    /// Why text could not be encoded.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Encodes text (8-bit mode, error correction level M: readable from a screen, and dense payloads still fit).
    /// The corresponding C functions are `QRcode_encodeString8bit` and `QRcode_free`.
    ///
    /// - Throws: ``Failure`` when the text is too long for a QR code (2 331 bytes at level M) or libqrencode fails.
    public init(encoding text: String) throws(Failure) {
        guard text.utf8.count <= 2331 else {
            throw Failure(description: "\(text.utf8.count) bytes do not fit in one QR code (at most 2331)")
        }
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else {
            throw Failure(description: "libqrencode could not encode the text")
        }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        size = width
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// Whether the module at (`x`, `y`) is dark; outside the code (the quiet zone) is light.
    public func isDark(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x]
    }

    /// An 8-bit gray image (0 dark, 255 light) with `scale` pixels per module and a quiet zone of `border` modules.
    /// Each module row is drawn once and copied `scale` times.
    public func pixels(scale: Int, border: Int = 4) -> (width: Int, pixels: [UInt8]) {
        let side = (size + 2 * border) * scale
        var out = [UInt8](repeating: 255, count: side * side)
        var row = [UInt8](repeating: 255, count: side)
        for y in 0..<size {
            for x in 0..<(size + 2 * border) {
                let value: UInt8 = isDark(x: x - border, y: y) ? 0 : 255
                for dx in 0..<scale { row[x * scale + dx] = value }
            }
            let top = (y + border) * scale
            for dy in 0..<scale { out.replaceSubrange(((top + dy) * side)..<((top + dy + 1) * side), with: row) }
        }
        return (side, out)
    }

    /// The code drawn with Unicode half blocks, two module rows per line, with a quiet zone of `border` modules:
    /// blocks are dark modules. With `colors` each line is drawn black on white (ANSI `30;47`), so the code has the
    /// right polarity on dark and light terminal themes alike (a phone camera reads it from either).
    public func terminalText(border: Int = 2, colors: Bool = true) -> String {
        var lines: [String] = []
        var y = -border
        while y < size + border {
            var line = colors ? "\u{1B}[30;47m" : ""
            for x in -border..<(size + border) {
                let top = isDark(x: x, y: y)
                let bottom = isDark(x: x, y: y + 1)
                line += top ? (bottom ? "█" : "▀") : (bottom ? "▄" : " ")
            }
            lines.append(line + (colors ? "\u{1B}[0m" : ""))
            y += 2
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
