import Foundation
import OTPCore
import OTPCrypto
import TestSupport
import Testing

@_spi(Fuzzing) @testable import OTPImport

/// Regression tests for issue 9, classes 3, 4, 5 and 7 (reading inputs).
@Suite struct HostileImportTests {
    static let exports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/exports")

    @Test func anOverlongLineIsRejectedWithoutBecomingAString() {
        var bytes = Array("otpauth://totp/a:b?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=a\n".utf8)
        bytes +=
            Array("otpauth://totp/x?secret=".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 1_000_000) + [0x0A]
        bytes += Array("otpauth://totp/c:d?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=c".utf8)
        let lines = TextInput.uriLines(bytes)
        #expect(lines.map(\.line) == [1, 2, 3])
        #expect(lines[1].text == nil)
        guard case .success(let payloads) = InputReader.payloads(in: bytes, source: "big.txt", reader: nil) else {
            Issue.record("the file was refused whole")
            return
        }
        let items = payloads.flatMap(ProvisioningInputs.items(for:))
        #expect(items.map(\.check.isValid) == [true, false, true])
        #expect(items[1].check.diagnostics.map(\.code.rawValue) == ["uri-too-long"])
        #expect(items[1].source == "big.txt:2")
    }

    @Test func lineEndingsAreLinearAndNumbered() {
        let lines = TextInput.uriLines(Array("a\rb\r\nc\n\nd".utf8))
        #expect(lines.map(\.line) == [1, 2, 3, 5])
        #expect(lines.map(\.text) == ["a", "b", "c", "d"])
    }

    @Test func repeatsWithinADryRunAreFoundByFingerprint() {
        let seed = testSeed
        var generator = SplitMix64(seed: seed)
        var items: [CheckedItem] = []
        var distinct = Set<String>()
        for i in 0..<3000 {
            let n = Int.random(in: 0..<1000, using: &generator)
            distinct.insert("\(n)")
            let uri =
                "otpauth://totp/I\(n):u?secret=\(Base32.encode(Array("secret number \(n)     ".utf8)))&issuer=I\(n)"
            items.append(CheckedItem(source: "line \(i)", check: OTPAuthURI.parse(uri), batch: nil, input: i))
        }
        let report = Importer.dryRunWithoutVault(Importer.plan(items))
        #expect(report.imported.count == distinct.count, "seed \(seed)")
        #expect(report.duplicates.count == 3000 - distinct.count, "seed \(seed)")
    }

    @Test func aFIFOOrDeviceInputIsRefusedAndTheOthersStillRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let results = InputReader.read([fifo, "/dev/zero", "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"])
        #expect(results[0].result.failureValue?.code == "unreadable")
        #expect(results[0].result.failureValue?.message.contains("FIFO") == true)
        #expect(results[1].result.failureValue?.message.contains("device") == true)
        #expect((try? results[2].result.get())?.count == 1)
    }

    @Test func anAlmostURIIsNeverEchoed() {
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP"
        let arguments = [" otpauth://totp/A:b?secret=\(secret)", "https://example.com/?secret=\(secret)"]
        let items = ProvisioningInputs.read(arguments)
        #expect(items.count == 2)
        for item in items {
            #expect(!item.source.contains(secret))
            #expect(item.check.diagnostics.allSatisfy { !$0.message.contains(secret) })
            #expect(item.source.hasPrefix("argument"))
        }
    }

    static func aegis(slots: [[String: Any]]) throws -> String {
        let data = try Data(contentsOf: exports.appendingPathComponent("aegis-encrypted.json"))
        var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        var header = object["header"] as? [String: Any] ?? [:]
        header["slots"] = slots
        object["header"] = header
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    static func slot(n: Int, r: Int, p: Int) -> [String: Any] {
        [
            "type": 1, "key": String(repeating: "00", count: 32),
            "key_params": ["nonce": String(repeating: "00", count: 12), "tag": String(repeating: "00", count: 16)],
            "n": n, "r": r, "p": p, "salt": String(repeating: "11", count: 32),
        ]
    }

    @Test(arguments: [(1 << 15, 8, 1 << 23), (1 << 20, 1 << 20, 1 << 20), (1 << 30, 8, 1), (1 << 15, Int.max, Int.max)])
    func absurdKeyDerivationCostsAreRefusedBeforeRunning(n: Int, r: Int, p: Int) throws {
        let text = try Self.aegis(slots: [Self.slot(n: n, r: r, p: p)])
        let result = AppExports.accounts(in: text, source: "x.json", passphrase: { SecureBytes(Array("test".utf8)) })
        guard case .failure(let failure) = result else {
            Issue.record("opened")
            return
        }
        #expect(failure.message.contains("was not attempted"))
        #expect(failure.message.contains("asks for") || failure.message.contains("2^30"))
    }

    @Test func onlyAFewSlotsAreTried() throws {
        let text = try Self.aegis(slots: Array(repeating: Self.slot(n: 1 << 10, r: 8, p: 1), count: 300))
        let result = AppExports.accounts(in: text, source: "x.json", passphrase: { SecureBytes(Array("test".utf8)) })
        guard case .failure(let failure) = result else {
            Issue.record("opened")
            return
        }
        #expect(failure.message.contains("only the first \(AppExports.maximumSlotsTried) of its 300"))
    }
}

/// Findings of `Scripts/conformance-exports.py` on real app exports.
@Suite struct RealExportFindingTests {
    /// 2FAS schema 2 leaves out `tokenType` and the counter: an entry without a period was HOTP in the app. It was
    /// read as a 30-second TOTP account, with wrong codes; now it is refused.
    @Test func aTwoFASSchema2EntryWithoutPeriodIsNotGuessedAsTOTP() {
        let text = """
            {"schemaVersion": 2, "services": [
              {"name": "Deno", "secret": "4SJHB4GSD43FZBAI7C2HLRJGPQ",
               "otp": {"account": "Mason", "issuer": "Deno", "digits": 6, "period": 30, "algorithm": "SHA1"}},
              {"name": "Issuu", "secret": "YOOMIXWS5GN6RTBPUFFWKTW5M4",
               "otp": {"account": "James", "issuer": "Issuu", "digits": 6, "algorithm": "SHA1"}}
            ]}
            """
        guard case .success(let accounts) = AppExports.accounts(in: text, source: "x.2fas", passphrase: { nil }) else {
            Issue.record("refused whole")
            return
        }
        #expect(accounts.map(\.check.isValid) == [true, false])
        #expect(accounts[1].check.diagnostics.map(\.code.rawValue) == ["counter-missing"])
        // Schema 1 holds TOTP accounts only: no period means the default.
        let schema1 = text.replacingOccurrences(of: "\"schemaVersion\": 2", with: "\"schemaVersion\": 1")
        guard case .success(let old) = AppExports.accounts(in: schema1, source: "x.json", passphrase: { nil }) else {
            return
        }
        #expect(old.map(\.check.isValid) == [true, true])
    }
}

