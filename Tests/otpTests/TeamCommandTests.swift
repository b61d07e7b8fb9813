import Dispatch
import Foundation
import OTPCrypto
import OTPVault
import TestSupport
import Testing

/// Issue 15: a team vault on a real PostgreSQL server, through the real binary: two members on two "machines"
/// (separate personal vaults), codes taken by eight processes at once, a removed member locked out.
@Suite(.serialized)
struct TeamCommandTests {
    let directory: URL
    let url: String
    let database: String
    let server: PostgresServer

    init() throws {
        directory = try CLI.temporaryDirectory()
        let server = try PostgresServer.started.get()
        self.server = server
        database = try server.makeDatabase()
        url = server.url(database: database)
    }

    /// A machine: its personal vault (made with a cheap scrypt cost, so 400 processes unlock quickly) and the
    /// environment its `otp` runs with.
    func machine(_ name: String) throws -> [String: String] {
        let path = directory.appendingPathComponent("\(name).sqlite").path
        try Vault.withVault(
            path: path, passphrase: SecureBytes(Array("\(name) pass".utf8)), create: true,
            kdf: ScryptParameters(n: 1 << 10, r: 8, p: 1)
        ) { _ in }
        return ["OTP_VAULT": url, "OTP_PERSONAL_VAULT": path, "OTP_PASSPHRASE": "\(name) pass"]
    }

    static let uris = """
        otpauth://totp/AWS:root@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=AWS
        otpauth://hotp/Shared:hotp?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Shared&counter=0

        """

    @Test func twoMachinesShareATeamVault() throws {
        let alice = try machine("alice")
        let bob = try machine("bob")
        #expect(try CLI.run(["team", "create", "--member", "alice"], environment: alice).status == 0)
        #expect(try CLI.run(["import", "-"], stdin: Self.uris, environment: alice).status == 0)

        let joined = try CLI.run(["team", "join", "--member", "bob"], environment: bob)
        #expect(joined.status == 0)
        let fingerprint = joined.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let waiting = try CLI.run(["list"], environment: bob)
        #expect(waiting.status == 2 && waiting.stderr.contains("waits for an admin's approval"))
        // No approval without a fingerprint (issue 26), and a wrong one approves nothing.
        let unchecked = try CLI.run(["team", "approve", "bob"], environment: alice)
        #expect(unchecked.status == 64 && unchecked.stderr.contains("--fingerprint"), "\(unchecked.stderr)")
        let wrong = try CLI.run(
            ["team", "approve", "bob", "--fingerprint", "0000 0000"], environment: alice)
        #expect(wrong.status == 2)
        let approved = try CLI.run(["team", "approve", "bob", "--fingerprint", fingerprint], environment: alice)
        #expect(approved.status == 0, "\(approved.stderr)")

        let aliceCode = try CLI.run(["code", "aws", "--at", "1800000000"], environment: alice)
        let bobCode = try CLI.run(["code", "aws", "--at", "1800000000"], environment: bob)
        #expect(aliceCode.status == 0 && bobCode.status == 0)
        #expect(aliceCode.stdout == bobCode.stdout && aliceCode.stdout.contains("AWS"))
        let list = try CLI.run(["list", "--json"], environment: bob)
        #expect((list.json as? [[String: Any]])?.count == 2)

        let members = try CLI.run(["team", "members", "--json"], environment: bob)
        #expect((members.json as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["alice", "bob"])

        let removed = try CLI.run(["team", "remove", "bob"], environment: alice)
        #expect(removed.status == 0 && removed.stderr.contains("re-create"))
        let locked = try CLI.run(["code", "aws"], environment: bob)
        #expect(locked.status == 2 && locked.stderr.contains("not a member"))
        #expect(try CLI.run(["code", "aws", "--at", "1800000000"], environment: alice).stdout == aliceCode.stdout)

        let log = try CLI.run(["team", "log", "--json"], environment: alice)
        let actions = (log.json as? [[String: Any]])?.compactMap { $0["action"] as? String } ?? []
        #expect(actions.starts(with: ["create", "import", "join", "approve"]))
        #expect(actions.contains("remove-member") && actions.filter { $0 == "code" }.count >= 3)

        // Commands that only make sense on a file refuse the URL, saying why.
        let passwd = try CLI.run(["passwd"], environment: alice)
        #expect(passwd.status == 64 && passwd.stderr.contains("team"))
    }

