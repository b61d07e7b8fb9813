import Foundation
import Testing
import XCTest

let testSecret = "KRSXG5CTMVRXEZLUKN2XAZLSKNSWG4TFOQ"

@Suite struct CheckCommandTests {
    @Test func validAndInvalidWithJSON() throws {
        let uri =
            "otpauth://totp/Example%20Co:alice%40example.com?secret=\(testSecret)&issuer=Example%20Co&digits=8"
            + "&period=60&algorithm=SHA256"
        let result = try CLI.run(["check", "--json", uri, "otpauth://totp/X:y?secret=JBSWY3DPEHPK3PXP&digits=5"])
        #expect(result.status == 1)
        let elements = try #require(result.json as? [[String: Any]])
        #expect(elements.count == 2)
        let account = try #require(elements[0]["account"] as? [String: Any])
        #expect(account["issuer"] as? String == "Example Co" && account["account"] as? String == "alice@example.com")
        #expect(
            account["secretBits"] as? Int == 168 && account["digits"] as? Int == 8 && account["period"] as? Int == 60)
        #expect(account["counter"] is NSNull)
        #expect(elements[1]["valid"] as? Bool == false && elements[1]["account"] is NSNull)
        let diagnostics = try #require(elements[1]["diagnostics"] as? [[String: String]])
        #expect(
            diagnostics.contains {
                $0["field"] == "digits" && $0["severity"] == "error" && $0["code"] == "digits-out-of-range"
            })
        for text in [result.stdout, result.stderr] {
            #expect(!text.contains(testSecret) && !text.contains("JBSWY3DPEHPK3PXP"))
        }
    }

    @Test func textFileImageAndStrict() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-check-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("uris.txt")
        try "# comment\r\n\r\notpauth://totp/A:b?secret=GEZDGNBV\n".write(to: file, atomically: true, encoding: .utf8)
        let lenient = try CLI.run(["check", file.path, CLI.png("console-1080p.png")])
        #expect(lenient.status == 0)
        #expect(lenient.stdout.contains("uris.txt:3]") && lenient.stdout.contains("weak-secret"))
        #expect(lenient.stdout.contains("Amazon Web Services: alice@123456789012"))
        let strict = try CLI.run(["check", "--strict", file.path])
        #expect(strict.status == 1 && strict.stdout.hasPrefix("invalid"))
    }

    @Test func controlCharactersAreEscaped() throws {
        let result = try CLI.run(["check", "otpauth://totp/Evil%1B%5B2J:x%07?secret=\(testSecret)"])
        #expect(result.status == 1)
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}"))
        #expect(result.stdout.contains("\\u{1B}[2J"))
    }

    @Test func notProvisioningCode() throws {
        let result = try CLI.run(["check", "--json", CLI.png("not-provisioning.png")])
        #expect(result.status == 1)
        let elements = try #require(result.json as? [[String: Any]])
        #expect((elements[0]["diagnostics"] as? [[String: String]])?.first?["code"] == "not-provisioning")
    }
}

@Suite struct CodeCommandTests {
    /// RFC 6238 Appendix B (SHA1, 8 digits) at 1111111109 and the next period, 1111111111 lies in.
    @Test func nextTwoFromAURI() throws {
        let uri = "otpauth://totp/RFC:6238?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=RFC&digits=8"
        let result = try CLI.run(["code", "--from", uri, "--at", "1111111109", "--next", "2", "--json"])
        #expect(result.status == 0)
        let elements = try #require(result.json as? [[String: Any]])
        let codes = try #require(elements.first?["codes"] as? [[String: Any]])
        #expect(codes.map { $0["code"] as? String } == ["07081804", "14050471"])
        #expect(
            codes.first?["validFrom"] as? Int == 1_111_111_080 && codes.first?["validUntil"] as? Int == 1_111_111_110)
        #expect(elements.first?["id"] == nil)
    }

    @Test func isoTimeStdinAndHOTP() throws {
        let hotp = "otpauth://hotp/RFC:4226?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=RFC&counter=0"
        let result = try CLI.run(["code", "--from", "-", "--next", "3", "--json"], stdin: hotp + "\n")
        let elements = try #require(result.json as? [[String: Any]])
        let codes = try #require(elements.first?["codes"] as? [[String: Any]])
        #expect(codes.map { $0["code"] as? String } == ["755224", "287082", "359152"])
        #expect(codes.map { $0["counter"] as? Int } == [0, 1, 2])
        let iso = try CLI.run([
            "code", "--from", "otpauth://totp/R:x?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "--at",
            "1970-01-01T00:00:59Z",
        ])
        #expect(iso.stdout.hasPrefix("R: x  287082  (1 s left)"))
    }

    @Test func screenshotGivesCodes() throws {
        let result = try CLI.run(["code", "--from", CLI.png("console-1080p-dark.png"), "--next", "2"])
        #expect(result.status == 0)
        #expect(
            result.stdout.range(
                of: #"^Amazon Web Services: bob@123456789012  \d{6} \d{6}  \(\d+ s left, the last \d+ s\)\n$"#,
                options: .regularExpression) != nil)
    }

    @Test func invalidAccountGivesNoCode() throws {
        let result = try CLI.run(["code", "--from", "otpauth://totp/X:y?secret=GEZDGNBV&algorithm=MD5"])
        #expect(result.status == 1 && result.stdout.isEmpty && result.stderr.contains("MD5"))
        #expect(try CLI.run(["code", "--from", "x", "--at", "yesterday"]).status == 64)
        #expect(try CLI.run(["code", "--from", "x", "--next", "0"]).status == 64)
    }
}

/// XCTest keeps the runner's closing line ("Executed N tests") meaningful.
final class CommandXCTests: XCTestCase {
    func testVersionlessHelp() throws {
        let result = try CLI.run(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("scan"))
    }
}
