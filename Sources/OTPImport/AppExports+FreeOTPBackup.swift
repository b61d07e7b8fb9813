import Foundation
import OTPCore
import OTPCrypto

/// FreeOTP 2's encrypted backup (`externalBackup.xml`, despite its name a Java-serialised `HashMap<String,String>`):
///
/// - `masterKey`: `{mAlgorithm: "PBKDF2withHmacSHA1|SHA512", mIterations, mSalt, mEncryptedKey}`, the master key
///   sealed with AES-GCM under PBKDF2 of the password, its associated data the key's algorithm name (`mToken`);
/// - `UUID`: `{"key": "<an encrypted key, as above, under the master key>"}`, the token's secret;
/// - `UUID-token`: the token's fields (`algo`, `digits`, `period`, `counter`, `issuerExt`, `label`, `type`), FreeOTP's
///   token without its secret; the counter is the next one to use.
///
/// Sealed keys carry their GCM nonce in `mParameters`, DER `SEQUENCE { OCTET STRING nonce, INTEGER tag length }` or
/// (older Android) the bare `OCTET STRING`. Only the map's own layout is parsed: the stream header, one class
/// description, the block of capacity and size, then exactly 2 × size strings.
extension AppExports {
    /// Java serialisation's stream magic and version.
    static let javaSerialized: [UInt8] = [0xAC, 0xED, 0x00, 0x05]

    static func looksLikeFreeOTPBackup(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: javaSerialized) && bytes.prefix(64).firstRange(of: Array("java.util.HashMap".utf8)) != nil
    }

    /// The `String → String` entries of a serialised `java.util.HashMap`, in stream order, or `nil`.
    static func javaStringMap(_ bytes: [UInt8]) -> [(String, String)]? {
        guard bytes.starts(with: javaSerialized), let block = bytes.firstRange(of: [0x77, 0x08]),
            block.upperBound + 8 <= bytes.count
        else { return nil }
        func int32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let size = int32(block.upperBound + 4)
        guard size >= 0, size <= 100_000 else { return nil }
        var index = block.upperBound + 8
        var strings: [String] = []
        strings.reserveCapacity(2 * size)
        for _ in 0..<(2 * size) {
            guard index < bytes.count else { return nil }
            let length: Int
            switch bytes[index] {
            case 0x74:  // TC_STRING: u16 length
                guard index + 3 <= bytes.count else { return nil }
                length = Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
                index += 3
            case 0x7C:  // TC_LONGSTRING: u64 length
                guard index + 9 <= bytes.count else { return nil }
                let long = bytes[(index + 1)..<(index + 9)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                guard long <= UInt64(bytes.count) else { return nil }
                length = Int(long)
                index += 9
            default:
                return nil
            }
            guard length <= bytes.count - index else { return nil }
            strings.append(String(decoding: bytes[index..<(index + length)], as: UTF8.self))
            index += length
        }
        return stride(from: 0, to: strings.count, by: 2).map { (strings[$0], strings[$0 + 1]) }
    }

    struct FreeOTPEncryptedKey: Decodable {
        let mCipher: String
        let mCipherText: [Int]
        let mParameters: [Int]
        let mToken: String
    }

    struct FreeOTPMasterKey: Decodable {
        let mAlgorithm: String
        let mIterations: Int
        let mSalt: [Int]
        let mEncryptedKey: FreeOTPEncryptedKey
    }

    struct FreeOTPSealedSecret: Decodable { let key: String }

    /// The GCM nonce of a sealed key's DER parameters.
    static func gcmNonce(_ parameters: [UInt8]) -> [UInt8]? {
        var der = parameters[...]
        if der.first == 0x30, der.count >= 2 { der = der.dropFirst(2) }
        guard der.count >= 2, der.first == 0x04 else { return nil }
        let length = Int(der[der.startIndex + 1])
        guard length >= 12, length <= 16, der.count >= 2 + length else { return nil }
        return Array(der.dropFirst(2).prefix(length))
    }

    static func openFreeOTPKey(_ sealed: FreeOTPEncryptedKey, with key: SecureBytes) -> SecureBytes? {
        let bytes = { (values: [Int]) in values.map { UInt8(truncatingIfNeeded: $0) } }
        guard sealed.mCipher == "AES/GCM/NoPadding", let nonce = gcmNonce(bytes(sealed.mParameters)), nonce.count == 12
        else { return nil }
        return try? AESGCM.open(nonce + bytes(sealed.mCipherText), key: key, authenticating: Array(sealed.mToken.utf8))
    }

    public static func freeOTPBackup(
        _ bytes: [UInt8], source: String, passphrase: () -> SecureBytes?
    ) -> Result<[(source: String, check: URICheck)], Failure> {
        let decoder = JSONDecoder()
        guard let map = javaStringMap(bytes),
            let masterJSON = map.first(where: { $0.0 == "masterKey" })?.1,
            let master = try? decoder.decode(FreeOTPMasterKey.self, from: Data(masterJSON.utf8))
        else {
            return .failure(
                Failure(code: "not-provisioning", message: "Java-serialised data that is not a FreeOTP backup"))
        }
        let algorithm: HashAlgorithm
        switch master.mAlgorithm {
        case "PBKDF2withHmacSHA1": algorithm = .sha1
        case "PBKDF2withHmacSHA256": algorithm = .sha256
        case "PBKDF2withHmacSHA512": algorithm = .sha512
        default:
            return .failure(
                Failure(code: "not-provisioning", message: "a FreeOTP backup keyed with \(master.mAlgorithm)"))
        }
        guard let password = passphrase() else {
            return .failure(.needsPassword("an encrypted FreeOTP backup"))
        }
        let salt = master.mSalt.map { UInt8(truncatingIfNeeded: $0) }
        let derived: SecureBytes
        do {
            derived = try KeyDerivation.pbkdf2(
                passphrase: password, salt: salt, iterations: master.mIterations, algorithm: algorithm)
        } catch {
            return .failure(Failure(code: "not-provisioning", message: "a FreeOTP backup: \(error)"))
        }
        guard let masterKey = openFreeOTPKey(master.mEncryptedKey, with: derived) else {
            return .failure(Failure(code: "unreadable", message: "wrong password for the encrypted FreeOTP backup"))
        }
        let fields = Dictionary(map, uniquingKeysWith: { first, _ in first })
        var accounts: [(String, URICheck)] = []
        let ids = map.map(\.0).filter { $0 != "masterKey" && !$0.hasSuffix("-token") }
        for (index, id) in ids.enumerated() {
            let itemSource = "\(source) (FreeOTP entry \(index + 1) of \(ids.count))"
            guard let sealedJSON = fields[id],
                let wrapper = try? decoder.decode(FreeOTPSealedSecret.self, from: Data(sealedJSON.utf8)),
                let sealed = try? decoder.decode(FreeOTPEncryptedKey.self, from: Data(wrapper.key.utf8)),
                let secret = openFreeOTPKey(sealed, with: masterKey),
                let tokenJSON = fields[id + "-token"],
                let token = try? decoder.decode(FreeOTPPlus.Token.self, from: Data(tokenJSON.utf8))
            else {
                accounts.append(
                    (
                        itemSource,
                        URICheck(
                            account: nil,
                            diagnostics: [
                                Diagnostic(.error, .uri, .notProvisioning, "a damaged token in the FreeOTP backup")
                            ], issuer: nil, name: nil)
                    ))
                continue
            }
            let check = freeOTPEntry(token, secret: secret, counterIsLastUsed: false).check
            accounts.append((itemSource, check))
        }
        return .success(accounts)
    }
}