/// Issue 16 (part): formats read with typed models, each from a small file made by the project from the format's
/// published or observed shape (the real exports are checked by `Scripts/conformance-exports.py`).
@Suite struct TypedFormatTests {
    func accounts(_ json: String) -> [URICheck] {
        guard case .success(let found) = AppExports.accounts(in: json, source: "x", passphrase: { nil }) else {
            return []
        }
        return found.map(\.check)
    }

    @Test func freeOTPPlusSecretsAreSignedBytesAndCountersTheLastUsed() throws {
        let checks = accounts(
            """
            {"tokenOrder":["I:n"],"tokens":[{"algo":"SHA256","counter":4,"digits":7,"issuerExt":"I","label":"n",
            "period":30,"secret":[-61,-100,-60,94,-46,-23,-101,-24,-52,47,-95,75,101,78,-35,103],"type":"HOTP"}]}
            """)
        let account = try #require(checks.first?.account)
        #expect(account.kind == .hotp && account.counter == 5 && account.digits == 7 && account.algorithm == .sha256)
        #expect(account.secret.withUnsafeBytes { Array($0) }.first == 0xC3)
    }

    @Test func authenticatorProTypesAndAlgorithms() throws {
        let checks = accounts(
            """
            {"Authenticators":[
             {"Type":2,"Issuer":"T","Username":"t","Secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","Algorithm":2,"Digits":8,
              "Period":50,"Counter":0},
             {"Type":1,"Issuer":"H","Username":"h","Secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","Algorithm":1,"Digits":6,
              "Period":30,"Counter":9},
             {"Type":4,"Issuer":"S","Username":"s","Secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","Algorithm":0,"Digits":5,
              "Period":30,"Counter":0}],
             "Categories":[]}
            """)
        #expect(checks.count == 3)
        #expect(checks[0].account?.algorithm == .sha512 && checks[0].account?.period == 50)
        #expect(checks[1].account?.kind == .hotp && checks[1].account?.counter == 9)
        #expect(checks[2].account?.encoder == .steam)
    }

    @Test func duoAccountsWithACounterAreHOTP() throws {
        let checks = accounts(
            """
            [{"version":1.0,"accountType":"OtpAccount","name":"Mason",
              "otpGenerator":{"otpSecret":"4SJHB4GSD43FZBAI7C2HLRJGPQ"},"pkey":"a"},
             {"version":1.0,"accountType":"OtpAccount","name":"James",
              "otpGenerator":{"otpSecret":"YOOMIXWS5GN6RTBPUFFWKTW5M4","counter":3},"pkey":"b"}]
            """)
        #expect(checks.map { $0.account?.kind } == [.totp, .hotp])
        #expect(checks[1].account?.counter == 3 && checks[1].account?.name == "James")
        #expect(checks[0].account?.period == 30 && checks[0].account?.issuer == nil)
        // Another array of objects (not Duo's) is not taken for Duo.
        #expect(accounts(#"[{"accountType":"Other","otpGenerator":{"otpSecret":"AAAA"}}]"#).isEmpty)
    }

    @Test func protonSteamAndLastPass() throws {
        let proton = accounts(
            """
            {"version":1,"entries":[{"id":"1","content":{
             "uri":"otpauth://totp/P:p?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=P","entry_type":"Totp","name":"p"},
             "note":null}]}
            """)
        #expect(proton.first?.account?.issuer == "P")
        let steam = accounts(#"{"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","account_name":"Sophia","steamid":"1"}"#)
        #expect(steam.first?.account?.encoder == .steam && steam.first?.account?.issuer == "Steam")
        let several = accounts(#"{"accounts":{"a":{"shared_secret":"THIl8+Jl6ugxr8x0X6eRMg==","account_name":"A"}}}"#)
        #expect(several.first?.account?.name == "A")
        let lastPass = accounts(
            """
            {"version":3,"accounts":[{"issuerName":"L","userName":"u","secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ",
             "timeStep":30,"digits":6,"algorithm":"SHA1"}]}
            """)
        #expect(lastPass.first?.account?.issuer == "L" && lastPass.first?.account?.name == "u")
    }
}

/// Bitwarden's CSV export, quoted fields included.
@Suite struct BitwardenCSVTests {
    @Test func rowsWithQuotedCommasAndNewlinesAreRead() throws {
        let csv = """
            folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp\r
            ,,login,"Acme, Inc.","a note
            over two lines",,,alice,,JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP\r
            ,,login,Steam,,,,,,steam://JRZCL47CMXVOQMNPZR2F7J4RGI\r
            ,,login,Uri,,,,,,otpauth://totp/U:u?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=U\r
            ,,login,No code,,,,bob,,\r

            """
        let read = try #require(AppExports.csv(csv, source: "b.csv"))
        #expect(read.skipped == 1)
        let found = read.accounts
        #expect(found.count == 3)
        #expect(found[0].check.account?.issuer == "Acme, Inc." && found[0].check.account?.name == "alice")
        #expect(found[1].check.account?.encoder == .steam)
        #expect(found[2].check.account?.issuer == "U")
        #expect(AppExports.csvRows("a,\"b \"\"q\"\"\",c\n").first == ["a", "b \"q\"", "c"])
    }

    /// Issue 30: what is a CSV export and what is not. A list of URIs (commas inside), a note, JSON and a header
    /// whose column holds no code are not; an unknown header whose rows hold URIs is.
    @Test func csvShapesAreRecognisedByTheirHeaderOnly() throws {
        #expect(AppExports.csv("otpauth://totp/A,B?secret=JBSWY3DPEHPK3PXP\n", source: "u") == nil)
        #expect(AppExports.csv("hello, world\nsecond, line\n", source: "n") == nil)
        #expect(
            AppExports.csv("# comment, with a comma\notpauth://totp/A?secret=JBSWY3DPEHPK3PXP\n", source: "c") == nil)
        let unknown = try #require(
            AppExports.csv("Site,Login,Code\nx,me,otpauth://totp/X:me?secret=JBSWY3DPEHPK3PXP&issuer=X\n", source: "k"))
        #expect(unknown.accounts.count == 1 && unknown.accounts[0].check.account?.issuer == "X")
        // A secret column without any name column is not an account list.
        #expect(AppExports.csv("secret,notes\nJBSWY3DPEHPK3PXP,x\n", source: "s") == nil)
        // CR-only line ends, a BOM, and a bad row among good ones: the bad row is an invalid account, not a crash.
        let mixed = try #require(
            AppExports.csv("\u{FEFF}name,secret,issuer\ra,JBSWY3DPEHPK3PXP,I\rb,not base32!,I\r", source: "m"))
        #expect(mixed.accounts.count == 2)
        #expect(mixed.accounts[0].check.isValid && !mixed.accounts[1].check.isValid)
        #expect(mixed.accounts[1].source == "m (CSV entry 2 of 2)")
    }

    /// A CSV of more rows than a real export holds is refused by name, not held in memory row by row.
    @Test func aCSVWithTooManyRowsIsRefused() throws {
        var text = "Title,Username,TOTP\n"
        text.reserveCapacity(4_000_000)
        for i in 0...AppExports.maximumCSVRows { text += "t\(i),u,\n" }
        let read = try #require(AppExports.csv(text, source: "big.csv"))
        #expect(read.accounts.count == 1 && read.accounts[0].check.diagnostics.first?.code == .tooLarge)
        // A row of a million commas: refused at the field cap, not held as a million strings.
        let wide = try #require(
            AppExports.csv("Title,Username,TOTP\n" + String(repeating: "x,", count: 1_000_000), source: "w"))
        #expect(
            wide.accounts.count == 1 && wide.accounts[0].check.diagnostics.first?.message.contains("fields") == true)
    }

    /// Seeded random CSV documents (quotes, commas, CR, LF, BOMs, URIs in random columns) never crash the reader
    /// and give at most one account per row.
    @Test func randomCSVNeverCrashes() {
        var generator = SplitMix64(seed: testSeed)
        let pieces = [
            "\"", ",", "\r", "\n", "\r\n", "\u{FEFF}", "totp", "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", "secret",
            "name", "JBSWY3DPEHPK3PXP", "steam://JBSWY3DP", "x", "\"\"", " ",
        ]
        for _ in 0..<2_000 {
            var text = "Title,Username,TOTP\n"
            for _ in 0..<Int(generator.next() % 40) { text += pieces[Int(generator.next() % UInt64(pieces.count))] }
            let rows = AppExports.csvRows(text).count
            if let read = AppExports.csv(text, source: "r") { #expect(read.accounts.count + read.skipped <= rows) }
        }
    }
}

