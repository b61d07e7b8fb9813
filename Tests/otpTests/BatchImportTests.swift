import Foundation
import Testing

/// Batch import end to end: folders, transfer batches split over images, other apps' exports.
@Suite(.serialized) struct BatchImportTests {
    let directory: URL
    let environment: [String: String]
    static let batch = CLI.fixtures.appendingPathComponent("batch").path
    static let exports = CLI.fixtures.appendingPathComponent("exports")

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "batch passphrase",
        ]
    }

    func otp(_ arguments: [String], env: [String: String] = [:]) throws -> CLI.Output {
        try CLI.run(arguments, environment: environment.merging(env) { $1 })
    }

    func names(_ entries: Any?) -> [String] {
        ((entries as? [[String: Any]]) ?? []).map {
            "\($0["issuer"] as? String ?? ""): \($0["account"] as? String ?? "")"
        }
    }

    @Test func listFormatsNamesEveryFormatWithoutAVault() throws {
        let result = try CLI.run(["import", "--list-formats"], environment: ["OTP_VAULT": "/nonexistent/vault"])
        #expect(result.status == 0)
        for format in [
            "HEIC", "Aegis vault", "2FAS", "Authy app storage", "LastPass", "made from the published", "Raivo OTP",
            "Authenticator Plus", "Proton Authenticator password-protected", "read: 2FAS 3.1.1 (schema 1)",
            "read: andOTP 0.6.3 and later; before 0.6.3",
        ] {
            #expect(result.stdout.contains(format), "\(format)")
        }
    }

    @Test func folderImportsEveryGoodAccountOnceAndReportsEachBadFile() throws {
        let first = try otp(["import", "--create", "--json", Self.batch])
        #expect(first.status == 1)
        let report = try #require(first.json as? [String: Any])
        #expect(
            Set(names(report["imported"]))
                == [
                    "Transfer: alice", "Transfer: bob", "Transfer: carol", "Amazon Web Services: dave@123456789012",
                    "Text: one",
                ])
        let failed = try #require(report["failed"] as? [[String: Any]])
        let codes = Dictionary(
            uniqueKeysWithValues: failed.map {
                (
                    ($0["source"] as? String ?? "").replacingOccurrences(of: Self.batch + "/", with: ""),
                    ($0["error"] as? [String: String])?["code"] ?? ""
                )
            })
        #expect(
            codes == [
                "notes.txt": "not-provisioning", "sub/broken.png": "corrupt-png", "uris.txt:3": "digits-out-of-range",
            ])
        #expect(!first.stdout.contains("Hidden"))  // .hidden.png is skipped
        // Again: nothing new, every account a duplicate.
        let second = try otp(["import", "--create", "--json", Self.batch])
        let again = try #require(second.json as? [String: Any])
        #expect(names(again["imported"]).isEmpty)
        #expect(Set(names(again["duplicates"])) == Set(names(report["imported"])))
        #expect(try #require(try otp(["list", "--json"]).json as? [Any]).count == 5)
    }

    @Test func oneTransferPartAloneImportsNothingUnlessAllowed() throws {
        let part = Self.batch + "/export-1-of-2.png"
        let alone = try otp(["import", "--create", part])
        #expect(alone.status == 1)
        #expect(alone.stdout.contains("export batch 1217841385: part 2 of 2 missing"))
        #expect(alone.stdout.contains("0 imported"))
        let allowed = try otp(["import", "--create", "--allow-incomplete", "--json", part])
        #expect(allowed.status == 0)
        let report = try #require(allowed.json as? [String: Any])
        #expect(names(report["imported"]) == ["Transfer: alice", "Transfer: bob"])
        #expect((report["warnings"] as? [[String: String]])?.contains { $0["code"] == "incomplete-batch" } == true)
    }

    @Test func dryRunWritesNothing() throws {
        let dry = try otp(["import", "--create", "--dry-run", Self.batch + "/shot-aws.png"])
        #expect(dry.stdout.contains("would import"))
        #expect(!FileManager.default.fileExists(atPath: environment["OTP_VAULT"] ?? ""))
    }

    @Test(arguments: ["aegis-plain.json", "aegis-encrypted.json", "export.2fas", "andotp.json", "bitwarden.json"])
    func otherAppsExports(_ name: String) throws {
        let password = directory.appendingPathComponent("password.txt")
        try "fixture password\n".write(to: password, atomically: true, encoding: .utf8)
        let path = Self.exports.appendingPathComponent(name).path
        let checked = try otp(["check", "--json", "--source-passphrase-file", password.path, path])
        #expect(checked.status == 0, "\(checked.stdout)")
        let accounts = try #require(checked.json as? [[String: Any]]).compactMap { $0["account"] as? [String: Any] }
        let expected = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Self.exports.appendingPathComponent("expected.json"))) as? [[String: Any]])
        #expect(accounts.count == expected.count)
        for (got, want) in zip(accounts, expected) {
            #expect(got["issuer"] as? String == want["issuer"] as? String)
            #expect(got["account"] as? String == want["account"] as? String)
            #expect(got["type"] as? String == want["type"] as? String)
            #expect(got["algorithm"] as? String == want["algorithm"] as? String)
            #expect(got["digits"] as? Int == want["digits"] as? Int)
            #expect((got["encoder"] as? String == "steam") == (want["steam"] as? Bool == true))
            #expect(got["counter"] as? Int == want["counter"] as? Int)
            #expect(got["period"] as? Int == want["period"] as? Int)
        }
        // The secrets: the export's codes equal those of URIs built from the expected Base32 secrets.
        let imported = try otp(["import", "--create", "--source-passphrase-file", password.path, path])
        #expect(imported.status == 0)
        let codes = try #require(try otp(["code", "--json", "--at", "1700000000"]).json as? [[String: Any]])
        for want in expected where want["type"] as? String == "totp" && want["steam"] as? Bool != true {
            let uri =
                "otpauth://totp/X:y?secret=\(want["secret_b32"] as? String ?? "")"
                + "&algorithm=\(want["algorithm"] as? String ?? "")"
                + "&digits=\(want["digits"] as? Int ?? 0)&period=\(want["period"] as? Int ?? 0)"
            let reference = try #require(
                try otp(["code", "--json", "--at", "1700000000", "--from", uri]).json as? [[String: Any]])
            let referenceCode = (reference.first?["codes"] as? [[String: Any]])?.first?["code"] as? String
            let match = codes.first { $0["account"] as? String == want["account"] as? String }
            #expect((match?["codes"] as? [[String: Any]])?.first?["code"] as? String == referenceCode)
        }
    }

    @Test func encryptedAegisNeedsTheRightPassword() throws {
        let wrong = directory.appendingPathComponent("wrong.txt")
        try "not the password\n".write(to: wrong, atomically: true, encoding: .utf8)
        let path = Self.exports.appendingPathComponent("aegis-encrypted.json").path
        let result = try otp(["import", "--create", "--source-passphrase-file", wrong.path, path])
        #expect(result.status == 1 && result.stdout.contains("wrong password"))
    }

    @Test func symlinkLoopsAndOverlappingConcurrentImports() throws {
        let folder = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("a/b"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Self.batch + "/shot-aws.png", toPath: folder.appendingPathComponent("a/b/shot.png").path)
        try FileManager.default.copyItem(
            atPath: Self.batch + "/uris.txt", toPath: folder.appendingPathComponent("a/uris.txt").path)
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("a/b/loop").path, withDestinationPath: folder.path)
        let first = try CLI.start(["import", "--create", folder.path], environment: environment)
        let second = try CLI.start(
            ["import", "--create", folder.appendingPathComponent("a").path], environment: environment)
        first.waitUntilExit()
        second.waitUntilExit()
        // Both finish normally: 1, because uris.txt holds one invalid line (digits 4); never 2 (a vault failure).
        #expect(first.terminationStatus == 1 && second.terminationStatus == 1)
        let listed = try #require(try otp(["list", "--json"]).json as? [[String: Any]])
        #expect(Set(names(listed)) == ["Amazon Web Services: dave@123456789012", "Text: one"])
        #expect(listed.count == 2)
    }
}
