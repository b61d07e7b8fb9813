import OTPCrypto
import Testing

@testable import OTPCore

let good = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  // "12345678901234567890", 160 bits

/// One URI and the diagnostic codes it must produce (errors and warnings), for every rule of DESIGN.md's table.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let uri: String
    let errors: [String]
    let warnings: [String]
    var testDescription: String { String(uri.prefix(90)) }

    init(_ uri: String, errors: [String] = [], warnings: [String] = []) {
        self.uri = uri
        self.errors = errors
        self.warnings = warnings
    }
}

@Suite struct OTPAuthURITests {
    static let rules: [RuleCase] = [
        // scheme and type
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I"),
        RuleCase("OTPAUTH://TOTP/I:a?SECRET=\(good)&ISSUER=I"),
        RuleCase("https://example.com/?secret=\(good)", errors: ["not-otpauth"]),
        RuleCase("otpauth://xotp/I:a?secret=\(good)&issuer=I", errors: ["unknown-type"]),
        RuleCase("otpauth:///I:a?secret=\(good)&issuer=I", errors: ["unknown-type"]),
        // label
        RuleCase("otpauth://totp/I:?secret=\(good)&issuer=I", errors: ["account-empty"]),
        RuleCase("otpauth://totp/?secret=\(good)&issuer=I", errors: ["account-empty"]),
        RuleCase("otpauth://totp/I:a%00b?secret=\(good)&issuer=I", errors: ["label-control-characters"]),
        RuleCase("otpauth://totp/I:a%1B%5B2Jb?secret=\(good)&issuer=I", errors: ["label-control-characters"]),
        RuleCase("otpauth://totp/I:a%C3%28?secret=\(good)&issuer=I", errors: ["label-not-utf8"]),
        RuleCase("otpauth://totp/I:a%G1?secret=\(good)&issuer=I", errors: ["label-bad-escape"]),
        RuleCase("otpauth://totp/I:a%?secret=\(good)&issuer=I", errors: ["label-bad-escape"]),
        // parameters given twice
        RuleCase("otpauth://totp/I:a?secret=\(good)&secret=\(good)&issuer=I", errors: ["duplicate-parameter"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=6&Digits=6", errors: ["duplicate-parameter"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&image=x&image=y", errors: ["duplicate-parameter"]),
        // issuer
        RuleCase("otpauth://totp/a?secret=\(good)&issuer=I"),
        RuleCase("otpauth://totp/I:a?secret=\(good)"),
        RuleCase("otpauth://totp/a?secret=\(good)", warnings: ["issuer-missing"]),
        RuleCase("otpauth://totp/L:a?secret=\(good)&issuer=P", warnings: ["issuer-mismatch"]),
        RuleCase("otpauth://totp/a?secret=\(good)&issuer=I%07", errors: ["issuer-control-characters"]),
        RuleCase(
            "otpauth://totp/I%1B:a?secret=\(good)", errors: ["label-control-characters", "issuer-control-characters"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=%FF", errors: ["not-utf8"]),
        // secret
        RuleCase("otpauth://totp/I:a?issuer=I", errors: ["secret-missing"]),
        RuleCase("otpauth://totp/I:a?secret=&issuer=I", errors: ["secret-empty"]),
        RuleCase("otpauth://totp/I:a?secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq&issuer=I"),
        RuleCase("otpauth://totp/I:a?secret=GEZD%20GNBV%20GY3T%20QOJQ%20GEZD%20GNBV%20GY3T%20QOJQ&issuer=I"),
        RuleCase(
            "otpauth://totp/I:a?secret=MZXW6YQ%3D%3D%3D%3DGEZDGNBVGY3TQOJQ&issuer=I", errors: ["secret-not-base32"]),
        RuleCase("otpauth://totp/I:a?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ%3D&issuer=I"),
        RuleCase("otpauth://totp/I:a?secret=GEZDGNBVGY3TQOJ1&issuer=I", errors: ["secret-not-base32"]),
        RuleCase("otpauth://totp/I:a?secret=GEZDGNBVG&issuer=I", errors: ["secret-bad-length"]),
        RuleCase("otpauth://totp/I:a?secret=GEZDGNBV&issuer=I", warnings: ["weak-secret"]),
        RuleCase(
            "otpauth://totp/I:a?secret=\(String(repeating: "A", count: 200_000))&issuer=I", errors: ["uri-too-long"]),
        RuleCase(
            "otpauth://totp/I:a?secret=\(String(repeating: "A", count: 1032))&issuer=I", errors: ["secret-too-long"]),
        // algorithm
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&algorithm=sha256"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&algorithm=SHA512"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&algorithm=MD5", errors: ["unsupported-algorithm"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&algorithm=SHA-1", errors: ["unsupported-algorithm"]),
        // digits
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=5", errors: ["digits-out-of-range"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=6"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=7"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=8"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=10"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=11", errors: ["digits-out-of-range"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=six", errors: ["digits-not-integer"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&digits=-6", errors: ["digits-not-integer"]),
        // period
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&period=60"),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&period=0", errors: ["period-out-of-range"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&period=-30", errors: ["period-not-integer"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&period=86401", errors: ["period-out-of-range"]),
        RuleCase(
            "otpauth://totp/I:a?secret=\(good)&issuer=I&period=99999999999999999999999", errors: ["period-out-of-range"]
        ),
        RuleCase("otpauth://hotp/I:a?secret=\(good)&issuer=I&counter=0&period=60", warnings: ["period-ignored"]),
        // counter
        RuleCase("otpauth://hotp/I:a?secret=\(good)&issuer=I&counter=0"),
        RuleCase("otpauth://hotp/I:a?secret=\(good)&issuer=I", errors: ["counter-missing"]),
        RuleCase("otpauth://hotp/I:a?secret=\(good)&issuer=I&counter=9223372036854775807"),
        RuleCase(
            "otpauth://hotp/I:a?secret=\(good)&issuer=I&counter=9223372036854775808", errors: ["counter-out-of-range"]),
        RuleCase("otpauth://hotp/I:a?secret=\(good)&issuer=I&counter=x", errors: ["counter-not-integer"]),
        RuleCase("otpauth://totp/I:a?secret=\(good)&issuer=I&counter=3", warnings: ["counter-ignored"]),
        // uri length
        RuleCase(
            "otpauth://totp/I:a?secret=\(good)&issuer=I&image=\(String(repeating: "x", count: 65_600))",
            errors: ["uri-too-long"]),
        // every diagnostic, not just the first
        RuleCase(
            "otpauth://hotp/?secret=GEZDGNBV1&algorithm=MD5&digits=12",
            errors: ["account-empty", "secret-not-base32", "algorithm-x", "digits-out-of-range", "counter-missing"].map
            {
                $0 == "algorithm-x" ? "unsupported-algorithm" : $0
            }, warnings: ["issuer-missing"]),
    ]

    @Test(arguments: rules)
    func rule(_ rule: RuleCase) {
        let check = OTPAuthURI.parse(rule.uri)
        #expect(Set(check.diagnostics.filter { $0.severity == .error }.map(\.code.rawValue)) == Set(rule.errors))
        #expect(Set(check.diagnostics.filter { $0.severity == .warning }.map(\.code.rawValue)) == Set(rule.warnings))
        #expect(check.isValid == rule.errors.isEmpty)
        for d in check.diagnostics {
            #expect(!d.message.contains(good) && !d.message.contains("GEZDGNBV"), "a diagnostic quoted the secret")
        }
    }

    @Test func fieldsOfAFullURI() throws {
        let check = OTPAuthURI.parse(
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
                + "&issuer=ACME%20Co&algorithm=SHA256&digits=8&period=60&image=https%3A%2F%2Fx.test%2Fa.png"
        )
        let account = try #require(check.account)
        #expect(account.kind == .totp && account.issuer == "ACME Co" && account.name == "john.doe@email.com")
        #expect(account.algorithm == .sha256 && account.digits == 8 && account.period == 60)
        #expect(account.secretBits == 160)
        #expect(account.extraParameters == [.init(name: "image", value: "https://x.test/a.png")])
    }

    @Test func issuerSeparator() throws {
        // %3A separates like ':'; spaces after it are trimmed; spaces before it are kept.
        let encoded = try #require(
            OTPAuthURI.parse("otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret=\(good)").account)
        #expect(encoded.issuer == "Big Corporation" && encoded.name == "alice@bigco.com")
        let spaced = try #require(
            OTPAuthURI.parse("otpauth://hotp/ACME:  OTPAuth?issuer=ACME&secret=\(good)&counter=1").account)
        #expect(spaced.issuer == "ACME" && spaced.name == "OTPAuth")
        let emptyPrefix = OTPAuthURI.parse("otpauth://totp/:alice?secret=\(good)&issuer=ACME")
        #expect(emptyPrefix.account?.issuer == "ACME" && emptyPrefix.diagnostics.isEmpty)
        let colonInName = try #require(OTPAuthURI.parse("otpauth://totp/A:b:c?secret=\(good)").account)
        #expect(colonInName.issuer == "A" && colonInName.name == "b:c")
    }

