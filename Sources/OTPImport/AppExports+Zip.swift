import Foundation
import OTPCore
import OTPCrypto

/// Exports that are password-protected ZIP archives, recognised by their member (read through ``ZipArchive``):
///
/// - Authenticator Plus: `Accounts.txt`, otpauth URIs one per line (the layout Aegis's importer reads), in a ZIP
///   encrypted with the app's password (ZipCrypto in the real export).
/// - Raivo OTP (iOS): `raivo-otp-export.json`, a list of `{kind, issuer, account, secret, algorithm, digits, timer,
///   counter}` whose values are strings (Raivo's `Password.getExportFields`), in a ZIP that SSZipArchive encrypts
///   with the app's master password (WinZip AES); the archive also holds an HTML copy, which is not read. The JSON
///   on its own, taken out of the archive, reads too.
extension AppExports {
    static let authenticatorPlusMember = "Accounts.txt"
    static let raivoMember = "raivo-otp-export.json"

    /// Raivo OTP's exported account.
    struct Raivo: Decodable {
        let kind: String
        let secret: String
        let issuer: String?
        let account: String?
        let algorithm: LenientString?
        let digits: LenientString?
        let timer: LenientString?
        let counter: LenientString?

        var entry: Entry {
            var parameters = ["secret": secret]
            if let issuer, !issuer.isEmpty { parameters["issuer"] = issuer }
            parameters["algorithm"] = algorithm?.value
            parameters["digits"] = digits?.value
            let type = kind.lowercased()
            if type == "hotp" {
                parameters["counter"] = counter?.value ?? "0"
            } else {
                parameters["period"] = timer?.value
            }
            return .fields(Fields(type: type, name: account, parameters: parameters))
        }
    }

    /// The accounts of a ZIP export.
    static func zipExport(
        _ bytes: [UInt8], source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        func base(_ name: String) -> String { String(name.split(separator: "/").last ?? "") }
        var format = ""
        let read = ZipArchive.read(
            bytes,
            choose: { members in
                if let raivo = members.first(where: { base($0.name) == raivoMember }) {
                    format = "Raivo OTP"
                    return raivo
                }
                if let plus = members.first(where: { base($0.name) == authenticatorPlusMember }) {
                    format = "Authenticator Plus"
                    return plus
                }
                let names = members.prefix(5).map { UntrustedText.escaped($0.name, limit: 60) }
                format = names.isEmpty ? "no members" : "members " + names.joined(separator: ", ")
                return nil
            }, password: passphrase)
        let what = format == "Raivo OTP" ? "a Raivo OTP export" : "an Authenticator Plus export"
        let contents: SecureBytes
        switch read {
        case .success(let member): contents = member.contents
        case .failure(.noMember):
            return .failure(
                Failure(
                    code: "not-provisioning",
                    message: "a ZIP archive that is no export we read (\(format); an Authenticator Plus export holds "
                        + "\(authenticatorPlusMember), a Raivo OTP export \(raivoMember))"))
        case .failure(.needsPassword):
            return .failure(.needsPassword(what))
        case .failure(.wrongPassword):
            return .failure(Failure(code: "unreadable", message: "wrong password for \(what) (or a damaged archive)"))
        case .failure(.damaged(let why)):
            return .failure(Failure(code: "not-provisioning", message: "a damaged ZIP archive: \(why)"))
        case .failure(.tooLarge(let why)):
            return .failure(Failure(code: "not-provisioning", message: "a ZIP archive over the limits: \(why)"))
        case .failure(.unsupported(let why)):
            return .failure(Failure(code: "unreadable", message: "a ZIP archive whose \(why) cannot be read here"))
        }
        let entries: [Entry]
        if format == "Raivo OTP" {
            guard let raivo = contents.withUnsafeBytes({ try? JSONDecoder().decode([Raivo].self, from: Data($0)) })
            else {
                return .failure(
                    Failure(
                        code: "not-provisioning", message: "the Raivo OTP export's \(raivoMember) is no account list"))
            }
            entries = raivo.map(\.entry)
        } else {
            let lines = contents.withUnsafeBytes { TextInput.uriLines(Array($0)) }
            entries = lines.map { line in line.text.map { .uri($0) } ?? .checked(TextInput.overlongLineCheck) }
        }
        return .success(
            entries.enumerated().map { index, entry in
                ("\(source) (\(format) entry \(index + 1) of \(entries.count))", entry.check)
            })
    }
}
