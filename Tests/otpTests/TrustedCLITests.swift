import Foundation
import Testing

/// Issue 13 items through the real binary: safe defaults, scripts' contract, finding the right account.
@Suite(.serialized) struct TrustedCLITests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault/vault.sqlite").path, "OTP_PASSPHRASE": "cli tests",
        ]
    }

    func otp(_ arguments: String..., stdin: String? = nil, env: [String: String] = [:]) throws -> CLI.Output {
        try CLI.run(arguments, stdin: stdin, environment: environment.merging(env) { $1 })
    }

    static let secretA = "JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP"
    static let secretB = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    @Test func removeAsksOrNeedsYes() throws {
        _ = try otp("import", "--create", "-", stdin: "otpauth://totp/R:gone?secret=\(Self.secretA)&issuer=R\n")
        let refused = try otp("remove", "gone")
        #expect(refused.status == 64 && refused.stderr.contains("--yes"))
        #expect((try otp("list", "--json").json as? [Any])?.count == 1)
        #expect(try otp("remove", "gone", "--yes").status == 0)
        #expect((try otp("list", "--json").json as? [Any])?.count == 0)
    }

    @Test func codeWithoutQueryLeavesHOTPCountersAlone() throws {
        _ = try otp(
            "import", "--create", "-",
            stdin: "otpauth://hotp/H:counter?secret=\(Self.secretA)&issuer=H&counter=7\n"
                + "otpauth://totp/T:time?secret=\(Self.secretB)&issuer=T\n")
        let all = try otp("code")
        #expect(all.status == 0 && all.stdout.contains("T: time") && !all.stdout.contains("H: counter"))
        #expect(all.stderr.contains("HOTP"))
        let listed = try #require(try otp("list", "--json").json as? [[String: Any]])
        #expect(listed.first { $0["issuer"] as? String == "H" }?["counter"] as? Int == 7)
        // Named, it is taken (and advances).
        #expect(try otp("code", "counter", "--json").status == 0)
        let after = try #require(try otp("list", "--json").json as? [[String: Any]])
        #expect(after.first { $0["issuer"] as? String == "H" }?["counter"] as? Int == 8)
    }

    @Test func aRecreatedDeviceIsCountedShownByIdAndReplaced() throws {
        _ = try otp("import", "--create", "-", stdin: "otpauth://totp/AWS:root?secret=\(Self.secretA)&issuer=AWS\n")
        // The device re-created: a new secret under the same label.
        let second = try otp(
            "import", "--create", "-", stdin: "otpauth://totp/AWS:root?secret=\(Self.secretB)&issuer=AWS\n")
        #expect(second.stdout.contains("1 imported, 0 duplicate, 1 conflict"))
        let codes = try otp("code", "root")
        let lines = codes.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.first?.isHexDigit == true }, "ids shown: \(lines)")
        // --replace with the new secret again: the stale entry goes.
        let replaced = try otp(
            "import", "--create", "--replace", "-", stdin: "otpauth://totp/AWS:root?secret=\(Self.secretB)&issuer=AWS\n"
        )
        #expect(replaced.status == 0 && replaced.stdout.contains("replaced"))
        #expect((try otp("list", "--json").json as? [Any])?.count == 1)
    }

    @Test func anExactNameWinsOverSubstrings() throws {
        _ = try otp(
            "import", "--create", "-",
            stdin: "otpauth://totp/X:bob?secret=\(Self.secretA)&issuer=X\n"
                + "otpauth://totp/X:bob2?secret=\(Self.secretB)&issuer=X\n")
        let code = try otp("code", "bob", "--json")
        #expect((code.json as? [[String: Any]])?.map { $0["account"] as? String } == ["bob"])
        let ambiguous = try otp("edit", "bo", "--note", "x")
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("matches 2 accounts"))
    }

    @Test func usageHelpersAndContract() throws {
        #expect(try otp("--version").stdout.hasPrefix("otp "))
        let png = CLI.png("console-1080p.png")
        let mistaken = try otp("code", png)
        #expect(mistaken.status == 64 && mistaken.stderr.contains("did you mean --from"))
        #expect(try otp("list", "--vault", "").status == 64)
        _ = try otp("import", "--create", "-", stdin: "otpauth://totp/L:one?secret=\(Self.secretA)&issuer=L\n")
        #expect(try otp("list", "nothing-like-this").status == 1)
        let fromStdin = try CLI.run(["scan", "-"], stdin: String(decoding: Data(), as: UTF8.self))
        #expect(fromStdin.status == 1)
        let check = try otp("check", "otpauth://totp/A:b?secret=\(Self.secretA)&issuer=A")
        #expect(check.stdout.hasSuffix("1 account: 1 valid, 0 valid with warnings, 0 invalid\n"))
        let passwd = try otp("passwd")
        #expect(passwd.status == 2 && passwd.stderr.contains("OTP_NEW_PASSPHRASE"))
    }

    @Test func theDefaultVaultFollowsHome() throws {
        let home = directory.appendingPathComponent("home").path
        var env = ProcessInfo.processInfo.environment
        env["OTP_VAULT"] = ""
        env["XDG_DATA_HOME"] = ""
        env["HOME"] = home
        env["OTP_PASSPHRASE"] = "home"
        let output = try CLI.run(
            ["import", "--create", "otpauth://totp/H:h?secret=\(Self.secretA)&issuer=H"], environment: env)
        #expect(output.status == 0)
        #expect(FileManager.default.fileExists(atPath: home + "/.local/share/otp/vault.sqlite"))
    }
}

