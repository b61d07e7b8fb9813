import Foundation
import Testing

/// Issue 28 (part): weak passphrases are named; look-alike entries can be told apart.
@Suite struct PapercutTests {
    let directory: URL

    init() throws { directory = try CLI.temporaryDirectory() }

    func env(_ passphrase: String, _ name: String = "vault") -> [String: String] {
        ["OTP_VAULT": directory.appendingPathComponent("\(name)/vault.sqlite").path, "OTP_PASSPHRASE": passphrase]
    }

    @Test(arguments: ["a", "123456", "password", "aaaaaaaaaaaa", "abcdefgh"])
    func initWarnsOfAWeakPassphrase(_ weak: String) throws {
        let result = try CLI.run(["init"], environment: env(weak, "weak-\(weak.count)-\(weak.hashValue & 0xFFFF)"))
        #expect(result.status == 0)
        #expect(result.stderr.contains("this passphrase is weak") && result.stderr.contains("--allow-weak"))
        // Never the passphrase itself.
        #expect(weak.count < 4 || !result.stderr.contains(weak))
    }

    @Test func allowWeakAndAStrongPassphraseGiveNoWarning() throws {
        let allowed = try CLI.run(["init", "--allow-weak"], environment: env("a", "allowed"))
        #expect(allowed.status == 0 && !allowed.stderr.contains("weak"))
        let strong = try CLI.run(["init"], environment: env("correct horse battery staple", "strong"))
        #expect(strong.status == 0 && !strong.stderr.contains("weak"))
        let passwd = try CLI.run(
            ["passwd"],
            environment: env("correct horse battery staple", "strong").merging(["OTP_NEW_PASSPHRASE": "1"]) {
                $1
            })
        #expect(passwd.status == 0 && passwd.stderr.contains("this passphrase is weak"))
    }

    @Test func listLongShowsTheCreationDateAndSerial() throws {
        let environment = env("list long passphrase")
        let uri =
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP"
            + "&issuer=Amazon%20Web%20Services"
        #expect(try CLI.run(["import", "--create", "-"], stdin: uri + "\n", environment: environment).status == 0)
        let serial = "arn:aws:iam::123456789012:mfa/alice"
        #expect(try CLI.run(["edit", "aws", "--serial", serial], environment: environment).status == 0)
        let long = try CLI.run(["list", "--long"], environment: environment)
        let day = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC") ?? .current, formatOptions: [.withFullDate])
        #expect(long.stdout.contains("created \(day)") && long.stdout.contains("serial \(serial)"))
        #expect(!(try CLI.run(["list"], environment: environment).stdout.contains("created")))
    }

    @Test func anEmptyVaultSaysSoAndABackupNamesTheMissingFolder() throws {
        let environment = env("empty vault passphrase", "empty")
        #expect(try CLI.run(["init"], environment: environment).status == 0)
        let code = try CLI.run(["code"], environment: environment)
        #expect(code.status == 1 && code.stderr.contains("the vault holds no account yet"))
        #expect(!code.stderr.contains("(all accounts)"))
        let missing = directory.appendingPathComponent("no/such/folder/backup.sqlite").path
        let backup = try CLI.run(["backup", missing], environment: environment)
        #expect(backup.status == 2)
        #expect(backup.stderr.contains("the folder \(directory.path)/no/such/folder does not exist"))
        #expect(!backup.stderr.contains("cannot write the vault"))
    }

    @Test func aDryRunShowsTheParametersThatDecideTheCodes() throws {
        let result = try CLI.run(
            ["import", "--dry-run", CLI.fixtures.appendingPathComponent("exports/csv/plain.csv").path],
            environment: env("dry run passphrase", "dry"))
        #expect(result.stdout.contains("Other: bob  (TOTP, SHA256, 8 digits, 60 s)"))
    }

    /// On a terminal (a pty from util-linux's script), a provisioning URI printed by scan gets show's warning.
    @Test func scanWarnsBeforePrintingASecretOnATerminal() throws {
        let command = "\(CLI.binary.path) scan \(CLI.png("console-1080p.png"))"
        let result = try CLI.run(
            ["-qec", command, "/dev/null"], executable: URL(fileURLWithPath: "/usr/bin/script"), wrapped: false)
        #expect(result.status == 0)
        #expect(result.stdout.contains("warning: printing secrets on the terminal"))
        // Into a pipe (a script reading it), no warning.
        let piped = try CLI.run(["scan", CLI.png("console-1080p.png")])
        #expect(!piped.stderr.contains("warning"))
    }

    /// Durations out of range or too large to multiply are usage errors, never a trap.
    @Test(arguments: ["99999999999999999h", "9223372036854775807s", "-5", "37h", "1.5m", "m"])
    func aDurationThatDoesNotFitIsAUsageError(_ duration: String) throws {
        let result = try CLI.run(
            [
                "code", "--from", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP", "--copy",
                "--clear-after",
                duration,
            ])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--clear-after"))
    }
}
