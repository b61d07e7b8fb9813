import Foundation
import OTPCore
import OTPCrypto

/// Export formats read with typed `Decodable` models (issue 16): each recognised by its content, never its name.
extension AppExports {
    /// FreeOTP+ (`tokens`, secrets as signed bytes; HOTP counters stored as the last one used). The token is
    /// FreeOTP's own, also in its app storage and (without `secret`, which is sealed apart) in FreeOTP 2's backup.
    struct FreeOTPPlus: Decodable {
        struct Token: Decodable {
            let algo: String?
            let counter: Int64?
            let digits: Int?
            let issuerExt: String?
            let label: String?
            let period: Int?
            let secret: [Int]?
            let type: String
        }
        let tokens: [Token]
    }

    /// A FreeOTP token as an entry: its secret is `secret` when given (FreeOTP 2 seals it apart), else the token's
    /// own signed bytes. FreeOTP 1 and FreeOTP+ store an HOTP counter as the last one used (the next code is the one
    /// after it); FreeOTP 2 stores the next one (`counterIsLastUsed` false).
    static func freeOTPEntry(_ token: FreeOTPPlus.Token, secret: SecureBytes? = nil, counterIsLastUsed: Bool) -> Entry {
        var parameters: [String: String] = [:]
        parameters["issuer"] = token.issuerExt
        parameters["algorithm"] = token.algo
        parameters["digits"] = token.digits.map(String.init)
        let hotp = token.type.uppercased() == "HOTP"
        if hotp {
            // A missing counter means no code was used yet: the next is 0 either way.
            let stored = token.counter ?? (counterIsLastUsed ? -1 : 0)
            parameters["counter"] = String(counterIsLastUsed ? stored + 1 : stored)
        } else {
            parameters["period"] = token.period.map(String.init)
        }
        var own = (token.secret ?? []).map { UInt8(truncatingIfNeeded: $0) }
        defer { for i in own.indices { own[i] = 0 } }
        let bytes = secret ?? (token.secret == nil ? nil : SecureBytes(own))
        return .fields(
            Fields(type: hotp ? "hotp" : "totp", name: token.label, parameters: parameters, secretBytes: bytes))
    }

    /// Authenticator Pro / Stratum plain backup (`Authenticators`: Type 1 HOTP, 2 TOTP, 4 Steam; Algorithm 0 SHA1,
    /// 1 SHA256, 2 SHA512).
    struct Stratum: Decodable {
        struct Authenticator: Decodable {
            let kind: Int
            let Issuer: String?
            let Username: String?
            let Secret: String
            let Algorithm: Int?
            let Digits: Int?
            let Period: Int?
            let Counter: Int64?

            enum CodingKeys: String, CodingKey {
                case kind = "Type"
                case Issuer, Username, Secret, Algorithm, Digits, Period, Counter
            }
        }
        let Authenticators: [Authenticator]
    }

    /// Proton Authenticator (`entries[].content.uri`, `.name`). A Steam entry's URI is `steam://SECRET`
    /// (proton-pass-common's `AuthenticatorEntryContent::from_uri`), its name the account's.
    struct Proton: Decodable {
        struct Entry: Decodable {
            struct Content: Decodable {
                let uri: String
                let name: String?
            }
            let content: Content
        }
        let version: Int
        let entries: [Entry]

        var accounts: [AppExports.Entry] {
            entries.map { entry in
                let uri = entry.content.uri
                guard uri.lowercased().hasPrefix("steam://") else { return .uri(uri) }
                return .fields(
                    Fields(
                        type: "steam", name: entry.content.name,
                        parameters: ["secret": String(uri.dropFirst(8)), "issuer": "Steam"]))
            }
        }
    }

    /// A Steam Guard maFile (`shared_secret` in Base64, `account_name`).
    struct SteamMaFile: Decodable {
        let shared_secret: String
        let account_name: String
    }

    /// Several maFiles in one file (`{"accounts": {"id": maFile}}`).
    struct SteamAccounts: Decodable {
        let accounts: [String: SteamMaFile]
    }

    /// LastPass Authenticator's JSON export (Aegis issue 1160: `accounts[]` with `issuerName`, `userName`, `secret`,
    /// `timeStep`, `digits`, `algorithm`).
    struct LastPass: Decodable {
        struct Account: Decodable {
            let issuerName: String?
            let userName: String?
            let originalUserName: String?
            let secret: String
            let timeStep: Int?
            let digits: Int?
            let algorithm: String?
        }
        let accounts: [Account]
    }