/// A vault is created only when asked for, and never left empty by a failed run.
@Suite(.serialized) struct VaultCreationTests {
    @Test func importCreatesOnlyWithCreateAndKeepsNothingEmpty() throws {
        let directory = try CLI.temporaryDirectory()
        let path = directory.appendingPathComponent("typo/vault.sqlite").path
        let env = ["OTP_VAULT": path, "OTP_PASSPHRASE": "creation"]
        let uri = "otpauth://totp/C:c?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=C"
        // A mistyped vault path: refused, nothing created.
        let refused = try CLI.run(["import", uri], environment: env)
        #expect(refused.status == 2 && refused.stderr.contains("no vault"))
        #expect(!FileManager.default.fileExists(atPath: path))
        // --create with only failing inputs: the new vault is not kept.
        let failed = try CLI.run(["import", "--create", "/nonexistent/shot.png"], environment: env)
        #expect(failed.status == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        // --create with an account: created and kept.
        #expect(try CLI.run(["import", "--create", uri], environment: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

/// The `--json` table of CONTRACT.md, checked by running every command to success and to failure: exactly one
/// document on stdout, of the documented kind and keys.
@Suite(.serialized) struct JSONContractTests {
    enum Kind { case list, object }

    struct Shape {
        let arguments: [String]
        let kind: Kind
        /// Keys every element (list) or the object must have.
        let keys: Set<String>
        let status: Int32
        var stdin: String?
    }

    static let uri = "otpauth://totp/J:json?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=J"
    static let entry: Set<String> = ["id", "type", "issuer", "account", "algorithm", "digits"]

    static let shapes: [Shape] = [
        Shape(arguments: ["init", "--json"], kind: .object, keys: ["vault"], status: 0),
        Shape(
            arguments: ["scan", "--json", CLI.png("console-1080p.png")], kind: .list,
            keys: ["file", "payloads", "error"], status: 0),
        Shape(
            arguments: ["check", "--json", uri], kind: .list, keys: ["source", "valid", "account", "diagnostics"],
            status: 0),
        Shape(
            arguments: ["import", "--json", uri], kind: .object,
            keys: ["imported", "duplicates", "conflicts", "failed", "warnings"], status: 0),
        Shape(
            arguments: ["add", "--json", "--account", "added"], kind: .object, keys: entry, status: 0,
            stdin: "JBSWY3DPEHPK3PXPJBSWY3DP\n"),
        Shape(arguments: ["list", "--json"], kind: .list, keys: entry, status: 0),
        Shape(
            arguments: ["code", "--json", "json"], kind: .list, keys: ["id", "issuer", "account", "codes"], status: 0),
        Shape(
            arguments: ["code", "--json", "--from", uri], kind: .list, keys: ["issuer", "account", "codes"], status: 0),
        Shape(arguments: ["edit", "--json", "json", "--note", "n"], kind: .list, keys: entry, status: 0),
        Shape(arguments: ["rename", "--json", "json", "--account", "json2"], kind: .list, keys: entry, status: 0),
        Shape(arguments: ["remove", "--json", "--yes", "json2"], kind: .list, keys: entry, status: 0),
        // Failures: the whole command fails, the document is an error.
        Shape(arguments: ["code", "--json", "nothing-matches-this"], kind: .object, keys: ["error"], status: 1),
        Shape(
            arguments: ["list", "--json", "--vault", "/nonexistent/vault.sqlite"], kind: .object, keys: ["error"],
            status: 2),
        Shape(arguments: ["import", "--json", "--no-such-option"], kind: .object, keys: ["error"], status: 64),
        Shape(arguments: ["init", "--json"], kind: .object, keys: ["error"], status: 2),
        // Failures of some inputs: the usual document, exit 1.
        Shape(
            arguments: ["scan", "--json", "/nonexistent.png"], kind: .list, keys: ["file", "payloads", "error"],
            status: 1),
        Shape(
            arguments: ["check", "--json", "/nonexistent.txt"], kind: .list, keys: ["source", "valid", "diagnostics"],
            status: 1),
        Shape(
            arguments: ["code", "--json", "--from", "/nonexistent.png"], kind: .list, keys: ["source", "error"],
            status: 1),
    ]

    @Test func everyCommandPrintsOneDocumentOfItsShape() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "json"]
        for shape in Self.shapes {
            let output = try CLI.run(shape.arguments, stdin: shape.stdin, environment: env)
            let what = shape.arguments.joined(separator: " ")
            #expect(output.status == shape.status, "\(what): exit \(output.status), \(output.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8))
            switch shape.kind {
            case .list:
                let list = try #require(document as? [[String: Any]], "\(what): not a list")
                #expect(!list.isEmpty, "\(what): empty")
                for element in list { #expect(shape.keys.isSubset(of: element.keys), "\(what): \(element.keys)") }
            case .object:
                let object = try #require(document as? [String: Any], "\(what): not an object")
                #expect(shape.keys.isSubset(of: object.keys), "\(what): \(object.keys)")
                if shape.keys == ["error"] {
                    let error = try #require(object["error"] as? [String: Any])
                    #expect(error["code"] is String && error["message"] is String, "\(what)")
                }
            }
        }
    }
}

/// Shell completion: with the generated bash script loaded, an import path completes to files.
@Suite struct CompletionTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/bash")))
    func importPathsCompleteToFiles() throws {
        let directory = try CLI.temporaryDirectory()
        FileManager.default.createFile(atPath: directory.appendingPathComponent("shot-one.png").path, contents: Data())
        let script = """
            source <("$OTP" --generate-completion-script bash)
            cd "$DIR"
            for line in "otp import " "otp code --from " "otp scan "; do
              read -ra COMP_WORDS <<< "$line"; COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
              COMP_LINE="$line"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
              # As bash calls a completion function: command, the word being completed, the word before it.
              _otp otp "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
              echo "$line|${COMPREPLY[*]}"
            done
            """
        let output = try CLI.run(
            ["-c", script], environment: ["OTP": CLI.binary.path, "DIR": directory.path],
            executable: URL(fileURLWithPath: "/bin/bash"), wrapped: false)
        let lines = output.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(output.stdout) \(output.stderr)")
        for line in lines { #expect(line.contains("shot-one.png"), "\(line)") }
    }
}

/// A folder's documents and archives are skipped with a note; an empty folder is a warning; neither fails the run.
@Suite struct FolderNoteTests {
    @Test func documentsAndArchivesInAFolderAreSkipped() throws {
        let directory = try CLI.temporaryDirectory()
        let folder = directory.appendingPathComponent("exports")
        let empty = directory.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try Data("%PDF-1.4\n".utf8).write(to: folder.appendingPathComponent("manual.pdf"))
        try Data([0x50, 0x4B, 0x03, 0x04, 0, 0]).write(to: folder.appendingPathComponent("backup.zip"))
        try Data("otpauth://totp/F:f?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=F\n".utf8)
            .write(to: folder.appendingPathComponent("uris.txt"))
        let output = try CLI.run(["import", "--dry-run", folder.path, empty.path])
        #expect(output.status == 0)
        #expect(output.stderr.contains("skipped") && output.stderr.contains("manual.pdf"))
        #expect(output.stderr.contains("backup.zip") && output.stderr.contains("holds no file"))
        #expect(output.stderr.contains("name an export archive on the command line"))
        #expect(output.stdout.contains("1 would import"))
        // Named on the command line, a PDF is still an error.
        #expect(try CLI.run(["check", folder.appendingPathComponent("manual.pdf").path]).status == 1)
    }
}

/// ZIP exports named on the command line, through the real binary: Authenticator Plus (ZipCrypto) and Raivo OTP
/// (WinZip AES) into one vault, then codes from the archive itself; andOTP's headerless old backup, named and in a
/// folder.
@Suite struct ZipExportCommandTests {
    @Test func zipExportsImportAndGiveCodes() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "zips"]
        let password = directory.appendingPathComponent("pass")
        try Data("fixture password\n".utf8).write(to: password)
        let plus = CLI.fixtures.appendingPathComponent("exports/authenticator-plus.zip").path
        let raivo = CLI.fixtures.appendingPathComponent("exports/raivo.zip").path
        let imported = try CLI.run(
            ["import", "--create", "--source-passphrase-file", password.path, plus, raivo], environment: env)
        // Both hold GitHub and Bank: the second copies are repeats; AWS is new.
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect((try CLI.run(["list", "--json"], environment: env).json as? [Any])?.count == 3)
        let codes = try CLI.run(
            ["code", "--from", raivo, "--source-passphrase-file", password.path, "--at", "59", "--json"])
        let values = (codes.json as? [[String: Any]])?.compactMap { ($0["codes"] as? [[String: Any]])?.first?["code"] }
        #expect(values as? [String] == ["574992", "88751630", "529794"])  // oathtool's
        // andOTP's old backup has no header: tried when named, never in a folder walk (which must not ask for a
        // password for every random-looking file it meets).
        let old = CLI.fixtures.appendingPathComponent("exports/andotp-old.bin")
        let folder = directory.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: old, to: folder.appendingPathComponent("backup.bin"))
        let named = try CLI.run(["check", "--source-passphrase-file", password.path, old.path])
        #expect(named.status == 0 && named.stdout.contains("2 accounts: 2 valid"), "\(named.stdout)")
        let walked = try CLI.run(["check", "--source-passphrase-file", password.path, folder.path])
        #expect(walked.status == 1 && walked.stdout.contains("is read when named on the command line"))
        let wrong = directory.appendingPathComponent("wrong")
        try Data("not it\n".utf8).write(to: wrong)
        let refused = try CLI.run(["check", "--source-passphrase-file", wrong.path, plus])
        #expect(refused.status == 1 && refused.stdout.contains("wrong password for an Authenticator Plus export"))
    }
}

/// A Google transfer batch over two runs: the vault remembers the parts it holds.
@Suite struct BatchAcrossRunsTests {
    @Test func theRestOfABatchCompletesItInALaterRun() throws {
        let directory = try CLI.temporaryDirectory()
        let env = ["OTP_VAULT": directory.appendingPathComponent("v/vault.sqlite").path, "OTP_PASSPHRASE": "batches"]
        let first = CLI.fixtures.appendingPathComponent("batch/export-1-of-2.png").path
        let second = CLI.fixtures.appendingPathComponent("batch/sub/export-2-of-2.png").path
        // Alone, the second part is refused (the first is not in the vault yet).
        #expect(try CLI.run(["import", "--create", second], environment: env).status == 1)
        #expect(try CLI.run(["import", "--create", "--allow-incomplete", first], environment: env).status == 0)
        let rest = try CLI.run(["import", second], environment: env)
        #expect(rest.status == 0 && rest.stderr.contains("is complete"))
        #expect((try CLI.run(["list", "--json"], environment: env).json as? [Any])?.count == 3)
    }
}