/// Encrypted 2FAS backups (PBKDF2-HMAC-SHA256 10 000 × + AES-256-GCM), made here with the same primitives; the real
/// exports are decrypted by `Scripts/conformance-exports.py`.
@Suite struct TwoFASEncryptedTests {
    static func backup(password: String, services: String) throws -> String {
        let salt = try SecureRandom.bytes(256)
        let key = try KeyDerivation.pbkdf2SHA256(
            passphrase: SecureBytes(Array(password.utf8)), salt: salt, iterations: 10_000)
        let sealed = try AESGCM.seal(SecureBytes(Array(services.utf8)), key: key, authenticating: [])
        let body = Data(sealed.dropFirst(12)).base64EncodedString()
        let field = "\(body):\(Data(salt).base64EncodedString()):\(Data(sealed.prefix(12)).base64EncodedString())"
        return #"{"schemaVersion":4,"services":[],"servicesEncrypted":"\#(field)"}"#
    }

    static let services =
        #"[{"name":"Deno","secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","otp":{"account":"Mason","issuer":"Deno","#
        + #""digits":6,"period":30,"algorithm":"SHA1","tokenType":"TOTP"}}]"#

    @Test func theRightPasswordOpensIt() throws {
        let text = try Self.backup(password: "pw", services: Self.services)
        guard
            case .success(let found) = AppExports.accounts(
                in: text, source: "b.2fas", passphrase: { SecureBytes(Array("pw".utf8)) })
        else {
            Issue.record("refused")
            return
        }
        #expect(found.map { $0.check.account?.name } == ["Mason"])
    }

    @Test func aWrongPasswordATruncatedFileAndNoPasswordAreClearErrors() throws {
        let text = try Self.backup(password: "pw", services: Self.services)
        let wrong = AppExports.accounts(in: text, source: "b", passphrase: { SecureBytes(Array("nope".utf8)) })
        guard case .failure(let failure) = wrong else {
            Issue.record("opened with a wrong password")
            return
        }
        #expect(failure.message.contains("wrong password"))
        let cut = #"{"schemaVersion":4,"services":[],"servicesEncrypted":"QUJD:QUJD"}"#
        guard case .failure(let damaged) = AppExports.accounts(in: cut, source: "b", passphrase: { SecureBytes([1]) })
        else {
            Issue.record("opened a damaged file")
            return
        }
        #expect(damaged.message.contains("damaged"))
        guard case .failure(let none) = AppExports.accounts(in: text, source: "b", passphrase: { nil }) else { return }
        #expect(none.message.contains("--source-passphrase-file"))
        // The key-derivation cost is fixed by the format; PBKDF2 refuses absurd counts before running.
        #expect(throws: CryptoError.self) {
            try KeyDerivation.pbkdf2SHA256(passphrase: SecureBytes([1]), salt: [], iterations: Int(Int32.max))
        }
    }
}

/// andOTP encrypted backups (PBKDF2-HMAC-SHA1 + AES-256-GCM), made here with the same primitives; the real export
/// is decrypted by `Scripts/conformance-exports.py`.
@Suite struct AndOTPEncryptedTests {
    static func backup(password: String, iterations: Int = 2_000) throws -> [UInt8] {
        let salt = try SecureRandom.bytes(12)
        let key = try KeyDerivation.pbkdf2(
            passphrase: SecureBytes(Array(password.utf8)), salt: salt, iterations: iterations, algorithm: .sha1)
        let json =
            #"[{"secret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","issuer":"Deno","label":"Mason","digits":6,"type":"TOTP","#
            + #""algorithm":"SHA1","period":30}]"#
        let sealed = try AESGCM.seal(SecureBytes(Array(json.utf8)), key: key, authenticating: [])
        return withUnsafeBytes(of: UInt32(iterations).bigEndian) { Array($0) } + salt + sealed
    }

