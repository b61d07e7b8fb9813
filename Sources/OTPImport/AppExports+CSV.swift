import OTPCore

/// Password managers' CSV exports, recognised by their header row: any CSV with a column of one-time codes
/// (`otpauth://` URIs, bare Base32 keys or `steam://` keys), and the plain `name,secret,issuer,…` files of command-line
/// authenticators. Rows without a one-time code (notes, cards, logins without TOTP) are counted, never errors.
///
/// Headers read (each from the app's published documentation; see `Tests/Fixtures/exports/PROVENANCE.md`):
/// - KeePassXC: `Group,Title,Username,Password,URL,Notes,TOTP,Icon,Last Modified,Created` (TOTP holds a URI).
/// - Apple Passwords: `Title,URL,Username,Password,Notes,OTPAuth`.
/// - 1Password 8: `Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes`.
/// - Bitwarden: `folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp`.
/// - Proton Pass: `type,name,url,email,username,password,note,totp,createTime,modifyTime,vault`.
/// - Plain files: a `secret` (or `key`) column with `name`/`account`, `issuer`, `digits`, `period`, `algorithm`,
///   `type` and `counter` columns where present.
/// - Any other header with a column whose rows hold `otpauth://` URIs.
extension AppExports {
    /// Where a CSV export keeps its accounts.
    struct CSVShape: Equatable {
        /// The column of one-time codes: a URI, a bare key or `steam://` (`uri`), or only the Base32 key (`secret`).
        enum Codes: Equatable {
            case uri(Int)
            case secret(Int)
        }
        let format: String
        let codes: Codes
        let issuer: Int?
        let account: Int?
        let digits: Int?
        let period: Int?
        let algorithm: Int?
        let type: Int?
        let counter: Int?
    }

    /// The accounts of a CSV export and how many rows had no one-time code.
    public struct CSVAccounts: Sendable {
        public let accounts: [(source: String, check: URICheck)]
        /// Rows without a one-time code (notes, cards, logins without TOTP): skipped, not errors.
        public let skipped: Int
    }

