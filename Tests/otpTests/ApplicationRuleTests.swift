import Foundation
import TestSupport
import Testing

/// Issue 23: the rules that were written per command and lost data there, now each kept once in a library, tested
/// through the real binary.
@Suite(.serialized) struct ApplicationRuleTests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "rules",
        ]
    }

    func otp(
        _ arguments: String..., stdin: String? = nil, environment extra: [String: String] = [:]
    ) throws
        -> CLI.Output
    {
        try CLI.run(arguments, stdin: stdin, environment: environment.merging(extra) { $1 })
    }

    static func uri(_ issuer: String, _ name: String, _ seed: Int) -> String {
        let secret = Base32Fixture.encode(Array("\(issuer)-\(name)-\(seed)-secret-padding".utf8).prefix(20))
        return "otpauth://totp/\(issuer):\(name)?secret=\(secret)&issuer=\(issuer)"
    }

    /// `--shred` on a folder where one file fails, one is a duplicate of an account already in the vault and one
    /// is new: the new one and the duplicate are shredded, the failed one is kept. The names sort (1, 10, 2) unlike
    /// the order a position-based match assumed, and a vault file given first shifts every position.
    @Test func shredDestroysExactlyTheFilesWhoseAccountsCommitted() throws {
        #expect(try otp("import", "--create", "-", stdin: Self.uri("Dup", "d", 1) + "\n").status == 0)
        let backup = directory.appendingPathComponent("backup.sqlite").path
        #expect(try otp("backup", backup).status == 0)
        let folder = directory.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let failing = folder.appendingPathComponent("1.txt")
        let fresh = folder.appendingPathComponent("10.txt")
        let duplicate = folder.appendingPathComponent("2.txt")
        try "otpauth://totp/Bad:b?secret=1\n".write(to: failing, atomically: true, encoding: .utf8)
        try (Self.uri("New", "n", 2) + "\n").write(to: fresh, atomically: true, encoding: .utf8)
        try (Self.uri("Dup", "d", 1) + "\n").write(to: duplicate, atomically: true, encoding: .utf8)
        let passphraseFile = directory.appendingPathComponent("pass")
        try "rules\n".write(to: passphraseFile, atomically: true, encoding: .utf8)
        let result = try otp(
            "import", "--shred", "--source-passphrase-file", passphraseFile.path, backup, folder.path)
        #expect(result.status == 1, "one file failed: \(result.stderr)")
        let exists = { (url: URL) in FileManager.default.fileExists(atPath: url.path) }
        #expect(exists(failing), "the failed file is kept")
        #expect(!exists(fresh) && !exists(duplicate), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: backup), "a vault is never shredded")
        #expect(result.stderr.contains("not shredded") && result.stderr.contains("1.txt"))
    }

    /// An id selects by prefix only from 8 characters (or as `id:PREFIX`): `otp remove ace --yes` can no longer
    /// pick an entry whose id happens to start with `ace`. A query that matches a name and an id prefix is
    /// ambiguous, both shown.
    @Test func shortIDPrefixesDoNotSelect() throws {
        #expect(try otp("import", "--create", "-", stdin: Self.uri("Zz", "zz", 3) + "\n").status == 0)
        let listed = try #require(try otp("list", "--json").json as? [[String: Any]])
        let id = try #require(listed.first?["id"] as? String)
        let short = String(id.prefix(3))
        let none = try otp("code", short)
        #expect(none.status == 1 && none.stderr.contains("no account matches"), "\(none.stderr)")
        #expect(try otp("code", "id:\(short)").status == 0)
        #expect(try otp("code", String(id.prefix(8))).status == 0)
        // An account whose name is that 8-character prefix: the query now means two accounts.
        let named = try otp("add", "--account", String(id.prefix(8)), stdin: "JBSWY3DPEHPK3PXP\n")
        #expect(named.status == 0, "\(named.stderr)")
        let both = try otp("code", String(id.prefix(8)), "--format", "raw")
        #expect(both.status == 1 && both.stderr.contains("matches 2 accounts") && both.stdout.isEmpty, "\(both)")
        #expect(both.stderr.contains(id))
    }

    /// The example of the README and `--help`: the console's issuer is "Amazon Web Services", and `aws` finds it.
    @Test func awsFindsAmazonWebServices() throws {
        let uri = Self.uri("Amazon%20Web%20Services", "alice@123456789012", 4)
        #expect(try otp("import", "--create", "-", stdin: uri + "\n").status == 0)
        let code = try otp("code", "aws", "--format", "raw")
        #expect(code.status == 0 && code.stdout.count == 7, "\(code.stderr)")
    }

    /// `--passphrase-command`: the first line is taken as soon as it comes; a command that prints a megabyte without
    /// a line break, keeps running after its line, or fails, ends in a passphrase or a clear error, never a hang.
    @Test func passphraseCommands() throws {
        #expect(try otp("import", "--create", "-", stdin: Self.uri("Cmd", "c", 5) + "\n").status == 0)
        var noEnvironment = environment
        noEnvironment["OTP_PASSPHRASE"] = ""
        func list(_ command: String) throws -> (CLI.Output, TimeInterval) {
            let started = Date()
            let output = try CLI.run(["list", "--passphrase-command", command], environment: noEnvironment)
            return (output, Date().timeIntervalSince(started))
        }
        let (plain, _) = try list("printf 'rules\\nmore lines\\n'")
        #expect(plain.status == 0 && plain.stdout.contains("Cmd"), "\(plain.stderr)")
        let (lingering, lingered) = try list("echo rules; exec sleep 30")
        #expect(lingering.status == 0 && lingered < 25, "\(lingering.stderr)")
        let (chatty, _) = try list("echo rules; head -c 2000000 /dev/zero")
        #expect(chatty.status == 0, "\(chatty.stderr)")
        let (huge, hugeTime) = try list("head -c 2000000 /dev/zero | tr '\\\\0' x")
        #expect(huge.status == 2 && hugeTime < 60, "\(huge.stderr)")
        let (failing, _) = try list("exit 3")
        #expect(failing.status == 2 && failing.stderr.contains("exit 3"), "\(failing.stderr)")
    }
}
