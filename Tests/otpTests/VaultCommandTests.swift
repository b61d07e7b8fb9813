import Foundation
import GRDB
import Testing

/// The vault commands end to end, with the real binary and the default scrypt cost.
@Suite(.serialized) struct VaultCommandTests {
    let directory: URL
    let environment: [String: String]
    var vaultPath: String { directory.appendingPathComponent("vault/vault.sqlite").path }

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault/vault.sqlite").path,
            "OTP_PASSPHRASE": "test passphrase",
        ]
    }

    func otp(_ arguments: String..., stdin: String? = nil, env: [String: String] = [:]) throws -> CLI.Output {
        try CLI.run(arguments, stdin: stdin, environment: environment.merging(env) { $1 })
    }

    func uris(_ prefix: String, _ count: Int) -> String {
        (0..<count).map { i in
            let secret = Base32Fixture.encode(Array("\(prefix)-secret-\(i)-padding-to-20".utf8).prefix(20))
            return "otpauth://totp/\(prefix):user\(i)?secret=\(secret)&issuer=\(prefix)"
        }.joined(separator: "\n") + "\n"
    }

    @Test func screenshotToCodes() throws {
        let imported = try otp("import", "--create", "--json", CLI.png("console-1080p.png"))
        #expect(imported.status == 0)
        #expect(imported.stderr.contains("created a new vault"))
        let report = try #require(imported.json as? [String: Any])
        #expect((report["imported"] as? [[String: Any]])?.first?["issuer"] as? String == "Amazon Web Services")
        let listed = try otp("list")
        #expect(listed.status == 0 && listed.stdout.contains("Amazon Web Services: alice@123456789012"))
        #expect(!listed.stdout.contains("JBSWY3DP"))
        let codes = try otp("code", "amazon", "--next", "2", "--at", "1111111109", "--json")
        let element = try #require((codes.json as? [[String: Any]])?.first)
        #expect((element["codes"] as? [[String: Any]])?.count == 2)
        #expect((element["id"] as? String)?.count == 16)
        // Again: a duplicate, nothing new.
        let again = try otp("import", "--create", CLI.png("console-1080p.png"))
        #expect(again.status == 0 && again.stdout.contains("0 imported, 1 duplicate"))
    }

    @Test func wrongPassphraseAndNoPassphrase() throws {
        _ = try otp("import", "--create", CLI.png("gray16.png"))
        let before = FileManager.default.contents(atPath: vaultPath)
        let wrong = try otp("list", env: ["OTP_PASSPHRASE": "not it"])
        #expect(wrong.status == 2 && wrong.stderr.contains("wrong passphrase"))
        #expect(FileManager.default.contents(atPath: vaultPath) == before)
        let file = directory.appendingPathComponent("pass.txt")
        try "test passphrase\nsecond line ignored\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try otp("list", "--passphrase-file", file.path, env: ["OTP_PASSPHRASE": ""]).status == 0)
        // No passphrase and no terminal (setsid detaches the controlling terminal).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/setsid") {
            let none = try CLI.run(
                ["list"], environment: environment.merging(["OTP_PASSPHRASE": ""]) { $1 },
                executable: URL(fileURLWithPath: "/usr/bin/setsid"))
            #expect(none.status == 2 && none.stderr.contains("no passphrase"))
        }
        #expect(try otp("list", env: ["OTP_VAULT": vaultPath + ".absent"]).status == 2)
    }

    @Test func renameRemoveAmbiguityAndPasswd() throws {
        let file = directory.appendingPathComponent("uris.txt")
        try uris("Corp", 3).write(to: file, atomically: true, encoding: .utf8)
        #expect(try otp("import", "--create", file.path).status == 0)
        let ambiguous = try otp("remove", "corp", "--yes")
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("matches 3 accounts"))
        #expect(try otp("rename", "user1", "--issuer", "NewCorp", "--account", "renamed").status == 0)
        #expect(try otp("list").stdout.contains("NewCorp: renamed"))
        #expect(try otp("remove", "user2").status == 64)  // no terminal to ask on, no --yes
        #expect(try otp("remove", "user2", "--yes").status == 0)
        #expect(try otp("list", "--json").json.map { ($0 as? [Any])?.count } == 2)
        let changed = try otp("passwd", env: ["OTP_NEW_PASSPHRASE": "new passphrase"])
        #expect(changed.status == 0)
        #expect(try otp("list").status == 2)
        #expect(try otp("list", env: ["OTP_PASSPHRASE": "new passphrase"]).stdout.contains("NewCorp: renamed"))
    }

    @Test func damagedEntryIsReportedAndSkipped() throws {
        let file = directory.appendingPathComponent("uris.txt")
        try uris("Dmg", 3).write(to: file, atomically: true, encoding: .utf8)
        _ = try otp("import", "--create", file.path)
        let queue = try DatabaseQueue(path: vaultPath)
        try queue.write { db in
            try db.execute(sql: "UPDATE entry SET sealed = zeroblob(60) WHERE rowid = (SELECT MIN(rowid) FROM entry)")
        }
        try queue.close()
        let listed = try otp("list", "--json")
        #expect(listed.status == 1 && listed.stderr.contains("is damaged"))
        #expect((listed.json as? [Any])?.count == 2)
        let codes = try otp("code", "--json")
        #expect(codes.status == 1 && (codes.json as? [Any])?.count == 2)
    }

    @Test func eightConcurrentImporters() throws {
        var processes: [Process] = []
        for p in 0..<8 {
            let file = directory.appendingPathComponent("p\(p).txt")
            try uris("Proc\(p)", 10).write(to: file, atomically: true, encoding: .utf8)
            processes.append(try CLI.start(["import", "--create", file.path], environment: environment))
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let listed = try #require(try otp("list", "--json").json as? [[String: Any]])
        #expect(listed.count == 80)
        #expect(Set(listed.map { "\($0["issuer"] ?? "")/\($0["account"] ?? "")" }).count == 80)
    }

    @Test func concurrentHOTPCodesUseEachCounterOnce() throws {
        let secret = Base32Fixture.encode(Array("12345678901234567890".utf8))
        _ = try otp(
            "import", "--create", "-", stdin: "otpauth://hotp/Shared:counter?secret=\(secret)&issuer=Shared&counter=0\n"
        )
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<4 {
                guard let output = try? CLI.run(["code", "shared", "--next", "3", "--json"], environment: environment)
                else {
                    results.fail("could not start otp")
                    continue
                }
                if output.status != 0 { results.fail("exit \(output.status): \(output.stderr)") }
                if let codes = (output.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]] {
                    results.append(codes.compactMap { $0["counter"] as? Int })
                }
            }
        }
        let counters = results.values.sorted()
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(counters == Array(0..<48))
    }

    @Test func killedImportLeavesWholeInputs() throws {
        var files: [String] = []
        for f in 0..<400 {
            let file = directory.appendingPathComponent(String(format: "in%03d.txt", f))
            try uris("Kill\(f)", 5).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        _ = try otp("init")
        // The importer stops itself (SIGSTOP) right after its 50th commit; it is killed there: an exact point, no
        // race with the clock.
        var stopping = environment
        stopping["OTP_TEST_STOP_AFTER_COMMITS"] = "50"
        let process = try CLI.start(["import", "--create"] + files, environment: stopping)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !Self.isStopped(process.processIdentifier), process.isRunning { usleep(2_000) }
        #expect(Self.isStopped(process.processIdentifier), "the importer never reached its 50th commit")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let queue = try DatabaseQueue(path: vaultPath)
        let integrity = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        try queue.close()
        #expect(integrity == "ok")
        let listed = try #require(try otp("list", "--json").json as? [[String: Any]])
        #expect(listed.count == 250, "50 whole inputs of 5 accounts")
        let inputs = Set(listed.compactMap { $0["issuer"] as? String })
        #expect(inputs == Set((0..<(listed.count / 5)).map { "Kill\($0)" }), "not a prefix of whole inputs")
    }
}