    @Test func issuerParameterWinsOverLabel() throws {
        let check = OTPAuthURI.parse("otpauth://totp/Contoso:alice?secret=\(good)&issuer=ACME")
        #expect(check.account?.issuer == "ACME")
        #expect(check.diagnostics.map(\.code.rawValue) == ["issuer-mismatch"])
    }

    @Test func plusIsLiteralInTheLabelAndASpaceInValues() throws {
        let account = try #require(OTPAuthURI.parse("otpauth://totp/A+B:c+d?secret=\(good)&issuer=A%2BB").account)
        #expect(account.issuer == "A+B" && account.name == "c+d")
        let form = OTPAuthURI.parse("otpauth://hotp/Air%20Canada:Benjamin?secret=\(good)&issuer=Air+Canada&counter=50")
        #expect(form.account?.issuer == "Air Canada" && form.diagnostics.isEmpty)
    }

    @Test func issuerParameterGuidesTheSplitWhenItHoldsAColon() throws {
        let check = OTPAuthURI.parse(
            "otpauth://totp/Text%3A%20More%20Text:Secret?secret=\(good)&issuer=Text%3A%20More%20Text")
        #expect(check.account?.issuer == "Text: More Text" && check.account?.name == "Secret")
        #expect(check.diagnostics.isEmpty)
    }