    /// Issue 26 through the binary: two machines print the same team fingerprint and head; `log --membership`
    /// shows the signed changes; roles and re-keys are signed changes that move the head; a machine whose state is
    /// gone opens nothing until the team fingerprint is pinned (and a wrong one pins nothing).
    @Test func verifyRolesRekeyAndPinning() throws {
        let alice = try machine("alice")
        var bob = try machine("bob")
        let created = try CLI.run(["team", "create", "--member", "alice", "--json"], environment: alice)
        let teamFingerprint = (created.json as? [String: Any])?["team"] as? String ?? ""
        #expect(created.status == 0 && teamFingerprint.count == 39, "\(created.stderr)")
        let joined = try CLI.run(["team", "join", "--member", "bob", "--json"], environment: bob)
        let code = (joined.json as? [String: Any])?["fingerprint"] as? String ?? ""
        #expect((joined.json as? [String: Any])?["team"] as? String == teamFingerprint)
        #expect(try CLI.run(["team", "approve", "bob", "--fingerprint", code], environment: alice).status == 0)

        func verified(_ environment: [String: String]) throws -> [String: Any] {
            let result = try CLI.run(["team", "verify", "--json"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            return result.json as? [String: Any] ?? [:]
        }
        let (a, b) = (try verified(alice), try verified(bob))
        #expect(a["head"] as? String == b["head"] as? String && a["changes"] as? Int == 2)
        #expect(a["team"] as? String == teamFingerprint && b["team"] as? String == teamFingerprint)
        #expect(a["role"] as? String == "admin" && b["role"] as? String == "member")

        // A member may not change membership; an admin's role change and re-key move the head for everyone.
        let refused = try CLI.run(["team", "rekey"], environment: bob)
        #expect(refused.status == 2 && refused.stderr.contains("not an admin"), "\(refused.stderr)")
        #expect(try CLI.run(["team", "role", "bob", "admin"], environment: alice).status == 0)
        #expect(try CLI.run(["import", "-"], stdin: Self.uris, environment: alice).status == 0)
        let rekeyed = try CLI.run(["team", "rekey", "--json"], environment: bob)
        #expect(rekeyed.status == 0 && (rekeyed.json as? [String: Any])?["resealed"] as? Int == 2, "\(rekeyed.stderr)")
        let (a2, b2) = (try verified(alice), try verified(bob))
        #expect(
            a2["head"] as? String == b2["head"] as? String && a2["epoch"] as? Int == 2 && a2["changes"] as? Int == 4)
        let history = try CLI.run(["team", "log", "--membership", "--json"], environment: alice)
        let actions = (history.json as? [[String: Any]])?.compactMap { $0["action"] as? String }
        #expect(actions == ["create", "approve", "role", "rekey"], "\(history.stdout)")
        #expect(try CLI.run(["code", "aws", "--at", "1800000000"], environment: alice).status == 0)

        // Bob's state is gone (another machine): nothing opens until he pins the team fingerprint.
        bob["XDG_STATE_HOME"] = directory.appendingPathComponent("bob-new-machine").path
        let unpinned = try CLI.run(["list", "--json"], environment: bob)
        #expect(unpinned.status == 2 && unpinned.stderr.contains("--pin"), "\(unpinned.stderr)")
        let wrongPin = try CLI.run(["team", "verify", "--pin", "0123 4567"], environment: bob)
        #expect(wrongPin.status == 2)
        #expect(try CLI.run(["team", "verify", "--pin", teamFingerprint], environment: bob).status == 0)
        #expect(try CLI.run(["list", "--json"], environment: bob).status == 0)
    }

    /// Member names and log lines come from the server, which whoever holds the database can write: the text output
    /// escapes them (a member name and a log action reached the terminal raw).
    @Test func rowsWrittenIntoTheDatabaseReachTheTerminalEscaped() throws {
        let alice = try machine("alice")
        #expect(try CLI.run(["team", "create", "--member", "alice"], environment: alice).status == 0)
        try server.psql(
            """
            INSERT INTO otp_members (name, public_key, status, requested_at)
                VALUES (E'mallory\\x1b]0;owned\\x07', '\\x01', 'pending', 1);
            INSERT INTO otp_log (member, action, detail) VALUES ('alice', E'code\\x1b[2J', E'x\\x1b[31m');
            """, database: database)
        let members = try CLI.run(["team", "members"], environment: alice)
        let log = try CLI.run(["team", "log"], environment: alice)
        #expect(members.status == 0 && members.stdout.contains("mallory"), "\(members.stderr)")
        #expect(log.status == 0 && log.stdout.contains("code"), "\(log.stderr)")
        #expect(!members.stdout.contains("\u{1B}") && !log.stdout.contains("\u{1B}"))
    }

    @Test func eightProcessesTakeEveryHOTPCounterOnce() throws {
        let alice = try machine("alice")
        #expect(try CLI.run(["team", "create", "--member", "alice"], environment: alice).status == 0)
        #expect(try CLI.run(["import", "-"], stdin: Self.uris, environment: alice).status == 0)
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<50 {
                guard let output = try? CLI.run(["code", "shared", "--json"], environment: alice) else {
                    results.fail("could not start otp")
                    return
                }
                if output.status != 0 { results.fail("exit \(output.status): \(output.stderr)") }
                let codes = (output.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]] ?? []
                results.append(codes.compactMap { $0["counter"] as? Int })
            }
        }
        #expect(results.failures.isEmpty, "\(results.failures)")
        #expect(results.values.sorted() == Array(0..<400), "every counter value exactly once")
    }

    @Test func copyAFileVaultInAndBackOut() throws {
        let alice = try machine("alice")
        let file = directory.appendingPathComponent("file.sqlite").path
        var fileEnvironment = alice
        fileEnvironment["OTP_VAULT"] = file
        #expect(try CLI.run(["import", "--create", "-"], stdin: Self.uris, environment: fileEnvironment).status == 0)
        #expect(try CLI.run(["code", "shared"], environment: fileEnvironment).status == 0)
        #expect(try CLI.run(["team", "create", "--member", "alice"], environment: alice).status == 0)
        let copied = try CLI.run(["vault", "copy", "--from", file, "--to", url, "--json"], environment: alice)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect((copied.json as? [String: Any])?["copied"] as? Int == 2)
        let back = directory.appendingPathComponent("back.sqlite").path
        #expect(try CLI.run(["vault", "copy", "--from", url, "--to", back], environment: alice).status == 0)
        var backEnvironment = alice
        backEnvironment["OTP_VAULT"] = back
        let code = try CLI.run(["code", "shared", "--json"], environment: backEnvironment)
        let counter = ((code.json as? [[String: Any]])?.first?["codes"] as? [[String: Any]])?.first?["counter"]
        #expect(counter as? Int == 1, "the HOTP counter moved with the entry")
    }
    /// Issue 25: the URL goes to libpq unchanged, so libpq's environment works: a connection given only by PGHOST,
    /// PGPORT, PGDATABASE, PGUSER, PGSSLMODE and a password file (the role logs in with its password, over TLS).
    @Test func aConnectionFromLibpqsEnvironmentAndAPasswordFile() throws {
        let tls = try PostgresServer.tls()
        let database = try tls.makeDatabase()
        let passfile = directory.appendingPathComponent("pgpass")
        let port = "\(tls.tlsPort ?? 0)"
        let line = ["127.0.0.1", port, database, PostgresServer.passwordUser, PostgresServer.passwordUserPassword]
        try (line.joined(separator: ":") + "\n").write(to: passfile, atomically: false, encoding: .utf8)
        chmod(passfile.path, 0o600)
        var carol = try machine("carol")
        carol["OTP_VAULT"] = "postgresql://"
        for (key, value) in [
            "PGHOST": "127.0.0.1", "PGPORT": "\(tls.tlsPort ?? 0)", "PGDATABASE": database,
            "PGUSER": PostgresServer.passwordUser, "PGSSLMODE": "require", "PGPASSFILE": passfile.path,
        ] {
            carol[key] = value
        }
        let created = try CLI.run(["team", "create", "--member", "carol"], environment: carol)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try CLI.run(["import", "-"], stdin: Self.uris, environment: carol).status == 0)
        let list = try CLI.run(["list", "--json"], environment: carol)
        #expect((list.json as? [[String: Any]])?.count == 2, "\(list.stderr)")
        // Without the password file the server refuses, and the message says so without any password.
        carol["PGPASSFILE"] = directory.appendingPathComponent("none").path
        let refused = try CLI.run(["list"], environment: carol)
        #expect(refused.status == 2 && refused.stderr.contains("password"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(PostgresServer.passwordUserPassword))
    }

    /// `team log --follow` prints lines as other clients commit them (LISTEN/NOTIFY), one JSON object a line.
    @Test func theLogIsFollowed() throws {
        let alice = try machine("alice")
        #expect(try CLI.run(["team", "create", "--member", "alice"], environment: alice).status == 0)
        let output = directory.appendingPathComponent("follow.out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let follower = Process()
        follower.executableURL = CLI.binary
        follower.arguments = ["team", "log", "--follow", "--json"]
        follower.environment = ProcessInfo.processInfo.environment.merging(alice) { $1 }
        follower.standardOutput = try FileHandle(forWritingTo: output)
        follower.standardError = FileHandle.nullDevice
        try follower.run()
        defer { follower.terminate() }
        func lines() -> [String] {
            ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        func waitFor(_ count: Int, seconds: Int = 5) -> Bool {
            for _ in 0..<(seconds * 20) where lines().count < count { usleep(50_000) }
            return lines().count >= count
        }
        #expect(waitFor(1), "the existing line (create)")
        #expect(try CLI.run(["import", "-"], stdin: Self.uris, environment: alice).status == 0)
        #expect(try CLI.run(["code", "shared"], environment: alice).status == 0)
        // Within 2 s: the follower polls only every 5 s, so these came by notification.
        #expect(waitFor(3, seconds: 2), "\(lines())")
        let actions = lines().compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.compactMap { $0["action"] as? String }
        #expect(actions == ["create", "import", "code"])
    }
}