    @Test func theRightPasswordOpensItAndAWrongOneSaysSo() throws {
        let bytes = try Self.backup(password: "pw")
        #expect(AppExports.looksLikeAndOTPEncrypted(bytes))
        guard
            case .success(let payloads) = InputReader.payloads(
                in: bytes, source: "a.bin", reader: nil, passphrase: { SecureBytes(Array("pw".utf8)) })
        else {
            Issue.record("refused")
            return
        }
        #expect(payloads.first?.check?.account?.name == "Mason")
        let wrong = InputReader.payloads(in: bytes, source: "a.bin", reader: nil, passphrase: { SecureBytes([1]) })
        #expect(wrong.failureValue?.message.contains("wrong password") == true)
        // A truncated file or an absurd iteration count is not taken for a backup.
        #expect(!AppExports.looksLikeAndOTPEncrypted(Array(bytes.prefix(30))))
        #expect(!AppExports.looksLikeAndOTPEncrypted([0xFF, 0xFF, 0xFF, 0xFF] + Array(bytes.dropFirst(4))))
    }
}

/// Android app storage (`shared_prefs` XML): FreeOTP, Authy, TOTP Authenticator; made here from the published field
/// names (the real files are checked by `Scripts/conformance-exports.py`).
@Suite struct AndroidPreferencesTests {
    func read(_ xml: String) -> Result<[URICheck], AppExports.Failure> {
        #expect(AppExports.looksLikeAndroidPreferences(xml))
        return AppExports.androidPreferences(xml, source: "prefs.xml").map { $0.map(\.check) }
    }

    static func escaped(_ json: String) -> String {
        json.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
    }

    /// Every cut of a preferences file is refused or read, never a trap: FuzzTextInputs found that a file ending
    /// right after `name=` and spaces indexed past its end (regression file `prefs-ends-after-equals.xml`).
    @Test func everyCutOfAPreferencesFileIsReadWithoutATrap() {
        let xml = Array(
            (#"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>"# + "\n<map>\n"
                + #"    <string name = "a" >x &amp; &#x41;</string>"# + "\n"
                + #"    <int name='n' value='3' />"# + "\n" + #"    <set name="s"><string>b</string></set>"# + "\n"
                + "</map>\n").utf8)
        for length in 0...xml.count {
            let cut = String(decoding: xml.prefix(length), as: UTF8.self)
            let strings = AppExports.androidPreferenceStrings(cut)
            #expect((strings != nil) == (length >= xml.count - 1), "cut at \(length)")
        }
        #expect(AppExports.androidPreferenceStrings("<map><string name= ") == nil)
        #expect(AppExports.androidPreferenceStrings(#"<map><string name= "a">x</string></map>"#)?.first?.value == "x")
    }

    @Test func freeOTPTokensFollowTokenOrder() throws {
        let a =
            #"{"algo":"SHA256","counter":4,"digits":7,"issuerExt":"A & B","label":"n","period":30,"#
            + #""secret":[-61,-100,-60,94,-46,-23,-101,-24,-52,47],"type":"HOTP"}"#
        let b =
            #"{"algo":"SHA1","counter":0,"digits":6,"issuerExt":"C","label":"m","period":20,"#
            + #""secret":[1,2,3,4,5,6,7,8,9,10],"type":"TOTP"}"#
        let xml = """
            <?xml version='1.0' encoding='utf-8' standalone='yes' ?>
            <map>
                <string name="A:n">\(Self.escaped(a))</string>
                <string name="tokenOrder">\(Self.escaped(#"["C:m","A:n"]"#))</string>
                <string name="C:m">\(Self.escaped(b))</string>
            </map>
            """
        let checks = try read(xml).get()
        #expect(checks.map { $0.account?.issuer } == ["C", "A & B"])
        let hotp = try #require(checks[1].account)
        #expect(hotp.kind == .hotp && hotp.counter == 5 && hotp.digits == 7 && hotp.algorithm == .sha256)
        #expect(checks[0].account?.period == 20)
    }

    @Test func authyPlainAndEncryptedStorage() throws {
        let plain =
            #"[{"accountType":"authenticator","decryptedSecret":"4SJHB4GSD43FZBAI7C2HLRJGPQ","digits":7,"#
            + #""originalIssuer":"Deno","originalName":"Deno:Mason","name":"Deno: Mason"}]"#
        let checks = try read(
            #"<map><int name="key_version" value="1" /><string name="com.authy.storage.tokens.authenticator.key">"#
                + Self.escaped(plain) + "</string></map>"
        ).get()
        let account = try #require(checks.first?.account)
        #expect(account.issuer == "Deno" && account.name == "Mason" && account.digits == 7 && account.period == 30)
        // Encrypted with a backup password: made with Python `cryptography` (PBKDF2-HMAC-SHA1 1 000 of
        // "fixture password" and the salt text, AES-256-CBC, zero IV) over the Base32 secret KRSXG5CTMVRXEZLUKN2XAZLS.
        let encrypted =
            #"[{"encryptedSecret":"7s1Ns3gj4x0SHQ3b3ogfWtDdt17++wxbxLspYCMC3p4=","salt":"fixture-salt","#
            + #""digits":6,"originalIssuer":"E","originalName":"E:e"}]"#
        let xml =
            #"<map><string name="com.authy.storage.tokens.authenticator.key">"# + Self.escaped(encrypted)
            + "</string></map>"
        func open(_ password: String?) -> Result<[URICheck], AppExports.Failure> {
            AppExports.androidPreferences(
                xml, source: "authy.xml", passphrase: { password.map { SecureBytes(Array($0.utf8)) } }
            ).map { $0.map(\.check) }
        }
        let opened = try #require(try open("fixture password").get().first?.account)
        #expect(opened.issuer == "E" && opened.name == "e")
        #expect(opened.secret.withUnsafeBytes { Array($0) } == Array("TestSecretSuper".utf8))
        guard case .failure(let wrong) = open("wrong"), case .failure(let none) = open(nil) else {
            Issue.record("encrypted Authy storage was read without its password")
            return
        }
        #expect(wrong.message.contains("wrong backup password") && none.message.contains("--source-passphrase-file"))
    }

