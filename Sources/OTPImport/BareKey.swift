public import OTPCore

/// A file that holds only a Base32 key — the AWS CLI's `create-virtual-mfa-device --bootstrap-method
/// Base32StringSeed --outfile F` writes 64 characters and nothing else — and the account it is for, which the file
/// cannot say.
public struct BareKeyAccount: Sendable, Hashable {
    /// The issuer (`Amazon Web Services`), if given.
    public var issuer: String?
    /// The account name (`alice@123456789012`).
    public var account: String

    /// An account for bare keys.
    public init(issuer: String?, account: String) {
        self.issuer = issuer
        self.account = account
    }

    /// The Base32 key a text holds when it is nothing else: one non-comment line of at least 16 Base32 characters
    /// (spaces, dashes and lower case tolerated, as people type keys). `nil` for anything else.
    public static func key(in text: String) -> String? {
        // A key file is a line of at most 1 024 characters and little else: larger texts are not split twice.
        guard text.utf8.count <= 4096 else { return nil }
        let lines = TextInput.uriLines(text)
        guard lines.count == 1, let line = lines.first?.text else { return nil }
        let compact = String(line.filter { $0 != " " && $0 != "-" }).uppercased()
        let body = compact.prefix { $0 != "=" }
        guard body.count >= 16, compact.dropFirst(body.count).allSatisfy({ $0 == "=" }),
            body.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("2"..."7").contains($0) })
        else { return nil }
        return compact
    }

    /// The check of `key` as this account's TOTP key (SHA1, 6 digits, 30 s: what AWS uses), by the URI rules.
    public func check(key: String) -> URICheck {
        var parameters = ["secret": key]
        if let issuer, !issuer.isEmpty { parameters["issuer"] = issuer }
        return OTPAuthURI.check(OTPAuthURI.Fields(type: "totp", name: account, parameters: parameters))
    }
}
