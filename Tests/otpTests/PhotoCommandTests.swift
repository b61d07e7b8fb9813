import Foundation
import Testing

/// Camera formats through the real binary (issue 14): scan, check, import and folder import take JPEG, WebP and HEIC
/// by content, and a hostile camera file in a folder is reported by name while the others still import.
@Suite(.serialized) struct PhotoCommandTests {
    static let photos = CLI.fixtures.appendingPathComponent("photo")
    static func photo(_ name: String) -> String { photos.appendingPathComponent(name).path }
    static func hostile(_ name: String) -> String { CLI.fixtures.appendingPathComponent("hostile/\(name)").path }

    @Test func scanReadsEveryCameraFormatAndNamesEachRefusal() throws {
        let files = [
            Self.photo("two-codes.heic"), Self.photo("two-codes-exif6.jpg"), Self.photo("two-codes.webp"),
            Self.hostile("webp-animated.webp"), Self.hostile("jpeg-declares-65000x65000.jpg"),
        ]
        let result = try CLI.run(["scan", "--json"] + files)
        #expect(result.status == 1)
        let elements = try #require(result.json as? [[String: Any]])
        for element in elements.prefix(3) {
            #expect((element["payloads"] as? [String])?.count == 2)
        }
        #expect((elements[3]["error"] as? [String: String])?["code"] == "unsupported-image")
        #expect((elements[4]["error"] as? [String: String])?["code"] == "too-large")
    }

    @Test func importTakesAFolderOfPhotosAndKeepsGoingPastAHostileOne() throws {
        let directory = try CLI.temporaryDirectory()
        let folder = directory.appendingPathComponent("camera")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Names say nothing: the content decides (a HEIC named .jpg, a JPEG with no extension).
        try FileManager.default.copyItem(
            atPath: Self.photo("two-codes.heic"), toPath: folder.appendingPathComponent("IMG_0001.jpg").path)
        try FileManager.default.copyItem(
            atPath: Self.photo("two-codes-exif6.jpg"), toPath: folder.appendingPathComponent("photo").path)
        try FileManager.default.copyItem(
            atPath: Self.hostile("jpeg-1000-scans.jpg"), toPath: folder.appendingPathComponent("bomb.jpg").path)
        let environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "photo passphrase",
        ]
        let result = try CLI.run(["import", "--create", "--json", folder.path], environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        let report = try #require(result.json as? [String: Any])
        let failed = try #require(report["failed"] as? [[String: Any]])
        #expect(failed.count == 1)
        #expect((failed.first?["source"] as? String)?.hasSuffix("bomb.jpg") == true)
        #expect((failed.first?["error"] as? [String: String])?["code"] == "corrupt-image")
        let list = try CLI.run(["list", "--json"], environment: environment)
        let accounts = try #require(list.json as? [[String: Any]])
        #expect(accounts.compactMap { $0["account"] as? String }.sorted() == ["alice@example.com", "bob@example.com"])
        // The secret never shows in what check prints about a photo.
        let check = try CLI.run(["check", Self.photo("two-codes.webp")])
        #expect(check.status == 0 && !check.stdout.contains("JBSWY3DP"))
    }
}