    /// A header name without case, spaces, `_`, `-` or other punctuation (`login_totp` → `logintotp`).
    private static func normalised(_ name: String) -> String {
        String(
            String.UnicodeScalarView(
                name.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }

    private static let codeColumns: Set<String> = [
        "totp", "otpauth", "otp", "logintotp", "onetimepassword", "onetimecode", "otpurl", "otpuri", "totpurl",
        "totpuri", "otpauthurl", "otpauthuri", "2fa", "mfa",
    ]
    private static let secretColumns: Set<String> = ["secret", "secretkey", "key", "totpsecret", "seed", "otpsecret"]
    private static let titleColumns: Set<String> = ["title", "name", "nickname", "service", "label", "site"]
    private static let userColumns: Set<String> = [
        "username", "loginusername", "login", "user", "account", "accountname", "email",
    ]

    /// The shape of a CSV export, read off its first row (and, for an unknown header, the column where rows hold
    /// `otpauth://` URIs); `nil` when the text is not such a CSV (a URI list, a note, JSON).
    static func csvShape(_ text: String) -> CSVShape? {
        // By scalars: a CRLF is one Character, so a Character-wise scan would not stop at it.
        let firstLine = String(String.UnicodeScalarView(text.unicodeScalars.prefix { $0 != "\n" && $0 != "\r" }))
        // A header has at least two columns and is no URI and no comment.
        guard firstLine.contains(","), !firstLine.contains("://"), !firstLine.hasPrefix("#"),
            firstLine.utf8.count <= 4096
        else { return nil }
        let header = csvRows(firstLine, limit: 1).first ?? []
        let names = header.map(normalised)
        func column(_ set: Set<String>) -> Int? { names.firstIndex(where: set.contains) }
        func named(_ name: String) -> Int? { names.firstIndex(of: name) }
        let format = csvFormat(names)
        let issuerColumn = named("issuer")
        let title = column(titleColumns)
        let user = column(userColumns)
        // With an issuer column the name column names the account (`name,secret,issuer`); without one the title is
        // the issuer and the username the account (password managers).
        let issuer = issuerColumn ?? title
        let account = issuerColumn != nil ? (user ?? title) : user
        let rest = (
            digits: named("digits"), period: named("period"), algorithm: named("algorithm"),
            type: named("type"), counter: named("counter")
        )
        if let codes = column(codeColumns) {
            return CSVShape(
                format: format, codes: .uri(codes), issuer: issuer, account: account, digits: nil, period: nil,
                algorithm: nil, type: nil, counter: nil)
        }
        if let secret = column(secretColumns), issuer != nil || account != nil {
            return CSVShape(
                format: format, codes: .secret(secret), issuer: issuer, account: account, digits: rest.digits,
                period: rest.period, algorithm: rest.algorithm, type: rest.type, counter: rest.counter)
        }
        // An unknown header: the column where the first rows hold otpauth:// URIs.
        for row in readCSV(text, limit: 50).rows.dropFirst() {
            if let index = row.firstIndex(where: { OTPAuthURI.hasScheme($0) && $0.lowercased().hasPrefix("otpauth://") }
            ) {
                return CSVShape(
                    format: format, codes: .uri(index), issuer: issuer, account: account, digits: nil, period: nil,
                    algorithm: nil, type: nil, counter: nil)
            }
        }
        return nil
    }

    /// The app a header comes from, for sources (`"KeePassXC CSV"`), or `"CSV"`.
    private static func csvFormat(_ names: [String]) -> String {
        let set = Set(names)
        if names.starts(with: ["folder", "favorite", "type", "name"]), set.contains("logintotp") {
            return "Bitwarden CSV"
        }
        if set.isSuperset(of: ["group", "title", "username", "password", "totp"]) { return "KeePassXC CSV" }
        if names.starts(with: ["title", "url", "username", "password", "otpauth", "favorite"]) {
            return "1Password CSV"
        }
        if names.starts(with: ["title", "url", "username", "password", "notes", "otpauth"]) {
            return "Apple Passwords CSV"
        }
        if set.isSuperset(of: ["type", "name", "url", "email", "username", "password", "note", "totp", "vault"]) {
            return "Proton Pass CSV"
        }
        return "CSV"
    }

    /// The accounts of a CSV export of shape `shape`, with sources like the JSON formats'.
    /// The most rows a CSV export is read for (a password manager's export of every login fits; a larger file is
    /// refused rather than held in memory row by row).
    public static let maximumCSVRows = 200_000

    static func csv(_ text: String, shape: CSVShape, source: String) -> CSVAccounts {
        var skipped = 0
        var entries: [Entry] = []
        let (rows, tooWide) = readCSV(text, limit: maximumCSVRows + 2)
        if rows.count > maximumCSVRows + 1 || tooWide {
            let what = tooWide ? "a row of more than \(maximumCSVFields) fields" : "more than \(maximumCSVRows) rows"
            let diagnostic = Diagnostic(.error, .uri, .tooLarge, "the CSV file has \(what); it was not read")
            return CSVAccounts(
                accounts: [(source, URICheck(account: nil, diagnostics: [diagnostic], issuer: nil, name: nil))],
                skipped: 0)
        }
        for row in rows.dropFirst() {
            func value(_ index: Int?) -> String? {
                index.flatMap { $0 < row.count ? row[$0].trimmingWhitespace() : nil }.flatMap { $0.isEmpty ? nil : $0 }
            }
            switch shape.codes {
            case .uri(let index):
                guard
                    let entry = bitwarden(name: value(shape.issuer), username: value(shape.account), totp: value(index))
                else {
                    skipped += 1
                    continue
                }
                entries.append(entry)
            case .secret(let index):
                guard let secret = value(index) else {
                    skipped += 1
                    continue
                }
                if OTPAuthURI.hasScheme(secret) {
                    entries.append(.uri(secret))
                    continue
                }
                entries.append(
                    .fields(
                        fields(
                            type: value(shape.type) ?? "totp", issuer: value(shape.issuer),
                            name: value(shape.account) ?? value(shape.issuer), secret: secret,
                            algorithm: value(shape.algorithm), digits: value(shape.digits),
                            period: value(shape.period), counter: value(shape.counter))))
            }
        }
        return CSVAccounts(
            accounts: entries.enumerated().map { index, entry in
                ("\(source) (\(shape.format) entry \(index + 1) of \(entries.count))", entry.check)
            }, skipped: skipped)
    }

    /// The accounts of a CSV export, or `nil` when the text is not one.
    public static func csv(_ text: String, source: String) -> CSVAccounts? {
        csvShape(text).map { csv(text, shape: $0, source: source) }
    }

    /// RFC 4180 rows: fields separated by commas, quoted fields may hold commas, newlines and doubled quotes; rows
    /// end at LF, CR or CRLF; a BOM and blank lines are skipped. At most `limit` rows.
    static func csvRows(_ text: String, limit: Int = .max) -> [[String]] {
        readCSV(text, limit: limit).rows
    }

    /// The most fields a row may have (real exports have a dozen): a wider row stops the reader, so a file of
    /// commas is not held as millions of strings.
    static let maximumCSVFields = 1_024

    /// ``csvRows(_:limit:)``, stopping at a row wider than `maximumFields` (`tooWide` set).
    static func readCSV(
        _ text: String, limit: Int = .max, maximumFields: Int = maximumCSVFields
    ) -> (rows: [[String]], tooWide: Bool) {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        var first = true
        while rows.count < limit, let scalar = pending ?? iterator.next() {
            pending = nil
            if first {
                first = false
                if scalar == "\u{FEFF}" { continue }
            }
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
                if row.count > maximumFields { return (rows, true) }
            case "\n", "\r":
                if scalar == "\r" { let next = iterator.next(); if next != "\n" { pending = next } }
                row.append(field)
                field = ""
                if row != [""] { rows.append(row) }
                row = []
            default: field.unicodeScalars.append(scalar)
            }
        }
        if rows.count < limit, !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return (rows, false)
    }
}