    /// Duo Mobile's account list (`[{accountType: "OtpAccount", name, otpGenerator: {otpSecret, counter?}}]`, from the
    /// app's storage): an account with a counter is HOTP, else TOTP; Duo has no issuer, SHA1, 6 digits, 30 s.
    struct DuoAccount: Decodable {
        struct Generator: Decodable {
            let otpSecret: String
            let counter: Int64?
        }
        let accountType: String
        let name: String?
        let otpGenerator: Generator
    }

    /// The accounts of the typed formats, or `nil` when the data is none of them (`shape`: the document's, when the
    /// caller has it).
    static func typedFormats(_ data: Data, shape known: JSONShape? = nil) -> (format: String, entries: [Entry])? {
        guard let shape = known ?? JSONShape(data) else { return nil }
        let decoder = JSONDecoder()
        if shape.object("tokens"), let plus = try? decoder.decode(FreeOTPPlus.self, from: data) {
            return ("FreeOTP+", plus.tokens.map { freeOTPEntry($0, counterIsLastUsed: true) })
        }
        if shape.object("Authenticators"), let stratum = try? decoder.decode(Stratum.self, from: data) {
            return (
                "Authenticator Pro",
                stratum.Authenticators.map { item in
                    var parameters = ["secret": item.Secret]
                    parameters["issuer"] = item.Issuer
                    parameters["algorithm"] = ["SHA1", "SHA256", "SHA512"][safe: item.Algorithm ?? 0] ?? "unknown"
                    let type: String
                    switch item.kind {
                    case 1:
                        type = "hotp"
                        parameters["counter"] = String(item.Counter ?? 0)
                    case 4:
                        type = "steam"
                    default:
                        type = item.kind == 2 ? "totp" : "unsupported type \(item.kind)"
                        parameters["period"] = item.Period.map(String.init)
                    }
                    if type != "steam" { parameters["digits"] = item.Digits.map(String.init) }
                    return .fields(Fields(type: type, name: item.Username, parameters: parameters))
                }
            )
        }
        if shape.object("entries"), let proton = try? decoder.decode(Proton.self, from: data) {
            return ("Proton Authenticator", proton.accounts)
        }
        if shape.object("shared_secret"), let steam = try? decoder.decode(SteamMaFile.self, from: data) {
            return ("Steam Guard maFile", [steamEntry(steam)])
        }
        if shape.object("accounts"), let steam = try? decoder.decode(SteamAccounts.self, from: data) {
            return ("Steam Guard maFiles", steam.accounts.sorted { $0.key < $1.key }.map { steamEntry($0.value) })
        }
        if shape.array("accountType"), let duo = try? decoder.decode([DuoAccount].self, from: data), !duo.isEmpty,
            duo.allSatisfy({ $0.accountType == "OtpAccount" })
        {
            return (
                "Duo Mobile",
                duo.map { account in
                    var parameters = ["secret": account.otpGenerator.otpSecret, "algorithm": "SHA1", "digits": "6"]
                    if let counter = account.otpGenerator.counter {
                        // The counter as Duo keeps it: the next code Duo itself would show.
                        parameters["counter"] = String(counter)
                        return .fields(Fields(type: "hotp", name: account.name, parameters: parameters))
                    }
                    parameters["period"] = "30"
                    return .fields(Fields(type: "totp", name: account.name, parameters: parameters))
                }
            )
        }
        if shape.object("accounts"), let lastPass = try? decoder.decode(LastPass.self, from: data) {
            return (
                "LastPass Authenticator",
                lastPass.accounts.map { account in
                    var parameters = ["secret": account.secret]
                    parameters["issuer"] = account.issuerName
                    parameters["algorithm"] = account.algorithm
                    parameters["digits"] = account.digits.map(String.init)
                    parameters["period"] = account.timeStep.map(String.init)
                    return .fields(
                        Fields(type: "totp", name: account.userName ?? account.originalUserName, parameters: parameters)
                    )
                }
            )
        }
        return nil
    }

    /// A Steam account: the Base64 `shared_secret` is the key; Steam's issuer is "Steam".
    static func steamEntry(_ steam: SteamMaFile) -> Entry {
        guard let key = Data(base64Encoded: steam.shared_secret) else {
            return .fields(Fields(type: "steam", name: steam.account_name, parameters: ["issuer": "Steam"]))
        }
        var bytes = [UInt8](key)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        return .fields(
            Fields(
                type: "steam", name: steam.account_name, parameters: ["issuer": "Steam"],
                secretBytes: SecureBytes(bytes)))
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
