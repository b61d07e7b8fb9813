/// The one home of the rules for text read from QR codes, exports and vaults (issuers, names, parameter values):
/// which characters are refused, which are suspicious, and how any of it is printed.
///
/// - Control characters (C0, DEL, C1) are refused in issuers and names: they can move a terminal's cursor, clear
///   its screen or end a line early.
/// - Invisible characters (Unicode general categories Cf — zero-width spaces and joiners, bidirectional marks and
///   overrides, soft hyphen — and the line and paragraph separators Zl, Zp) are accepted with a warning: they make
///   look-alike names ("Goo\u{200B}gle" shows as "Google").
/// - Printing escapes both kinds (`\u{200B}`), and `\n`, `\r`, `\t` by name.
public enum UntrustedText {
    /// C0 controls, DEL and C1 controls.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Format characters (Cf) and line and paragraph separators (Zl, Zp): invisible, or reordering what is shown.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII has no format or separator characters: skip the Unicode tables for it.
        guard scalar.value >= 0x80 else { return false }
        switch scalar.properties.generalCategory {
        case .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }

    /// Whether `text` holds a control character.
    public static func hasControlCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// Whether `text` holds an invisible or separator character.
    public static func hasInvisibleCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isInvisible)
    }

    /// `text` safe to print on a terminal: controls and invisible characters become visible escapes.
    ///
    /// - Parameter limit: At most this many scalars are kept, then `…`.
    public static func escaped(_ text: some StringProtocol, limit: Int = .max) -> String {
        // Fast path: printable ASCII within the limit comes back as it is.
        if text.utf8.count <= limit, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(text) }
        var out = ""
        out.reserveCapacity(min(text.utf8.count, limit))
        var kept = 0
        for scalar in text.unicodeScalars {
            if kept == limit { return out + "…" }
            kept += 1
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case _ where isControl(scalar) || isInvisible(scalar):
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether a command-line argument that is not an existing file may carry a secret, so it must never be echoed
    /// in an error: it mentions `secret=` or `data=`, names an `otpauth` scheme however mangled (`otpauth:/`,
    /// a leading space, a control byte before it), or holds control characters.
    public static func mayCarrySecret(_ argument: String) -> Bool {
        let lower = argument.lowercased()
        return lower.contains("secret=") || lower.contains("data=") || lower.contains("otpauth")
            || hasControlCharacters(argument)
    }

    /// How an argument is named in messages: as given, unless it ``mayCarrySecret(_:)``.
    public static func argumentLabel(_ argument: String, number: Int) -> String {
        mayCarrySecret(argument)
            ? "argument \(number) (not shown: it looks like a URI and may hold a secret)" : argument
    }
}