    @Test func totpAuthenticatorKeysAreHex() throws {
        let list =
            #"[{"issuer":"SPDX","name":"james","key":"EB99CB39C67AE042FA866EC4F239CBB5","base":16,"#
            + #""digits":"7","period":"20"},{"issuer":"X","name":"x","key":"NOTHEX","base":16,"digits":"6","#
            + #""period":"30"}]"#
        let checks = try read(#"<map><string name="STATIC_TOTP_CODES_LIST">"# + Self.escaped(list) + "</string></map>")
            .get()
        let account = try #require(checks.first?.account)
        #expect(account.digits == 7 && account.period == 20 && account.algorithm == .sha1)
        #expect(account.secret.withUnsafeBytes { Array($0) }.prefix(2) == [0xEB, 0x99])
        #expect(checks[1].account == nil)  // a key that is not hex is an invalid entry, not a crash
    }

    @Test func theReaderTakesAndroidsWholeFormatAndNothingElse() throws {
        let xml =
            "\u{FEFF}<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"
            + #"  <int name="a" value="3" />\#n  <boolean name='b' value='true'/>\#n"#
            + #"  <set name="s"><string>x</string><string>y</string></set>\#n"#
            + #"  <string name="t&amp;u">&#65;&#x42;&lt;&gt;&apos;&quot; é</string>\#n  <string name="e" />\#n</map>"#
        let strings = try #require(AppExports.androidPreferenceStrings(xml))
        #expect(strings.map(\.name) == ["t&u", "e"])
        #expect(strings.first?.value == "AB<>'\" é")
        #expect(AppExports.androidPreferenceStrings("<map/>")?.isEmpty == true)
        for bad in [
            "<map><string name=\"x\">a &bogus; b</string></map>", "<map><string name=\"x\">a</strin></map>",
            "<map><other name=\"x\">a</other></map>", "<map><string name=x>a</string></map>", "<map>",
            "<map><string name=\"x\">&#xD800;</string></map>", "<?xml version='1.0'",
        ] {
            #expect(AppExports.androidPreferenceStrings(bad) == nil, "\(bad)")
        }
    }

    @Test func unknownDamagedAndHostileXMLAreRefused() {
        if case .success = read(#"<map><string name="x">1</string></map>"#) { Issue.record("unknown prefs read") }
        if case .success = read("<map><string name=\"x\">unclosed</map>") { Issue.record("damaged XML read") }
        // An external entity is never fetched: the file stays unreadable rather than reading /etc/passwd.
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE map [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <map><string name="STATIC_TOTP_CODES_LIST">&x;</string></map>
            """
        guard case .failure = read(xxe) else {
            Issue.record("an external entity was resolved")
            return
        }
    }
}

/// Authenticator Pro encrypted backups (Argon2id + AES-GCM, and the legacy PBKDF2-SHA1 + AES-CBC), fixtures made by
/// `Scripts/make-import-fixtures.py` with Python `cryptography`; the real exports are checked by
/// `Scripts/conformance-exports.py`.
@Suite struct StratumEncryptedTests {
    static func file(_ name: String) throws -> [UInt8] {
        try Array(Data(contentsOf: HostileImportTests.exports.appendingPathComponent(name)))
    }
    static func password() -> SecureBytes? { SecureBytes(Array("fixture password".utf8)) }

    @Test(arguments: ["stratum-encrypted.bin", "stratum-legacy.bin"])
    func bothFormatsOpenWithThePassword(name: String) throws {
        let bytes = try Self.file(name)
        #expect(AppExports.looksLikeStratumEncrypted(bytes))
        let accounts = try AppExports.stratumEncrypted(bytes, source: name, passphrase: Self.password).get()
        #expect(accounts.map { $0.check.account?.issuer } == ["GitHub", "Bank"])
        #expect(accounts[1].check.account?.kind == .hotp && accounts[1].check.account?.counter == 7)
        #expect(accounts[0].source == "\(name) (Authenticator Pro entry 1 of 2)")
    }

    @Test(arguments: ["stratum-encrypted.bin", "stratum-legacy.bin"])
    func wrongPasswordTruncationAndNoPasswordAreRefusedByName(name: String) throws {
        let bytes = try Self.file(name)
        func failure(_ data: [UInt8], _ password: String?) -> AppExports.Failure? {
            let result = AppExports.stratumEncrypted(
                data, source: name, passphrase: { password.map { SecureBytes(Array($0.utf8)) } })
            if case .failure(let failure) = result { return failure }
            return nil
        }
        #expect(failure(bytes, "wrong")?.message.contains("wrong password") == true)
        #expect(failure(bytes, nil)?.message.contains("--source-passphrase-file") == true)
        #expect(failure(Array(bytes.prefix(40)), "fixture password")?.message.contains("truncated") == true)
        // A cut in the ciphertext: GCM's tag fails, CBC's padding or JSON fails; never a crash or a misread.
        #expect(failure(Array(bytes.dropLast(5)), "fixture password")?.code == "unreadable")
    }

    @Test func argon2idMatchesAnIndependentImplementation() throws {
        // Python cryptography 48's Argon2id: password "password", salt "somesalt", 2 passes, 1 MiB, 4 lanes.
        let key = try KeyDerivation.argon2id(
            passphrase: SecureBytes(Array("password".utf8)), salt: Array("somesalt".utf8), iterations: 2,
            memoryKiB: 1024, lanes: 4)
        #expect(
            TestSupport.hex(key.withUnsafeBytes { Array($0) })
                == "f35d89e88afd697e0f56dc0c42c5b00247253f5ecb1d858f767e7ed665f37c44")
        // Costs over the limits are refused before anything is allocated.
        #expect(throws: CryptoError.self) {
            try KeyDerivation.argon2id(
                passphrase: SecureBytes([1]), salt: Array("somesalt".utf8), iterations: 3, memoryKiB: 4 << 20, lanes: 4)
        }
        #expect(throws: CryptoError.self) {
            try KeyDerivation.argon2id(
                passphrase: SecureBytes([1]), salt: Array("somesalt".utf8), iterations: 1 << 20, memoryKiB: 64,
                lanes: 1)
        }
        // Issue 24, class 13: each cost within its limit, but 16 passes over 192 MiB together (3–4 s from a 1 KB
        // file) is over the work budget; refused at once.
        #expect(throws: CryptoError.self) {
            try KeyDerivation.argon2id(
                passphrase: SecureBytes([1]), salt: Array("somesalt".utf8), iterations: 16, memoryKiB: 192 * 1024,
                lanes: 4)
        }
    }
}

/// Ente Auth's encrypted export, made by `Scripts/make-import-fixtures.py` with PyNaCl (libsodium) from Ente's
/// published description; no real export of this kind is in the corpus.
@Suite struct EnteEncryptedTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: HostileImportTests.exports.appendingPathComponent(name), encoding: .utf8)
    }

    func read(_ json: String, _ password: String?) -> Result<[(source: String, check: URICheck)], AppExports.Failure> {
        AppExports.accounts(in: json, source: "ente.json", passphrase: { password.map { SecureBytes(Array($0.utf8)) } })
    }

    @Test(arguments: ["ente-encrypted.json", "ente-encrypted-aead.json"])
    func streamAndAEADExportsOpen(name: String) throws {
        let accounts = try read(try Self.text(name), "fixture password").get()
        #expect(accounts.map { $0.check.account?.issuer } == ["GitHub", "Bank"])
        #expect(accounts[1].check.account?.counter == 7)
        #expect(accounts[0].source == "ente.json (Ente Auth entry 1 of 2)")
        guard case .failure(let wrong) = read(try Self.text(name), "wrong"),
            case .failure(let none) = read(try Self.text(name), nil)
        else {
            Issue.record("opened without the password")
            return
        }
        #expect(wrong.code == "unreadable" && none.message.contains("--source-passphrase-file"))
    }

    @Test func hostileCostsAndDamageAreRefusedBeforeDeriving() throws {
        let json = try Self.text("ente-encrypted.json")
        for (from, to) in [
            (#""memLimit": 16777216"#, #""memLimit": 1099511627776"#), (#""opsLimit": 2"#, #""opsLimit": 100000"#),
        ] {
            let hostile = json.replacingOccurrences(of: from, with: to)
            #expect(hostile != json)
            guard case .failure(let failure) = read(hostile, "fixture password") else {
                Issue.record("a hostile cost was accepted")
                continue
            }
            #expect(failure.message.contains("over the budget"))  // refused before any derivation
        }
        let damaged = json.replacingOccurrences(of: #""encryptedData": ""#, with: #""encryptedData": "!!"#)
        guard case .failure(let failure) = read(damaged, "fixture password") else {
            Issue.record("damaged Base64 was read")
            return
        }
        #expect(failure.message.contains("Base64"))
    }
}

/// TOTP Authenticator's encrypted backup (Base64 text), a fixture made by `Scripts/make-import-fixtures.py`; the real
/// backup is checked by `Scripts/conformance-exports.py`.
@Suite struct TOTPAuthenticatorBackupTests {
    @Test func theBackupOpensWithItsPasswordAndIsNotMistakenForAKey() throws {
        let text = try String(
            contentsOf: HostileImportTests.exports.appendingPathComponent("totp-authenticator.bin"), encoding: .utf8)
        #expect(AppExports.looksLikeTOTPAuthenticatorBackup(text))
        let accounts = try AppExports.totpAuthenticatorBackup(
            text, source: "t.bin", passphrase: { SecureBytes(Array("fixture password".utf8)) }
        ).get()
        #expect(accounts.map { $0.check.account?.issuer } == ["GitHub", "AWS"])
        #expect(accounts[1].check.account?.digits == 8 && accounts[1].check.account?.period == 60)
        guard
            case .failure(let wrong) = AppExports.totpAuthenticatorBackup(
                text, source: "t.bin", passphrase: { SecureBytes(Array("wrong".utf8)) })
        else {
            Issue.record("opened with a wrong password")
            return
        }
        #expect(wrong.code == "unreadable")
        // A Base32 key (upper case, digits 2–7) is never taken for a backup, even when it decodes to whole blocks.
        #expect(!AppExports.looksLikeTOTPAuthenticatorBackup(String(repeating: "JBSWY3DPEHPK3PXP", count: 4)))
        #expect(!AppExports.looksLikeTOTPAuthenticatorBackup("otpauth://totp/a?secret=JBSWY3DPEHPK3PXP"))
    }

    @Test func sha256MatchesTheStandardVector() throws {
        // FIPS 180-2 example: SHA-256("abc").
        let digest = try Digest.sha256(SecureBytes(Array("abc".utf8)))
        #expect(
            TestSupport.hex(digest.withUnsafeBytes { Array($0) })
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

/// FreeOTP 2's encrypted backup (a Java-serialised map), a fixture written by `Scripts/make-import-fixtures.py` from
/// the serialisation specification; the five real backups are checked by `Scripts/conformance-exports.py`.
@Suite struct FreeOTPBackupTests {
    static func bytes() throws -> [UInt8] {
        try Array(Data(contentsOf: HostileImportTests.exports.appendingPathComponent("freeotp-backup.xml")))
    }

    @Test func theBackupOpensBothNonceForms() throws {
        let bytes = try Self.bytes()
        #expect(AppExports.looksLikeFreeOTPBackup(bytes))
        let accounts = try AppExports.freeOTPBackup(
            bytes, source: "f.xml", passphrase: { SecureBytes(Array("fixture password".utf8)) }
        ).get()
        #expect(accounts.map { $0.check.account?.issuer } == ["GitHub", "Bank"])
        #expect(accounts[1].check.account?.kind == .hotp && accounts[1].check.account?.counter == 7)
        guard
            case .failure(let wrong) = AppExports.freeOTPBackup(
                bytes, source: "f.xml", passphrase: { SecureBytes(Array("wrong".utf8)) })
        else {
            Issue.record("opened with a wrong password")
            return
        }
        #expect(wrong.message.contains("wrong password"))
    }

    @Test func pbkdf2CostsAreBoundedForTheSlowestHash() {
        // 2 000 000 rounds of HMAC-SHA1 took 2.0 s, over a hostile file's budget: the limit is 1 000 000 for all.
        #expect(KeyDerivation.maximumPBKDF2Iterations == 1_000_000)
        #expect(throws: CryptoError.self) {
            try KeyDerivation.pbkdf2(passphrase: SecureBytes([1]), salt: [1], iterations: 1_000_001, algorithm: .sha1)
        }
        // An andOTP-like header over the limit is not taken for andOTP at all.
        let header = withUnsafeBytes(of: UInt32(2_000_000).bigEndian) { Array($0) }
        #expect(!AppExports.looksLikeAndOTPEncrypted(header + [UInt8](repeating: 0, count: 60)))
    }

    @Test func everyTruncationIsRefusedWithoutATrap() throws {
        let bytes = try Self.bytes()
        // Seeded (TestSupport.testSeed, printed; OTP_TEST_SEED replays it).
        var random = SplitMix64(seed: testSeed)
        for _ in 0..<200 {
            let cut = Int(random.next() % UInt64(bytes.count))
            _ = AppExports.javaStringMap(Array(bytes.prefix(cut)))
            var flipped = bytes
            flipped[Int(random.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            _ = AppExports.freeOTPBackup(flipped, source: "f.xml", passphrase: { nil })
        }
        #expect(AppExports.javaStringMap(Array(bytes.prefix(bytes.count / 2))) == nil)
        #expect(
            AppExports.gcmNonce([0x30, 0x11, 0x04, 0x0C] + [UInt8](repeating: 7, count: 12) + [2, 1, 16])?.count == 12)
        #expect(AppExports.gcmNonce([0x04, 0x0C] + [UInt8](repeating: 7, count: 12))?.count == 12)
        #expect(AppExports.gcmNonce([0x04, 0x40]) == nil)
    }
}

/// Proton Authenticator's password-protected export, made by `Scripts/make-import-fixtures.py` with Python
/// `cryptography` from proton-pass-common's published `password_exporter.rs`; no real export of this kind is in the
/// corpus. The key-derivation cost is fixed by the format (Argon2id, 2 passes, 19 MiB), never read from the file.
@Suite struct ProtonEncryptedTests {
    static func text() throws -> String {
        try String(
            contentsOf: HostileImportTests.exports.appendingPathComponent("proton-encrypted.json"), encoding: .utf8)
    }

    func read(_ json: String, _ password: String?) -> Result<[(source: String, check: URICheck)], AppExports.Failure> {
        AppExports.accounts(in: json, source: "p.json", passphrase: { password.map { SecureBytes(Array($0.utf8)) } })
    }

    func failure(_ json: String, _ password: String?) -> AppExports.Failure? {
        if case .failure(let failure) = read(json, password) { return failure }
        return nil
    }

    @Test func theExportOpensWithItsPasswordIncludingASteamEntry() throws {
        let accounts = try read(try Self.text(), "fixture password").get()
        #expect(accounts.map { $0.check.account?.issuer } == ["GitHub", "Steam"])
        #expect(accounts.map { $0.check.account?.name } == ["octo@example.com", "gamer"])
        #expect(accounts[0].source == "p.json (Proton Authenticator entry 1 of 2)")
        // Codes at t = 59 from oathtool (TOTP) and Python's hmac (Steam's alphabet), over the fixture's secrets.
        let codes = try accounts.map { try OTPGenerator(account: #require($0.check.account)).totp(at: 59)[0].value }
        #expect(codes == ["574992", "9D273"])
    }

    @Test func wrongMissingPasswordTruncationDamageAndVersionsAreRefusedByName() throws {
        let json = try Self.text()
        #expect(
            failure(json, "wrong")?.message == "wrong password for the password-protected Proton Authenticator export")
        #expect(failure(json, nil)?.message.contains("--source-passphrase-file") == true)
        let content = try #require(json.components(separatedBy: "\"").first { $0.count > 100 })
        // Truncated content: 27 bytes, less than a nonce and a tag; a cut tag fails authentication.
        let short = json.replacingOccurrences(of: content, with: Data(repeating: 7, count: 27).base64EncodedString())
        #expect(failure(short, "fixture password")?.message.contains("truncated") == true)
        let cut = json.replacingOccurrences(
            of: content,
            with: Data(base64Encoded: content)!.dropLast(3)
                .base64EncodedString())
        #expect(failure(cut, "fixture password")?.code == "unreadable")
        let salt = json.replacingOccurrences(of: "\"salt\": \"", with: "\"salt\": \"AAAA")
        #expect(failure(salt, "fixture password")?.message.contains("salt must be 16 bytes") == true)
        let version = json.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2")
        #expect(failure(version, "fixture password")?.message.contains("version 2") == true)
        // The associated data is part of the format: with the right key, the fixture opens under Proton's
        // "proton.authenticator.export.v1" and under no other (an empty one, Proton's "entrycontent").
        let saltText = try #require(json.components(separatedBy: "\"").first { $0.hasSuffix("==") && $0.count == 24 })
        let key = try KeyDerivation.argon2id(
            passphrase: SecureBytes(Array("fixture password".utf8)), salt: Array(Data(base64Encoded: saltText)!),
            iterations: 2, memoryKiB: 19 * 1024, lanes: 1)
        let sealed = Array(Data(base64Encoded: content)!)
        #expect((try? AESGCM.open(sealed, key: key, authenticating: AppExports.protonExportAssociatedData)) != nil)
        #expect((try? AESGCM.open(sealed, key: key, authenticating: [])) == nil)
        #expect((try? AESGCM.open(sealed, key: key, authenticating: Array("entrycontent".utf8))) == nil)
    }
}

/// andOTP's old encrypted backup (no header: SHA-256 of the password keys AES-GCM), a fixture made by
/// `Scripts/make-import-fixtures.py` in the layout of the real old-format backup, which
/// `Scripts/conformance-exports.py` checks.
@Suite struct AndOTPOldFormatTests {
    static func bytes() throws -> [UInt8] {
        try Array(Data(contentsOf: HostileImportTests.exports.appendingPathComponent("andotp-old.bin")))
    }

    /// Reads bytes as `otp` reads a file, counting how often the password is asked for.
    func read(_ bytes: [UInt8], _ password: String?) -> (Result<[InputPayload], InputError>, asked: Int) {
        nonisolated(unsafe) var asked = 0
        let result = InputReader.payloads(
            in: bytes, source: "old.bin", reader: nil,
            passphrase: {
                asked += 1
                return password.map { SecureBytes(Array($0.utf8)) }
            })
        return (result, asked)
    }

    @Test func theBackupOpensWithItsPasswordAndItsLabelsBecomeIssuerAndName() throws {
        let payloads = try read(try Self.bytes(), "fixture password").0.get()
        #expect(payloads.map { $0.check?.account?.issuer } == ["GitHub", "Bank"])
        #expect(payloads.map { $0.check?.account?.name } == ["octo@example.com", "client 42"])
        #expect(payloads[1].check?.account?.counter == 7)
        #expect(payloads[0].source == "old.bin (andOTP entry 1 of 2)")
    }

    @Test func aWrongOrMissingPasswordOrACutFileIsRefusedWithWhatToDo() throws {
        let bytes = try Self.bytes()
        guard case .failure(let wrong) = read(bytes, "wrong").0, case .failure(let none) = read(bytes, nil).0,
            case .failure(let cut) = read(Array(bytes.dropLast(1)), "fixture password").0
        else {
            Issue.record("opened without the right password, or cut")
            return
        }
        #expect(wrong.message.hasSuffix("nor an old-format andOTP backup that opens with the password given"))
        #expect(none.message.contains("old-format andOTP backup (it has no header)"))
        #expect(none.message.contains("--source-passphrase-file"))
        #expect(cut.code == "not-png")
    }

    @Test func onlyRandomLookingUnknownFilesAreTriedSoNoOtherFileAsksForAPassword() throws {
        // A bitmap-like file (runs of equal bytes), an executable's zeros, and a gzip stream (an archive, named as
        // one) are never tried: the password is not even asked for.
        var generator = SplitMix64(seed: testSeed)
        let random = (0..<600).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let lowEntropy = [UInt8](repeating: 0, count: 300) + Array(random.prefix(100))
        let gzip: [UInt8] = [0x1F, 0x8B, 0x08, 0x00] + random
        for (bytes, tried) in [(lowEntropy, false), (gzip, false), (random, true)] {
            let (result, asked) = read(bytes, "fixture password")
            guard case .failure = result else {
                Issue.record("random bytes were read as an export")
                continue
            }
            #expect((asked > 0) == tried)
        }
        #expect(AppExports.looksLikeCiphertext(try Self.bytes()))
    }

    @Test func oldLabelsAreSplitOnlyInTheirOwnForm() throws {
        func entry(_ label: String, issuer: String? = nil) throws -> AppExports.AndOTPEntry {
            var object: [String: String] = ["secret": "JBSWY3DPEHPK3PXP", "label": label]
            object["issuer"] = issuer
            return try JSONDecoder().decode(AppExports.AndOTPEntry.self, from: JSONEncoder().encode(object))
        }
        func split(_ label: String) throws -> [String?] {
            let old = AppExports.oldAndOTPEntry(try entry(label))
            return [old.issuer, old.label]
        }
        #expect(try split("Deno - Deno:Mason") == ["Deno", "Mason"])
        #expect(try split("Air Canada - Air Canada:Benjamin") == ["Air Canada", "Benjamin"])
        #expect(try split("Work - alice") == ["Work", "alice"])
        #expect(try split("alice@example.com") == [nil, "alice@example.com"])
        #expect(try split(" - x") == [nil, " - x"])
        #expect(AppExports.oldAndOTPEntry(try entry("A - A:b", issuer: "Z")).label == "A - A:b")
    }
}

/// Bitwarden's password-protected JSON export (PBKDF2-SHA256 or Argon2id, HKDF-stretched, AES-CBC + HMAC EncStrings),
/// fixtures made by `Scripts/make-import-fixtures.py` with Python `cryptography` from the published Bitwarden clients;
/// no real export of this kind is in the corpus.
@Suite struct BitwardenProtectedTests {
    static func text(_ name: String) throws -> String {
        try String(contentsOf: HostileImportTests.exports.appendingPathComponent(name), encoding: .utf8)
    }

    func failure(_ json: String, _ password: String? = "fixture password") -> AppExports.Failure? {
        let result = AppExports.accounts(
            in: json, source: "b.json", passphrase: { password.map { SecureBytes(Array($0.utf8)) } })
        if case .failure(let failure) = result { return failure }
        return nil
    }

    @Test(arguments: ["bitwarden-protected-pbkdf2.json", "bitwarden-protected-argon2.json"])
    func bothKeyDerivationsOpenToTheSameAccountsAsThePlainExport(name: String) throws {
        let protected = try AppExports.accounts(
            in: try Self.text(name), source: "b.json", passphrase: { SecureBytes(Array("fixture password".utf8)) }
        ).get()
        let plain = try AppExports.accounts(in: try Self.text("bitwarden.json"), source: "b.json", passphrase: { nil })
            .get()
        #expect(protected.map { $0.check.account?.issuer } == ["GitHub", "AWS", "Bank", "Steam"])
        #expect(protected.map { $0.check.account } == plain.map { $0.check.account })
        #expect(protected[0].source == "b.json (Bitwarden entry 1 of 4)")
        // oathtool's code for GitHub's secret at t = 59.
        #expect(try OTPGenerator(account: #require(protected[0].check.account)).totp(at: 59)[0].value == "574992")
        #expect(
            failure(try Self.text(name), "wrong")?.message
                == "wrong password for the password-protected Bitwarden export")
        #expect(failure(try Self.text(name), nil)?.message.contains("--source-passphrase-file") == true)
    }

    @Test func hostileCostsAreRefusedBeforeDerivingAndDamageByName() throws {
        let pbkdf2 = try Self.text("bitwarden-protected-pbkdf2.json")
        let argon2 = try Self.text("bitwarden-protected-argon2.json")
        for (json, from, to) in [
            (pbkdf2, #""kdfIterations": 5000"#, #""kdfIterations": 2000000000"#),
            (argon2, #""kdfMemory": 16"#, #""kdfMemory": 1024"#),
            (argon2, #""kdfIterations": 3"#, #""kdfIterations": 100000"#),
            (argon2, #""kdfParallelism": 2"#, #""kdfParallelism": 255"#),
        ] {
            let hostile = json.replacingOccurrences(of: from, with: to)
            #expect(hostile != json, "\(from) not in the fixture")
            #expect(failure(hostile)?.message.contains("over the budget") == true, "\(to)")
        }
        let other = pbkdf2.replacingOccurrences(of: #""kdfType": 0"#, with: #""kdfType": 2"#)
        #expect(failure(other)?.message.contains("key derivation 2, which is not read") == true)
        // A type-0 EncString, and a data MAC that does not match (one Base64 character of it changed).
        let typeZero = pbkdf2.replacingOccurrences(of: #""data": "2."#, with: #""data": "0."#)
        #expect(failure(typeZero)?.message.contains("damaged") == true)
        let data = try #require(
            pbkdf2.components(separatedBy: "\"data\": \"").last?.components(separatedBy: "\"").first)
        var mac = Array(try #require(data.split(separator: "|").last))
        mac[0] = mac[0] == "A" ? "B" : "A"
        let tampered = pbkdf2.replacingOccurrences(
            of: data, with: data.split(separator: "|").dropLast().joined(separator: "|") + "|" + String(mac))
        #expect(failure(tampered)?.message.contains("does not decrypt") == true)
        // An account-restricted export says what to do instead.
        let restricted = #"{"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "2.x|y|z", "folders": [], "items": []}"#
        #expect(failure(restricted)?.message.contains("account-restricted") == true)
    }
}