extension VaultCommandTests {
    /// Whether the process is stopped (state `T` in `/proc/PID/stat`).
    static func isStopped(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(close, offsetBy: 2)] == "T"
    }
}

final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    private var failed: [String] = []
    func append(_ values: [Int]) { lock.withLock { storage += values } }
    func fail(_ message: String) { lock.withLock { failed.append(message) } }
    var values: [Int] { lock.withLock { storage } }
    var failures: [String] { lock.withLock { failed } }
}

/// RFC 4648 Base32 for building test URIs without depending on the library under test.
enum Base32Fixture {
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var out = ""
        var buffer = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | Int(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[(buffer >> bits) & 31])
            }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }
}

/// Regression tests for issue 9 through the real binary: concurrent creation, foreign files, copies, numbers,
/// secrets in errors.
@Suite(.serialized) struct TrustCommandTests {
    let directory: URL
    let vaultPath: String
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        vaultPath = directory.appendingPathComponent("vault/vault.sqlite").path
        environment = ["OTP_VAULT": vaultPath, "OTP_PASSPHRASE": "trust tests", "XDG_DATA_HOME": directory.path]
    }

    func otp(_ arguments: String..., stdin: String? = nil, vault: String? = nil) throws -> CLI.Output {
        var env = environment
        if let vault { env["OTP_VAULT"] = vault }
        return try CLI.run(arguments, stdin: stdin, environment: env)
    }

    static let secret = "JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP"

    @Test func eightProcessesCreatingOneNewVaultAllSucceed() throws {
        // Before the directory lock, about 1 process in 18 failed with "table keySlot already exists".
        for round in 0..<6 {
            let path = directory.appendingPathComponent("round\(round)/vault.sqlite").path
            var env = environment
            env["OTP_VAULT"] = path
            var processes: [Process] = []
            let logs = (0..<8).map { directory.appendingPathComponent("round\(round)-\($0).err") }
            for p in 0..<8 {
                let uri = "otpauth://totp/I\(p):n\(p)?secret=\(Self.secret)&issuer=I\(p)"
                processes.append(try CLI.start(["import", "--create", uri], environment: env, stderr: logs[p]))
            }
            for process in processes { process.waitUntilExit() }
            let why = zip(processes, logs).filter { $0.0.terminationStatus != 0 }.map {
                (try? String(contentsOf: $0.1, encoding: .utf8)) ?? ""
            }
            #expect(
                processes.map(\.terminationStatus) == Array(repeating: 0, count: 8),
                "round \(round): \(why.joined(separator: " | "))")
            let listed = try CLI.run(["list", "--json"], environment: env)
            #expect((listed.json as? [Any])?.count == 8, "round \(round)")
        }
    }

    @Test func anotherApplicationsDatabaseIsRefusedWithExit2AndLeftUnchanged() throws {
        let path = directory.appendingPathComponent("other.sqlite").path
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "CREATE TABLE photos (id INTEGER PRIMARY KEY)") }
        try queue.close()
        let before = FileManager.default.contents(atPath: path)
        let output = try otp("import", "--create", "otpauth://totp/A:b?secret=\(Self.secret)&issuer=A", vault: path)
        #expect(output.status == 2)
        #expect(output.stderr.contains("is not an otp vault"))
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func aPlainCopyAfterImportIsAWholeVault() throws {
        _ = try otp("import", "--create", "-", stdin: "otpauth://totp/Copy:me?secret=\(Self.secret)&issuer=Copy\n")
        let copy = directory.appendingPathComponent("copy.sqlite").path
        try FileManager.default.copyItem(atPath: vaultPath, toPath: copy)
        let listed = try otp("list", "--json", vault: copy)
        #expect(listed.status == 0)
        #expect((listed.json as? [[String: Any]])?.first?["issuer"] as? String == "Copy")
    }

    @Test func timesPastTheYear9999AreUsageErrors() throws {
        let uri = "otpauth://totp/A:b?secret=\(Self.secret)&issuer=A"
        for at in ["9223372036854775807", "253402300800", "-1", "99999-01-01T00:00:00Z"] {
            let output = try otp("code", "--from", uri, "--at", at)
            #expect(output.status == 64, "--at \(at)")
        }
        #expect(try otp("code", "--from", uri, "--at", "253402300799").status == 0)
    }

    @Test func anHOTPCounterAtItsMaximumIsRefusedNotWrapped() throws {
        let max = Int64.max
        _ = try otp(
            "import", "--create", "-",
            stdin: "otpauth://hotp/Max:h?secret=\(Self.secret)&issuer=Max&counter=\(max - 1)\n")
        let first = try otp("code", "max", "--json")
        #expect(first.status == 0)
        let second = try otp("code", "max")
        #expect(second.status != 0)
        #expect(second.stderr.contains("cannot advance"))
    }

    @Test func almostURIsAreNeverEchoedByAnyCommand() throws {
        let arguments = [
            " otpauth://totp/A:b?secret=\(Self.secret)", "otpauth:/totp/A:b?secret=\(Self.secret)",
            "https://example.com/mfa?secret=\(Self.secret)", "\u{1}otpauth://totp/A?secret=\(Self.secret)",
        ]
        for argument in arguments {
            for command in [["check"], ["scan"], ["import", "--create", "--dry-run"], ["code", "--from"]] {
                let output = try CLI.run(command + [argument], environment: environment)
                #expect(output.status != 0, "\(command)")
                #expect(
                    !output.stdout.contains(Self.secret) && !output.stderr.contains(Self.secret), "\(command) echoed it"
                )
            }
        }
    }

    @Test func aFIFOIsRefusedInsteadOfBlocking() throws {
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let output = try otp("check", fifo)
        #expect(output.status == 1)
        #expect(output.stdout.contains("FIFO"))
    }
}
