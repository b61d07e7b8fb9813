import Foundation
import TestSupport
import Testing

/// Issue 12: the AWS procedure end to end through the real binary — a bare seed file and a QR screenshot, fresh
/// pairs, output for scripts, serials, no code used twice, shredding.
@Suite(.serialized) struct AWSCommandTests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault/vault.sqlite").path, "OTP_PASSPHRASE": "aws tests",
        ]
    }

    func otp(_ arguments: String..., stdin: String? = nil) throws -> CLI.Output {
        try CLI.run(arguments, stdin: stdin, environment: environment)
    }

    /// The AWS CLI's `--bootstrap-method Base32StringSeed --outfile` writes 64 Base32 characters and nothing else.
    static let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    static func oathtool(_ key: String, at time: Int64, count: Int) throws -> [String] {
        try outputLines(of: "/usr/bin/oathtool", ["--totp", "-b", "--now=@\(time)", "-w", "\(count - 1)", key])
    }

    func seedFile(_ name: String = "seed.txt") throws -> String {
        let path = directory.appendingPathComponent(name).path
        try (Self.seed + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test
    func seedFileAndScreenshotGiveOathtoolsCodes() throws {
        let seed = try seedFile()
        // Without an account the file is refused, saying why.
        let bare = try otp("import", "--create", seed)
        #expect(bare.status == 1 && bare.stdout.contains("only a Base32 key"))
        #expect(!bare.stdout.contains(Self.seed) && !bare.stderr.contains(Self.seed))
        #expect(
            try otp("add", "--create", "--account", "alice@123456789012", "--issuer", "AWS", "--secret-file", seed)
                .status == 0)
        for time: Int64 in [59, 1_111_111_109, 2_000_000_000] {
            let pair = try otp("code", "alice", "--next", "2", "--at", "\(time)", "--format", "raw")
            #expect(pair.stdout == (try Self.oathtool(Self.seed, at: time, count: 2)).map { $0 + "\n" }.joined())
        }
        // The QR path: the console screenshot holds an otpauth URI; its key is checked against oathtool too.
        let shot = CLI.fixtures.appendingPathComponent("batch/shot-aws.png").path
        let uri = try #require(try otp("scan", shot).stdout.split(separator: "\n").first.map(String.init))
        let key = try #require(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
        #expect(try otp("import", "--create", shot).status == 0)
        let codes = try otp("code", "dave", "--next", "2", "--at", "1700000000", "--format", "raw")
        #expect(codes.stdout == (try Self.oathtool(key, at: 1_700_000_000, count: 2)).map { $0 + "\n" }.joined())
    }

    @Test func aPairWithTooLittleTimeLeftIsTheNextStepsPair() throws {
        let uri = "otpauth://totp/AWS:a?secret=\(Self.seed)&issuer=AWS"
        // 1 s left in the step at t = 59: with --min-remaining 25 the pair is that of steps 2 and 3.
        let late = try otp("code", "--from", uri, "--at", "59", "--next", "2", "--min-remaining", "25", "--json")
        let late0 = try #require((late.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]])
        #expect(late0.map { $0["validFrom"] as? Int } == [60, 90])
        // 29 s left at t = 31: no change.
        let early = try otp("code", "--from", uri, "--at", "31", "--next", "2", "--min-remaining", "25", "--json")
        let early0 = try #require((early.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]])
        #expect(early0.map { $0["validFrom"] as? Int } == [30, 60])
    }

    @Test func aRealPairWaitsOnlyWhenItMust() throws {
        // A 5-second step: asking for 4 s left waits for the next step unless it has 4 s or more (at most 5 s of
        // waiting); the first printed code then has at least 3 s left. (5 s, the whole step, is refused: issue 28.)
        let uri = "otpauth://totp/AWS:w?secret=\(Self.seed)&issuer=AWS&period=5"
        for _ in 0..<2 {
            let output = try otp("code", "--from", uri, "--next", "2", "--min-remaining", "4", "--json")
            let printed = Int(Date().timeIntervalSince1970)
            let codes = try #require((output.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]])
            let until = try #require(codes.first?["validUntil"] as? Int)
            #expect(until - printed >= 3, "printed with \(until - printed) s left")
            #expect(output.stdout.hasPrefix("["))
        }
    }

    @Test
    func rawIsOnlyDigitsEvenOnATerminalAndAWSIsTheTwoFlags() throws {
        let uri = "otpauth://totp/AWS:r?secret=\(Self.seed)&issuer=AWS"
        let raw = try otp("code", "--from", uri, "--next", "2", "--format", "raw")
        #expect(raw.stdout.range(of: #"^([0-9]{6}\n){2}$"#, options: .regularExpression) != nil)
        // On a terminal (script(1) gives the command a pseudo-terminal) stdout is still digits only.
        let tty = try CLI.run(
            ["-qec", "\(CLI.binary.path) code --from '\(uri)' --format raw", "/dev/null"], environment: environment,
            executable: URL(fileURLWithPath: "/usr/bin/script"), wrapped: false)
        #expect(
            tty.stdout.replacingOccurrences(of: "\r", with: "").range(of: #"^[0-9]{6}\n$"#, options: .regularExpression)
                != nil)
        let aws = try otp("code", "--from", uri, "--at", "59", "--format", "aws")
        let pair = try Self.oathtool(Self.seed, at: 59, count: 2)
        #expect(aws.stdout == "--authentication-code1 \(pair[0]) --authentication-code2 \(pair[1])\n")
        #expect(aws.status == 0)
    }

    @Test
    func serialsSelectTheDevice() throws {
        _ = try otp("add", "--create", "--account", "bob", "--issuer", "AWS", stdin: Self.seed + "\n")
        let arn = "arn:aws:iam::123456789012:mfa/bob"
        #expect(try otp("edit", "bob", "--serial", arn).status == 0)
        #expect(try otp("rename", "bob", "--note", "break-glass").status == 0)
        let code = try otp("code", "--serial", arn, "--at", "59", "--format", "raw")
        #expect(code.stdout == (try Self.oathtool(Self.seed, at: 59, count: 1)).joined() + "\n")
        #expect(try otp("code", "--serial", "arn:aws:iam::123456789012:mfa/nobody").status == 1)
        #expect(try otp("edit", "bob", "--serial", "two words").status == 2)
        // Issue 28: a serial has IAM's shape, and names one account.
        let notAnARN = try otp("edit", "bob", "--serial", "not-an-arn")
        #expect(notAnARN.status == 2 && notAnARN.stderr.contains("arn:aws:iam::123456789012:mfa/"))
        #expect(try otp("edit", "bob", "--serial", "arn:aws-us-gov:iam::123456789012:mfa/path/bob").status == 0)
        #expect(try otp("edit", "bob", "--serial", arn).status == 0)
        let other = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        let taken = try otp("add", "--account", "carol", "--issuer", "AWS", "--serial", arn, stdin: other + "\n")
        #expect(taken.status == 2 && taken.stderr.contains("already"), "\(taken.stderr)")
        #expect(try otp("add", "--account", "carol", "--issuer", "AWS", stdin: other + "\n").status == 0)
        let twice = try otp("edit", "carol", "--serial", arn)
        #expect(twice.status == 2 && twice.stderr.contains("already"), "\(twice.stderr)")
        let badAdd = try otp("add", "--account", "dave", "--serial", "arn:aws:iam::12:mfa/d", stdin: other + "\n")
        #expect(badAdd.status == 64, "\(badAdd.stderr)")
    }

    @Test func eightProcessesWithOnceNeverPrintTheSameCode() throws {
        // A 1-second step keeps the test short; with 30 s the eight would take four minutes.
        let uri = "otpauth://totp/Once:o?secret=\(Self.seed)&issuer=Once&period=1"
        #expect(try otp("import", "--create", "-", stdin: uri + "\n").status == 0)
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            guard let output = try? CLI.run(["code", "once", "--once", "--json"], environment: environment) else {
                results.fail("could not start otp")
                return
            }
            if output.status != 0 { results.fail("exit \(output.status): \(output.stderr)") }
            let codes = (output.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]] ?? []
            results.append(codes.compactMap { $0["validFrom"] as? Int })
        }
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.values.count == 8)
        #expect(Set(results.values).count == 8, "a step was handed out twice: \(results.values.sorted())")
        // --no-wait refuses instead of waiting when the step is taken.
        _ = try otp("code", "once", "--once")
        let again = try otp("code", "once", "--once", "--no-wait")
        #expect(again.status == 1 || again.status == 0)
    }

    @Test func shredOnlyAfterTheCommit() throws {
        let kept = try seedFile("kept.txt")
        // A wrong passphrase: nothing is committed, the seed stays.
        _ = try otp("import", "--create", "--account", "x", try seedFile("first.txt"))
        var wrong = environment
        wrong["OTP_PASSPHRASE"] = "not the passphrase"
        let failed = try CLI.run(["import", "--create", "--account", "k", "--shred", kept], environment: wrong)
        #expect(failed.status == 2)
        #expect(FileManager.default.fileExists(atPath: kept))
        // The right one: committed, then shredded.
        let done = try otp("import", "--create", "--account", "k", "--shred", kept)
        #expect(done.status == 0 && done.stderr.contains("shredded"))
        #expect(!FileManager.default.fileExists(atPath: kept))
    }
}
