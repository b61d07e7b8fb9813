import Foundation
import GRDB
import OTPScan
import Testing

/// Issue 11 (part): accounts out and back in with the same codes; what a format cannot hold is named; backups
/// taken while others write are whole.
@Suite(.serialized) struct ExportCommandTests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "export",
        ]
    }

    static let uris = [
        "otpauth://totp/T:sha1?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=T",
        "otpauth://totp/T:sha256?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&issuer=T"
            + "&algorithm=SHA256&digits=8&period=60",
        "otpauth://totp/T:sha512?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=T"
            + "&algorithm=SHA512&digits=8",
        "otpauth://hotp/H:counter?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=H&counter=42",
        "otpauth://totp/Steam:s?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DQ&issuer=Steam&encoder=steam",
    ]

    /// Codes of every TOTP and Steam account at fixed times, and each HOTP account's stored counter
    /// (taking an HOTP code would move the counter), from the vault `env` points at.
    func codes(_ env: [String: String]) throws -> [String: [String]] {
        var all: [String: [String]] = [:]
        for time in ["59", "1700000000"] {
            let output = try CLI.run(["code", "--json", "--at", time], environment: env)
            for item in output.json as? [[String: Any]] ?? [] {
                let name = "\(item["issuer"] ?? ""):\(item["account"] ?? "")"
                all[name, default: []] += (item["codes"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            }
        }
        let listed = try CLI.run(["list", "--json"], environment: env).json as? [[String: Any]] ?? []
        for item in listed where item["type"] as? String == "hotp" {
            all["\(item["issuer"] ?? ""):\(item["account"] ?? "")"] = ["counter \(item["counter"] ?? "")"]
        }
        return all
    }

    @Test func everyFormatReimportsToTheSameCodes() throws {
        #expect(
            try CLI.run(
                ["import", "--create", "-"], stdin: Self.uris.joined(separator: "\n"), environment: environment
            ).status == 0)
        let original = try codes(environment)
        #expect(original.count == 5)
        let password = directory.appendingPathComponent("pw").path
        try "export password\n".write(toFile: password, atomically: true, encoding: .utf8)
        let cases: [(format: [String], leftOut: Int)] = [
            (["--format", "uri"], 0), (["--format", "aegis"], 0),
            (["--format", "aegis", "--encrypt", "--export-passphrase-file", password], 0),
            (["--format", "google-uri"], 2),  // the 60-second SHA256 account and Steam
            // Issue 30: the password managers' formats, read back by our own importer.
            (["--format", "csv"], 0), (["--format", "bitwarden"], 0),
            (["--format", "cxf"], 2),  // HOTP and Steam: CXF has only TOTP
        ]
        for (index, testCase) in cases.enumerated() {
            let file = directory.appendingPathComponent("export\(index)").path
            let export = try CLI.run(["export"] + testCase.format + ["-o", file], environment: environment)
            #expect(export.status == (testCase.leftOut == 0 ? 0 : 1), "\(testCase.format): \(export.stderr)")
            #expect(export.stderr.components(separatedBy: "left out").count - 1 == testCase.leftOut)
            let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // A second export to the same file is refused without --force.
            let repeated = try CLI.run(["export"] + testCase.format + ["-o", file], environment: environment)
            #expect(
                repeated.status == 1 && repeated.stderr.contains("exists; give --force")
                    && !repeated.stderr.contains("Usage"))
            var env = environment
            env["OTP_VAULT"] = directory.appendingPathComponent("re\(index)/vault.sqlite").path
            let reimport = try CLI.run(
                ["import", "--create", "--source-passphrase-file", password, file], environment: env)
            #expect(reimport.status == 0, "\(testCase.format): \(reimport.stdout)")
            let again = try codes(env)
            #expect(again.count == 5 - testCase.leftOut)
            for (name, values) in again { #expect(original[name] == values, "\(testCase.format) \(name)") }
        }
    }

    @Test func showPrintsTheKeyInGroupsAndTheURI() throws {
        _ = try CLI.run(["import", "--create", "-"], stdin: Self.uris[0] + "\n", environment: environment)
        #expect(
            try CLI.run(["show", "sha1", "--secret"], environment: environment).stdout
                == "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ\n")
        #expect(
            try CLI.run(["show", "sha1", "--uri"], environment: environment).stdout.hasPrefix(
                "otpauth://totp/T:sha1?secret="))
    }

    @Test func aBackupTakenWhileEightProcessesImportIsWhole() throws {
        _ = try CLI.run(["import", "--create", "-"], stdin: Self.uris[0] + "\n", environment: environment)
        var processes: [Process] = []
        for p in 0..<8 {
            let file = directory.appendingPathComponent("in\(p).txt")
            let lines = (0..<40).map { "otpauth://totp/P\(p):u\($0)?secret=JBSWY3DPEHPK3PXPJBSWY3DP\(p)A&issuer=P\(p)" }
            try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
            processes.append(try CLI.start(["import", file.path], environment: environment))
        }
        let backup = directory.appendingPathComponent("backup.sqlite").path
        let output = try CLI.run(["backup", backup], environment: environment)
        for process in processes { process.waitUntilExit() }
        #expect(output.status == 0, "\(output.stderr)")
        let queue = try DatabaseQueue(path: backup)
        #expect(try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        try queue.close()
        var env = environment
        env["OTP_VAULT"] = backup
        let listed = try #require(try CLI.run(["list", "--json"], environment: env).json as? [[String: Any]])
        // Whole inputs only: every importer committed its 40 accounts in one transaction.
        let perIssuer = Dictionary(grouping: listed, by: { $0["issuer"] as? String ?? "" }).mapValues(\.count)
        #expect(perIssuer.filter { $0.key.hasPrefix("P") }.values.allSatisfy { $0 == 40 })
        #expect(perIssuer["T"] == 1)
        #expect(try CLI.run(["backup", backup], environment: environment).status == 2)  // never overwritten
    }
}

