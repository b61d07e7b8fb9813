import Foundation
import Testing

@Suite struct ScanCommandTests {
    @Test func jsonShapeOrderAndExitCode() throws {
        let files = [
            CLI.png("console-1080p.png"), CLI.png("bad-gif.png"), CLI.png("two-codes.png"), CLI.png("no-code.png"),
        ]
        let result = try CLI.run(["scan", "--json"] + files)
        #expect(result.status == 1)
        let elements = try #require(result.json as? [[String: Any]])
        #expect(elements.map { $0["file"] as? String } == files)
        #expect((elements[0]["payloads"] as? [String])?.count == 1)
        #expect(elements[0]["error"] is NSNull)
        #expect((elements[1]["error"] as? [String: String])?["code"] == "not-png")
        #expect((elements[1]["payloads"] as? [String]) == [])
        #expect((elements[2]["payloads"] as? [String])?.count == 2)
        #expect((elements[3]["error"] as? [String: String])?["code"] == "no-code")
    }

    @Test func humanFormPrefixesFileNamesOnlyForSeveralFiles() throws {
        let one = try CLI.run(["scan", CLI.png("not-provisioning.png")])
        #expect(one.status == 0 && one.stdout == "https://example.com/setup?step=2\n")
        let two = try CLI.run(["scan", CLI.png("not-provisioning.png"), CLI.png("bad-truncated.png")])
        #expect(two.status == 1)
        #expect(two.stdout == "\(CLI.png("not-provisioning.png")): https://example.com/setup?step=2\n")
        #expect(two.stderr.contains("bad-truncated.png: damaged PNG"))
    }

    @Test func hugeHeaderIsRefused() throws {
        let result = try CLI.run(["scan", CLI.png("bad-huge-header.png")])
        #expect(result.status == 1 && result.stderr.contains("200000×200000"))
    }

    @Test func usageErrorIs64() throws {
        #expect(try CLI.run(["scan"]).status == 64)
        #expect(try CLI.run(["frobnicate"]).status == 64)
    }
}
