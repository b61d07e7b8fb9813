import OTPCore

/// Bitwarden's CSV export (`folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,
/// login_totp`): the same accounts as its JSON export, in RFC 4180 CSV.
extension AppExports {
    /// Whether text starts with Bitwarden's CSV header.
    static func looksLikeBitwardenCSV(_ text: String) -> Bool {
        let first = text.prefix { $0 != "\n" && $0 != "\r" }.lowercased()
        return first.hasPrefix("folder,favorite,type,name,") && first.contains("login_totp")
    }

    /// The accounts of a Bitwarden CSV export, with sources like the JSON formats'.
    public static func bitwardenCSV(_ text: String, source: String) -> [(source: String, check: URICheck)] {
        let rows = csvRows(text)
        guard let header = rows.first else { return [] }
        func column(_ name: String) -> Int? { header.firstIndex { $0.lowercased() == name } }
        guard let totp = column("login_totp") else { return [] }
        let name = column("name")
        let username = column("login_username")
        let entries: [Entry] = rows.dropFirst().compactMap { row in
            func value(_ index: Int?) -> String? { index.flatMap { $0 < row.count ? row[$0] : nil } }
            return bitwarden(name: value(name), username: value(username), totp: value(totp))
        }
        return entries.enumerated().map { index, entry in
            ("\(source) (Bitwarden CSV entry \(index + 1) of \(entries.count))", entry.check)
        }
    }

    /// RFC 4180 rows: fields separated by commas, quoted fields may hold commas, newlines and doubled quotes.
    static func csvRows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let scalar = pending ?? iterator.next() {
            pending = nil
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
            case "\n", "\r":
                if scalar == "\r" { let next = iterator.next(); if next != "\n" { pending = next } }
                row.append(field)
                field = ""
                if row != [""] { rows.append(row) }
                row = []
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
