import Foundation
import OTPCore
import OTPCrypto

/// The password managers' formats: CSV (KeePassXC's columns), Bitwarden JSON and CXF. Each is read back by
/// ``AppExports`` into the same accounts (the round-trip tests check it).
extension Exporter {
    /// A CSV field, quoted as KeePassXC writes every field (RFC 4180: a quote doubled).
    static func csvField(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// KeePassXC's CSV columns, one row per account, CRLF line ends (RFC 4180).
    static func csv(_ accounts: [OTPAccount]) -> Output {
        let header = [
            "Group", "Title", "Username", "Password", "URL", "Notes", "TOTP", "Icon", "Last Modified", "Created",
        ]
        var text = header.map(csvField).joined(separator: ",") + "\r\n"
        let now = ISO8601DateFormatter().string(from: Date())
        for account in accounts {
            let row = [
                "otp", account.issuer ?? account.name, account.name, "", "", account.note ?? "",
                OTPAuthURI.string(for: account), "0", now, now,
            ]
            text += row.map(csvField).joined(separator: ",") + "\r\n"
        }
        return Output(data: SecureBytes(Array(text.utf8)), leftOut: [], count: accounts.count)
    }

    /// Bitwarden's unencrypted JSON export (`{"encrypted": false, "folders": [], "items": [...]}`), one login item
    /// (type 1) per account.
    static func bitwarden(_ accounts: [OTPAccount]) throws(Failure) -> Output {
        let items: [[String: Any]] = accounts.map { account in
            [
                "id": UUID().uuidString.lowercased(), "organizationId": NSNull(), "folderId": NSNull(), "type": 1,
                "reprompt": 0, "name": account.issuer ?? account.name, "notes": account.note ?? NSNull(),
                "favorite": false, "collectionIds": NSNull(),
                "login": [
                    "uris": [] as [Any], "username": account.name, "password": NSNull(),
                    "totp": OTPAuthURI.string(for: account),
                ] as [String: Any],
            ]
        }
        return try json(["encrypted": false, "folders": [] as [Any], "items": items], count: accounts.count)
    }

    /// Why CXF cannot hold an account, or `nil` when it can.
    public static func cxfRefusal(_ account: OTPAccount) -> String? {
        if account.encoder == .steam { return "CXF has no Steam codes" }
        if account.kind == .hotp { return "CXF has no counter-based (HOTP) codes" }
        if account.period > 255 || account.digits > 255 { return "CXF holds steps and digits up to 255" }
        return nil
    }

    /// A CXF 1.0 document: one account (`otp`), one item per account with one `totp` credential.
    static func cxf(_ accounts: [OTPAccount]) throws(Failure) -> Output {
        var leftOut: [(OTPAccount, String)] = []
        let now = Int(Date().timeIntervalSince1970)
        func identifier() -> String {
            let bytes = (try? SecureRandom.bytes(16)) ?? Array(UUID().uuidString.utf8.prefix(16))
            return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        var items: [[String: Any]] = []
        for account in accounts {
            if let reason = cxfRefusal(account) {
                leftOut.append((account, reason))
                continue
            }
            var credential: [String: Any] = [
                "type": "totp", "secret": account.secret.withUnsafeBytes { Base32.encode($0) },
                "period": account.period, "digits": account.digits, "username": account.name,
                "algorithm": account.algorithm.rawValue.lowercased(),
            ]
            if let issuer = account.issuer { credential["issuer"] = issuer }
            items.append([
                "id": identifier(), "creationAt": now, "modifiedAt": now, "title": account.issuer ?? account.name,
                "credentials": [credential],
            ])
        }
        let document: [String: Any] = [
            "version": ["major": 1, "minor": 0], "exporterRpId": "otp.local", "exporterDisplayName": "otp",
            "timestamp": now,
            "accounts": [
                ["id": identifier(), "username": "", "email": "", "collections": [] as [Any], "items": items]
            ],
        ]
        let output = try json(document, count: items.count)
        return Output(data: output.data, leftOut: leftOut, count: items.count)
    }

    /// JSON with sorted keys, the plaintext's intermediate copy wiped.
    private static func json(_ object: [String: Any], count: Int) throws(Failure) -> Output {
        do {
            var data = try JSONSerialization.data(
                withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            defer { data.resetBytes(in: 0..<data.count) }
            return Output(data: SecureBytes(data), leftOut: [], count: count)
        } catch {
            throw Failure(description: "writing the export failed: \(error)")
        }
    }
}
