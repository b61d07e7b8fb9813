import Foundation
import OTPCore
import OTPCrypto

/// `otp export --format html`: a printable paper backup — for each account its QR code (an embedded PNG), issuer,
/// account, parameters and the key in groups of four characters, four accounts to a page, and the date.
enum PaperBackup {
    /// The page, and the accounts it shows without a QR code (too long for one: their key is still printed).
    static func html(
        _ accounts: [OTPAccount], date: Date = Date()
    ) throws -> (
        page: SecureBytes, unpictured: [OTPAccount]
    ) {
        var unpictured: [OTPAccount] = []
        func escape(_ text: String) -> String {
            UntrustedText.escaped(text).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(
                of: "<", with: "&lt;"
            )
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let day = ISO8601DateFormatter.string(from: date, timeZone: .current, formatOptions: [.withFullDate])
        var html = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>otp paper backup \(day)</title>
            <style>
            body { font-family: sans-serif; margin: 1.5cm; }
            .page { page-break-after: always; }
            .account { display: flex; gap: 1cm; align-items: center; border-bottom: 1px solid #999; padding: 0.5cm 0; }
            .account img { width: 4.5cm; height: 4.5cm; image-rendering: pixelated; }
            .key { font-family: monospace; font-size: 14pt; letter-spacing: 0.05em; }
            </style></head><body>

            """
        for (pageStart) in stride(from: 0, to: accounts.count, by: 4) {
            html += "<div class=\"page\"><h1>otp paper backup — \(day)</h1>\n"
            html += "<p>Keep this page like a password: it holds the keys of these MFA accounts.</p>\n"
            for account in accounts[pageStart..<min(pageStart + 4, accounts.count)] {
                // Small images (4 pixels a module): the page scales them, pixelated, to 4.5 cm.
                let png = try? QRImages.png(OTPAuthURI.string(for: account), pixels: 0)
                if png == nil { unpictured.append(account) }
                let key = account.secret.withUnsafeBytes { Base32.encode($0) }
                let grouped = stride(from: 0, to: key.count, by: 4).map { start -> String in
                    let from = key.index(key.startIndex, offsetBy: start)
                    return String(key[from..<key.index(from, offsetBy: min(4, key.count - start))])
                }.joined(separator: " ")
                var facts = [account.kind.rawValue.uppercased(), account.algorithm.rawValue]
                facts.append(account.encoder == .steam ? "Steam" : "\(account.digits) digits")
                facts.append(account.kind == .totp ? "\(account.period) s" : "counter \(account.counter)")
                let image =
                    png.map {
                        "<img alt=\"QR code\" src=\"data:image/png;base64,\(Data($0).base64EncodedString())\">"
                    } ?? "<p>(too long for a QR code: type the key)</p>"
                html += """
                    <div class="account">\(image)
                    <div><h2>\(escape(account.issuer ?? ""))</h2><p>\(escape(account.name))</p>
                    <p>\(facts.joined(separator: ", "))</p><p class="key">\(grouped)</p></div></div>

                    """
            }
            html += "</div>\n"
        }
        html += "</body></html>\n"
        return (SecureBytes(Array(html.utf8)), unpictured)
    }
}
