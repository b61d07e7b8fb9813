import Foundation
public import OTPCore

extension AppExports {
    /// An authenticator app's own SQLite database (what a rooted phone yields), recognised by its tables and
    /// columns. OTPImport links no database: the caller reads the rows (`otp` does, read-only) and hands them here as
    /// text.
    public enum AppDatabase: String, Sendable, CaseIterable {
        /// Google Authenticator's `databases` file: `accounts(email, secret, counter, type, issuer)`; type 0 TOTP,
        /// 1 HOTP; always SHA1, 6 digits, 30 s (as Aegis's importer reads it).
        case googleAuthenticator = "Google Authenticator database"
        /// Microsoft Authenticator's `PhoneFactor` database: `accounts(name, username, oath_secret_key,
        /// account_type)`; type 0 is a TOTP account (SHA1, 6 digits, 30 s). Microsoft's own accounts (type 1, 8-digit
        /// codes from a Base64 key) are not read.
        case microsoftAuthenticator = "Microsoft Authenticator database"
        /// Authenticator Pro's (Stratum's) app database: `authenticator(type, issuer, username, secret, algorithm,
        /// digits, period, counter)`, the fields of its plain backup.
        case authenticatorPro = "Authenticator Pro database"

        /// The table and the columns the app's rows are read from.
        public var table: (name: String, columns: [String]) {
            switch self {
            case .googleAuthenticator: ("accounts", ["email", "secret", "counter", "type", "issuer"])
            case .microsoftAuthenticator: ("accounts", ["name", "username", "oath_secret_key", "account_type"])
            case .authenticatorPro:
                ("authenticator", ["type", "issuer", "username", "secret", "algorithm", "digits", "period", "counter"])
            }
        }

        /// Which app made a database with these tables and their columns, or `nil`.
        public static func recognise(_ tables: [String: Set<String>]) -> AppDatabase? {
            allCases.first { kind in
                let (name, columns) = kind.table
                return tables[name].map { Set(columns).isSubset(of: $0) } ?? false
            }
        }

        /// The accounts of rows read from ``table`` (values as text, `nil` for NULL), as checked items.
        public func accounts(
            rows: [[String: String?]], source: String
        ) -> Result<[(source: String, check: URICheck)], Failure> {
            guard !rows.isEmpty else {
                return .failure(Failure(code: "not-provisioning", message: "\(rawValue) with no account"))
            }
            let entries = rows.map { row in Entry.fields(fields(row)) }
            return .success(
                entries.enumerated().map { index, entry in
                    ("\(source) (\(rawValue) row \(index + 1) of \(entries.count))", entry.check)
                })
        }

        private func fields(_ row: [String: String?]) -> Fields {
            func value(_ key: String) -> String? { row[key] ?? nil }
            switch self {
            case .googleAuthenticator:
                var parameters = ["secret": value("secret") ?? "", "algorithm": "SHA1", "digits": "6"]
                let issuer = value("issuer").flatMap { $0.isEmpty ? nil : $0 }
                parameters["issuer"] = issuer
                // The app stores "Issuer:name" as the name when the issuer came with the label.
                var name = value("email") ?? ""
                if let issuer, name.hasPrefix(issuer + ":") { name = String(name.dropFirst(issuer.count + 1)) }
                switch value("type") {
                case "1":
                    parameters["counter"] = value("counter") ?? "0"
                    return Fields(type: "hotp", name: name, parameters: parameters)
                case "0", nil:
                    parameters["period"] = "30"
                    return Fields(type: "totp", name: name, parameters: parameters)
                case let other?:
                    return Fields(type: "unsupported type \(other)", name: name, parameters: parameters)
                }
            case .microsoftAuthenticator:
                var parameters = [
                    "secret": value("oath_secret_key") ?? "", "algorithm": "SHA1", "digits": "6", "period": "30",
                ]
                parameters["issuer"] = value("name").flatMap { $0.isEmpty ? nil : $0 }
                let type = value("account_type") == "0" ? "totp" : "microsoft-account"
                return Fields(type: type, name: value("username") ?? "", parameters: parameters)
            case .authenticatorPro:
                var parameters = ["secret": value("secret") ?? ""]
                parameters["issuer"] = value("issuer").flatMap { $0.isEmpty ? nil : $0 }
                parameters["algorithm"] =
                    ["SHA1", "SHA256", "SHA512"][safe: Int(value("algorithm") ?? "0") ?? -1]
                    ?? "unknown"
                let type: String
                switch value("type") {
                case "1":
                    type = "hotp"
                    parameters["counter"] = value("counter") ?? "0"
                case "4":
                    type = "steam"
                case "2":
                    type = "totp"
                    parameters["period"] = value("period")
                case let other:
                    type = "unsupported type \(other ?? "none")"
                }
                if type != "steam" { parameters["digits"] = value("digits") }
                return Fields(type: type, name: value("username") ?? "", parameters: parameters)
            }
        }
    }
}