/// QR codes out: the terminal drawing and the Google transfer images are read back by our own scanner.
@Suite(.serialized) struct QRExportTests {
    @Test func theTerminalQRTurnedBackIntoPixelsIsRead() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "qr"]
        let uri = ExportCommandTests.uris[1]
        _ = try CLI.run(["import", "--create", "-"], stdin: uri + "\n", environment: env)
        let drawn = try CLI.run(["show", "sha256", "--qr"], environment: env)
        #expect(drawn.status == 0)
        // Each character is two modules: █ both dark, ▀ top, ▄ bottom, space neither. 4 pixels per module.
        let lines = drawn.stdout.split(separator: "\n").map(Array.init)
        let width = (lines.map(\.count).max() ?? 0) * 4
        let height = lines.count * 8
        var pixels = [UInt8](repeating: 255, count: width * height)
        for (row, line) in lines.enumerated() {
            for (column, character) in line.enumerated() {
                let top = character == "█" || character == "▀"
                let bottom = character == "█" || character == "▄"
                for dy in 0..<8 where (dy < 4 ? top : bottom) {
                    for dx in 0..<4 { pixels[(row * 8 + dy) * width + column * 4 + dx] = 0 }
                }
            }
        }
        let outcome = try QRReader().scan(GrayImage(width: width, height: height, pixels: pixels))
        let read = try #require(outcome.payloads.first?.text)
        #expect(read.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"))
        // --png writes an image our scanner reads too.
        let png = directory.appendingPathComponent("code.png").path
        #expect(try CLI.run(["show", "sha256", "--png", png], environment: env).status == 0)
        #expect(try CLI.run(["scan", png]).stdout.contains("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"))
    }

    @Test func googleTransferImagesOfTwentyFiveAccountsImportWhole() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "qr"]
        let lines = (0..<25).map {
            "otpauth://totp/G\($0):u?secret=JBSWY3DPEHPK3PXPJBSWY3DP\(($0 % 5) + 2)A&issuer=G\($0)"
        }
        _ = try CLI.run(["import", "--create", "-"], stdin: lines.joined(separator: "\n"), environment: env)
        let folder = directory.appendingPathComponent("transfer").path
        let export = try CLI.run(["export", "--format", "google", "-o", folder], environment: env)
        #expect(export.status == 0)
        let images = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(images == ["otp-transfer-1-of-3.png", "otp-transfer-2-of-3.png", "otp-transfer-3-of-3.png"])
        var again = env
        again["OTP_VAULT"] = directory.appendingPathComponent("again/vault.sqlite").path
        let reimport = try CLI.run(["import", "--create", folder], environment: again)
        #expect(reimport.status == 0 && reimport.stdout.contains("25 imported"))
    }
}

/// Restore: `otp import` of a vault file (a backup) merges its accounts.
@Suite struct RestoreTests {
    @Test func aBackupImportsIntoAnotherVault() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "first"]
        _ = try CLI.run(
            ["import", "--create", "-"], stdin: ExportCommandTests.uris.joined(separator: "\n"), environment: env)
        let backup = directory.appendingPathComponent("backup.sqlite").path
        #expect(try CLI.run(["backup", backup], environment: env).status == 0)
        let pass = directory.appendingPathComponent("pass").path
        let other = ["OTP_VAULT": directory.appendingPathComponent("w/vault.sqlite").path, "OTP_PASSPHRASE": "second"]
        try "wrong\n".write(toFile: pass, atomically: true, encoding: .utf8)
        let refused = try CLI.run(["import", "--create", "--source-passphrase-file", pass, backup], environment: other)
        #expect(refused.status == 1 && refused.stdout.contains("wrong passphrase"))
        try "first\n".write(toFile: pass, atomically: true, encoding: .utf8)
        let restored = try CLI.run(
            ["import", "--create", "--source-passphrase-file", pass, backup], environment: other)
        #expect(restored.status == 0 && restored.stdout.contains("5 imported"))
        let a = try CLI.run(["code", "sha1", "--at", "59", "--format", "raw"], environment: env).stdout
        let b = try CLI.run(["code", "sha1", "--at", "59", "--format", "raw"], environment: other).stdout
        #expect(!a.isEmpty && a == b)
    }
}

/// The paper backup: every account with a QR image our scanner reads, the key in groups of four, names escaped.
@Suite struct PaperBackupTests {
    @Test func thePaperBackupHoldsEveryAccountReadably() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "paper"]
        let hostile = "otpauth://totp/%3Cscript%3E:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=%3Cscript%3E"
        _ = try CLI.run(
            ["import", "--create", "-"], stdin: (ExportCommandTests.uris + [hostile]).joined(separator: "\n"),
            environment: env)
        let file = directory.appendingPathComponent("paper.html").path
        #expect(try CLI.run(["export", "--format", "html", "-o", file], environment: env).status == 0)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.components(separatedBy: "class=\"account\"").count - 1 == 6)
        #expect(html.contains("GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"))
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;"))
        // The first embedded QR image reads back to the account's URI.
        let base64 = try #require(html.components(separatedBy: "base64,").dropFirst().first?.prefix { $0 != "\"" })
        let png = directory.appendingPathComponent("first.png")
        try #require(Data(base64Encoded: String(base64))).write(to: png)
        #expect(try CLI.run(["scan", png.path]).stdout.hasPrefix("otpauth://totp/T:sha1?secret=GEZDGNBV"))
    }
}
