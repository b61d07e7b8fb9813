import Foundation
import OTPCore
import OTPCrypto
import TestSupport
import Testing

@_spi(Fuzzing) @testable import OTPImport

/// ZIP exports read through libzip: Authenticator Plus (ZipCrypto, made by Info-ZIP's `zip`) and Raivo OTP (WinZip
/// AES-256 AE-2, made by 7-Zip), fixtures made by `Scripts/make-import-fixtures.py`; the real Authenticator Plus
/// export is checked by `Scripts/conformance-exports.py`. Hostile archives are in `Fixtures/hostile`.
@Suite struct ZipExportTests {
    static let hostile = HostileImportTests.exports.deletingLastPathComponent().appendingPathComponent("hostile")

    static func file(_ name: String, hostile: Bool = false) throws -> [UInt8] {
        try Array(Data(contentsOf: (hostile ? Self.hostile : HostileImportTests.exports).appendingPathComponent(name)))
    }

    func read(_ bytes: [UInt8], _ password: String?) -> Result<[InputPayload], InputError> {
        InputReader.payloads(
            in: bytes, source: "x.zip", reader: nil, passphrase: { password.map { SecureBytes(Array($0.utf8)) } })
    }

    func failure(_ bytes: [UInt8], _ password: String? = "fixture password") -> InputError? {
        if case .failure(let error) = read(bytes, password) { return error }
        return nil
    }

    func codes(_ payloads: [InputPayload]) throws -> [String] {
        try payloads.map { try OTPGenerator(account: #require($0.check?.account)).codes(at: 59)[0].value }
    }

    @Test func anAuthenticatorPlusExportOpensWithItsPassword() throws {
        let payloads = try read(try Self.file("authenticator-plus.zip"), "fixture password").get()
        #expect(payloads.map { $0.check?.account?.issuer } == ["GitHub", "Bank"])
        #expect(payloads[0].source == "x.zip (Authenticator Plus entry 1 of 2)")
        // oathtool: TOTP at t = 59, HOTP at counter 7.
        #expect(try codes(payloads) == ["574992", "529794"])
    }

    @Test func aRaivoExportOpensThroughWinZipAESAndItsJSONAlone() throws {
        let payloads = try read(try Self.file("raivo.zip"), "fixture password").get()
        #expect(payloads.map { $0.check?.account?.issuer } == ["GitHub", "AWS", "Bank"])
        #expect(payloads[1].check?.account?.period == 60 && payloads[1].check?.account?.digits == 8)
        // oathtool: SHA1 TOTP, SHA256 8-digit 60 s TOTP at t = 59, HOTP at counter 7.
        #expect(try codes(payloads) == ["574992", "88751630", "529794"])
        let json = try String(
            contentsOf: HostileImportTests.exports.appendingPathComponent("raivo-otp-export.json"), encoding: .utf8)
        let alone = try AppExports.accounts(in: json, source: "r.json", passphrase: { nil }).get()
        #expect(alone.map { $0.check.account?.name } == ["octo@example.com", "root@123456789012", "client 42"])
        #expect(alone[2].source == "r.json (Raivo OTP entry 3 of 3)")
    }

    @Test(arguments: ["authenticator-plus.zip", "raivo.zip"])
    func wrongAndMissingPasswordsAreRefusedByName(name: String) throws {
        let bytes = try Self.file(name)
        #expect(failure(bytes, nil)?.message.contains("--source-passphrase-file") == true)
        // ZipCrypto's check byte lets one wrong password in 256 through; the CRC (or AES's verifier and HMAC) must
        // stop every one. Seeded: the seed is printed by TestSupport.
        var generator = SplitMix64(seed: testSeed)
        for _ in 0..<300 {
            let password = String(generator.next(), radix: 36)
            guard let error = failure(bytes, password) else {
                Issue.record("\(name) opened with the wrong password \(password)")
                return
            }
            #expect(error.code == "unreadable" && error.message.hasPrefix("wrong password"), "\(error.message)")
        }
    }

    /// Where a member's stored bytes lie, from the central directory (compressed size at +20, local header offset at
    /// +42) and the local header (name and extra lengths at +26 and +28).
    static func storedData(of name: String, in zip: [UInt8]) -> (dataStart: Int, dataEnd: Int)? {
        func u16(_ at: Int) -> Int { Int(zip[at]) | Int(zip[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var index = 0
        while let found = zip[index...].firstRange(of: [0x50, 0x4B, 0x01, 0x02]) {
            let at = found.lowerBound
            let nameLength = u16(at + 28)
            if Array(zip[(at + 46)..<(at + 46 + nameLength)]) == Array(name.utf8) {
                let local = u32(at + 42)
                let start = local + 30 + u16(local + 26) + u16(local + 28)
                return (start, start + u32(at + 20))
            }
            index = found.upperBound
        }
        return nil
    }

    @Test func aTamperedAESMemberIsRefusedByItsHMAC() throws {
        // libzip 1.7.3 ends every AE-2 member with a CRC error (nih-at/libzip#261), the same error a flipped HMAC byte
        // gives, so its verdict cannot be used: the HMAC is checked here, before libzip decrypts.
        let bytes = try Self.file("raivo.zip")
        let member = try #require(Self.storedData(of: "raivo-otp-export.json", in: bytes))
        for offset in [member.dataStart + 20, member.dataEnd - 11, member.dataEnd - 1] {
            var tampered = bytes
            tampered[offset] ^= 0x01
            #expect(failure(tampered)?.code == "unreadable", "a flipped bit at \(offset) was read")
        }
    }

    @Test func bombsManyMembersDamageAndForeignArchivesAreRefused() throws {
        #expect(
            failure(try Self.file("zip-bomb-declared.zip", hostile: true))?.message
                == "a ZIP archive over the limits: its member Accounts.txt declares 17825792 bytes (at most 16777216)")
        // The same archive with its sizes rewritten to 1 000: stopped at the limit while inflating.
        #expect(
            failure(try Self.file("zip-bomb-lying.zip", hostile: true))?.message
                == "a ZIP archive over the limits: its member Accounts.txt inflates past 16777216 bytes")
        #expect(failure(try Self.file("zip-65-members.zip", hostile: true))?.message.contains("65 members") == true)
        let plus = try Self.file("authenticator-plus.zip")
        for archive in [plus, try Self.file("raivo.zip")] {
            for length in [4, 30, archive.count / 2, archive.count - 1] {
                #expect(failure(Array(archive.prefix(length)))?.message.hasPrefix("a damaged ZIP archive") == true)
            }
        }
        // A line longer than any URI in Accounts.txt: an error for that line, the other line still read.
        let long = try read(try Self.file("zip-overlong-line.zip", hostile: true), nil).get()
        #expect(long.map { $0.check?.account?.issuer } == ["GitHub", nil])
        #expect(long[1].check?.diagnostics.first?.code == .uriTooLong)
        // A member name with a terminal escape: listed escaped, never raw.
        let hostileName = Array("Acc\u{1B}[31m.txt".utf8)
        var renamed = plus
        var index = 0
        while let found = renamed[index...].firstRange(of: Array("Accounts.txt".utf8)) {
            renamed.replaceSubrange(found, with: hostileName)
            index = found.upperBound
        }
        let foreign = try #require(failure(renamed))
        #expect(foreign.message.hasPrefix("a ZIP archive that is no export we read (members Acc←[31m.txt"))
        #expect(!foreign.message.contains("\u{1B}"))
    }
}
