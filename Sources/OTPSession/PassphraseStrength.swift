import Foundation
public import OTPCrypto

/// A small estimate of a passphrase's strength, for the warning `init` and `passwd` give: the character classes
/// used, the length, repeats and the most common passwords. It is deliberately rough (zxcvbn's rules in miniature):
/// its job is to catch `a`, `123456` and `password`, not to grade good passphrases.
public enum PassphraseStrength {
    /// Below this estimate a passphrase is called weak: offline guessing of a copied vault (one scrypt run at
    /// N = 2^17 per guess) gets through 2^40 guesses in years on one machine, 2^30 in a day.
    public static let weakBelowBits = 40.0

    static let common: Set<String> = [
        "password", "passw0rd", "123456", "12345678", "123456789", "qwerty", "letmein", "secret", "passphrase",
        "admin", "welcome", "iloveyou", "monkey", "dragon", "abc123", "111111", "000000", "changeme", "otp",
    ]

    /// The estimated strength in bits.
    public static func bits(_ passphrase: SecureBytes) -> Double {
        let text = passphrase.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        if common.contains(text.lowercased()) { return 0 }
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty else { return 0 }
        var pool = 0
        if scalars.contains(where: { ("a"..."z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("A"..."Z").contains($0) }) { pool += 26 }
        if scalars.contains(where: { ("0"..."9").contains($0) }) { pool += 10 }
        if scalars.contains(where: { $0.isASCII && !$0.properties.isAlphabetic && !("0"..."9").contains($0) }) {
            pool += 33
        }
        if scalars.contains(where: { !$0.isASCII }) { pool += 100 }
        // Each character after a repeat of the one before, or one step up or down from it (aaaa, abcd, 4321),
        // counts for little.
        var effective = 1.0
        for i in 1..<scalars.count {
            let step = Int(scalars[i].value) - Int(scalars[i - 1].value)
            effective += abs(step) <= 1 ? 0.25 : 1
        }
        return effective * log2(Double(max(pool, 2)))
    }

    /// Whether a passphrase is weak (below ``weakBelowBits``).
    public static func isWeak(_ passphrase: SecureBytes) -> Bool { bits(passphrase) < weakBelowBits }
}
