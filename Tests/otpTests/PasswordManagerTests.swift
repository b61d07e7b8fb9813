import Foundation
import Testing

/// Issue 30: password managers' CSV exports and CXF, with the real binary. Rows without a one-time code are counted,
/// never errors.
@Suite struct PasswordManagerTests {
    static let exports = CLI.fixtures.appendingPathComponent("exports")

    struct Case: Sendable, CustomStringConvertible {
        let file: String
        let accounts: [String]
        let skipped: Int
        var description: String { file }
    }

    static let cases: [Case] = [
        Case(
            file: "csv/keepassxc.csv",
            accounts: ["GitHub: octo@example.com", "Amazon Web Services: alice@123456789012"], skipped: 1),
        Case(
            file: "csv/bitwarden.csv", accounts: ["GitLab: dev@example.com", "Example: me", "Steam: gamer"],
            skipped: 2),
        Case(file: "csv/1password.csv", accounts: ["Dropbox: me@example.com", "Slack: me"], skipped: 1),
        Case(file: "csv/apple-passwords.csv", accounts: ["example.com: me"], skipped: 1),
        Case(file: "csv/proton-pass.csv", accounts: ["Proton: me@proton.me"], skipped: 1),
        Case(file: "csv/plain.csv", accounts: ["Example: alice", "Other: bob"], skipped: 0),
        Case(file: "cxf.json", accounts: ["GitHub: octo", "Example: bob"], skipped: 2),
    ]

    @Test(arguments: cases) func importsTheAccountsAndCountsTheRowsWithoutACode(_ testCase: Case) throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "csv import",
        ]
        let path = Self.exports.appendingPathComponent(testCase.file).path
        let result = try CLI.run(["import", "--create", "--json", path], environment: environment)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let json = try #require(result.json as? [String: Any])
        let imported = (json["imported"] as? [[String: Any]] ?? []).map {
            "\($0["issuer"] as? String ?? ""): \($0["account"] as? String ?? "")"
        }
        #expect(imported == testCase.accounts)
        #expect(json["skipped"] as? Int == testCase.skipped)
        #expect((json["failed"] as? [Any])?.isEmpty == true)
        // The text report counts them too; a second run finds every account already there.
        let again = try CLI.run(["import", path], environment: environment)
        #expect(again.status == 0)
        if testCase.skipped > 0 {
            #expect(
                again.stdout.contains(
                    "\(testCase.skipped) row\(testCase.skipped == 1 ? "" : "s") without a one-time code skipped"))
        }
        #expect(again.stdout.contains("\(testCase.accounts.count) duplicate"))
        // No secret in the report.
        #expect(!result.stdout.contains("JBSWY3DP") && !again.stdout.contains("JBSWY3DP"))
    }

    @Test func codesFromTheCSVMatchTheURIsSecrets() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = ["OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "csv codes"]
        let path = Self.exports.appendingPathComponent("csv/1password.csv").path
        #expect(try CLI.run(["import", "--create", path], environment: env).status == 0)
        let slack = try CLI.run(["code", "Slack", "--at", "59", "--format", "raw"], environment: env)
        // SHA256, 8 digits, secret "12345678901234567890" in Base32: RFC 6238's SHA-256 vector at T = 59 is
        // 46119246 for its 32-byte key; for this 20-byte key oathtool gives the value below.
        let oathtool = try CLI.run(
            ["--totp=sha256", "--digits=8", "--base32", "-N", "@59", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"],
            executable: URL(fileURLWithPath: "/usr/bin/oathtool"), wrapped: false)
        #expect(oathtool.status == 0)
        #expect(slack.stdout == oathtool.stdout)
    }

    @Test func aCSVWithoutAnyCodeFailsNamingTheRows() throws {
        let directory = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("logins.csv")
        try "Title,URL,Username,Password,Notes,OTPAuth\na,https://a,me,pw,,\nb,https://b,me,pw,,\n".write(
            to: file, atomically: true, encoding: .utf8)
        let result = try CLI.run(
            ["import", "--dry-run", file.path],
            environment: ["OTP_VAULT": directory.appendingPathComponent("v.sqlite").path, "OTP_PASSPHRASE": "x"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("the export holds no account (2 rows without a one-time code)"))
    }
}