    @Test func utf8Names() throws {
        let raw = try #require(
            OTPAuthURI.parse("otpauth://totp/Société Générale:josé?secret=\(good)&issuer=Société Générale").account)
        #expect(raw.issuer == "Société Générale" && raw.name == "josé")
        let encoded = try #require(
            OTPAuthURI.parse("otpauth://totp/Soci%C3%A9t%C3%A9:jos%C3%A9?secret=\(good)").account)
        #expect(encoded.issuer == "Société" && encoded.name == "josé")
    }

    @Test func steam() throws {
        for uri in [
            "otpauth://totp/Steam:alice?secret=\(good)&issuer=Steam&encoder=steam",
            "otpauth://steam/Steam:alice?secret=\(good)&issuer=Steam",
            "otpauth://totp/Steam:alice?secret=\(good)&issuer=Steam&digits=5",
        ] {
            let account = try #require(OTPAuthURI.parse(uri).account, "\(uri)")
            #expect(account.encoder == .steam && account.digits == 5)
        }
        #expect(
            OTPAuthURI.parse("otpauth://totp/Steam:alice?secret=\(good)&encoder=morse").diagnostics.map(\.code.rawValue)
                == [
                    "unknown-encoder"
                ])
        let seven = OTPAuthURI.parse("otpauth://totp/Steam:alice?secret=\(good)&encoder=steam&digits=7&period=15")
        #expect(seven.account?.digits == 5 && seven.account?.period == 15)
        #expect(seven.diagnostics.map(\.code.rawValue) == ["digits-ignored"])
    }

    @Test func strictTurnsWarningsIntoErrors() {
        let check = OTPAuthURI.parse("otpauth://totp/I:a?secret=GEZDGNBV")
        #expect(check.isValid)
        let strict = check.strict()
        #expect(!strict.isValid && strict.diagnostics.allSatisfy { $0.severity == .error })
    }

    @Test func roundTrip() throws {
        let uris = [
            "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"
                + "&issuer=ACME%20Co&algorithm=SHA512&digits=8&period=60",
            "otpauth://hotp/a%3Ab?secret=\(good)&counter=42&image=https%3A%2F%2Fx%2Fy.png&color=%23ff0000",
            "otpauth://totp/Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale:jos%C3%A9?secret=\(good)"
                + "&issuer=Soci%C3%A9t%C3%A9%20G%C3%A9n%C3%A9rale",
            "otpauth://totp/Steam:gaben?secret=\(good)&issuer=Steam&encoder=steam",
            "otpauth://totp/onlyname%20with%20%2B%26%3D?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE",
        ]
        for uri in uris {
            let first = try #require(OTPAuthURI.parse(uri).account, "\(uri)")
            let serialized = OTPAuthURI.string(for: first)
            let second = try #require(OTPAuthURI.parse(serialized).account, "\(serialized)")
            #expect(first == second)
            #expect(OTPAuthURI.string(for: second) == serialized)
        }
    }

    @Test func accountDescriptionHidesTheSecret() throws {
        let account = try #require(
            OTPAuthURI.parse("otpauth://totp/I:a?secret=KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ").account)
        var dumped = ""
        dump(account, to: &dumped)
        for text in [String(describing: account), String(reflecting: account), dumped] {
            #expect(!text.contains("TestSecret") && !text.contains("KRSXG5"))
        }
        #expect(String(describing: account).contains("168 bits"))
    }
}
