import OTPCore
import OTPImport
import OTPSession

/// Prints codes in the format asked for; stdout gets the codes only.
struct CodePrinter {
    let format: Code.Format
    let now: Int64

    func print(_ results: [PrintedCodes], rejected: [ScanFileJSON.Rejected] = []) throws {
        switch format {
        case .json:
            // One list: an element per account with codes, then one per input that gave none.
            let accounts: [any Encodable] = results.map {
                AccountCodesJSON(id: $0.id, issuer: $0.issuer, account: $0.name, codes: $0.otpCodes.map(CodeJSON.init))
            }
            Terminal.out(Terminal.json(accounts.map(AnyEncodable.init) + rejected.map(AnyEncodable.init)))
        case .raw:
            // Digits only, one code per line, whatever stdout is (aws-vault's mfa_process reads this).
            Terminal.out(results.flatMap(\.codes).map { $0.value + "\n" }.joined())
        case .aws:
            let values = results.first?.codes.map(\.value) ?? []
            guard values.count == 2 else { return }
            Terminal.out("--authentication-code1 \(values[0]) --authentication-code2 \(values[1])\n")
        case .text:
            // Two accounts with one label (a re-created device beside the old one): show ids to tell them apart.
            let labels = Dictionary(grouping: results, by: \.displayName).filter { $0.value.count > 1 }
            Terminal.out(
                results.map {
                    let id = labels[$0.displayName] != nil ? $0.id.map { "\($0)  " } ?? "" : ""
                    return id + Self.describe($0.displayName, $0.otpCodes, now: $0.now)
                }.joined())
        }
    }

    /// Problems and warnings of an input read with --from, on stderr.
    static func report(_ item: CheckedItem) {
        guard item.check.account != nil else {
            let problems = item.check.diagnostics.filter { $0.severity == .error }.map { Terminal.escaped($0.message) }
            Terminal.error("otp: \(Terminal.escaped(item.source)): no code: " + problems.joined(separator: "; "))
            return
        }
        for d in item.check.diagnostics where d.severity == .warning {
            Terminal.error("otp: \(Terminal.escaped(item.source)): warning: \(Terminal.escaped(d.message))")
        }
    }

    /// `Issuer: name  123456 654321  (17 s left, the last 47 s)`.
    static func describe(_ displayName: String, _ codes: [OTPCode], now: Int64) -> String {
        var line = Terminal.escaped(displayName) + "  " + codes.map(\.value).joined(separator: " ")
        if let until = codes.first?.validUntil {
            line += "  (\(until - now) s left"
            if codes.count > 1, let last = codes.last?.validUntil { line += ", the last \(last - now) s" }
            line += ")"
        } else if let counter = codes.first?.counter {
            line += "  (counter \(counter))"
        }
        return line + "\n"
    }
}

/// A type-erased element of a JSON list whose elements have different shapes.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
