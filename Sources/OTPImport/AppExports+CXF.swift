import OTPCore

/// The FIDO Alliance's Credential Exchange Format (CXF 1.0), unencrypted: a header
/// `{version{major, minor}, exporterRpId, exporterDisplayName, timestamp, accounts[]}`, each account with `items[]`,
/// each item with `title` and `credentials[]`. Only `totp` credentials (`secret` in Base32, `period`, `digits`,
/// `username`, `algorithm` `sha1`/`sha256`/`sha512`, `issuer`) are accounts here; an item without one, and a `totp`
/// credential with an algorithm the specification does not name (which importers must ignore), are skipped and counted.
extension AppExports {
    struct CXFFile: Decodable {
        struct Version: Decodable {
            let major: Int
        }
        struct Account: Decodable {
            let items: [Item]
        }
        struct Item: Decodable {
            let title: String?
            let credentials: [Credential]
        }
        /// A credential of any type; the members of a `totp` credential read leniently (other types have members of
        /// the same names but other shapes: `basic-auth`'s `username` is an object).
        struct Credential: Decodable {
            let type: String
            let secret: String?
            let period: LenientString?
            let digits: LenientString?
            let username: String?
            let algorithm: String?
            let issuer: String?

            enum CodingKeys: String, CodingKey { case type, secret, period, digits, username, algorithm, issuer }

            init(from decoder: Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                type = (try? container.decode(String.self, forKey: .type)) ?? ""
                secret = try? container.decode(String.self, forKey: .secret)
                period = try? container.decode(LenientString.self, forKey: .period)
                digits = try? container.decode(LenientString.self, forKey: .digits)
                username = try? container.decode(String.self, forKey: .username)
                algorithm = try? container.decode(String.self, forKey: .algorithm)
                issuer = try? container.decode(String.self, forKey: .issuer)
            }
        }
        let version: Version
        let accounts: [Account]
    }

    /// The `totp` credentials of a CXF document, and how many items (or credentials) gave none.
    static func cxfEntries(_ file: CXFFile) -> (entries: [Entry], skipped: Int) {
        var entries: [Entry] = []
        var skipped = 0
        for item in file.accounts.flatMap(\.items) {
            let totps = item.credentials.filter { $0.type.lowercased() == "totp" }
            if totps.isEmpty { skipped += 1 }
            for credential in totps {
                let algorithm = (credential.algorithm ?? "sha1").lowercased()
                guard ["sha1", "sha256", "sha512"].contains(algorithm) else {
                    skipped += 1
                    continue
                }
                let issuer = credential.issuer.flatMap { $0.isEmpty ? nil : $0 } ?? item.title
                let name = credential.username.flatMap { $0.isEmpty ? nil : $0 } ?? item.title
                entries.append(
                    .fields(
                        fields(
                            type: "totp", issuer: issuer, name: name, secret: credential.secret,
                            algorithm: algorithm.uppercased(), digits: credential.digits?.value ?? "6",
                            period: credential.period?.value ?? "30", counter: nil)))
            }
        }
        return (entries, skipped)
    }
}
