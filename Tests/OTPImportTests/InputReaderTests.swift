import Foundation
import OTPCore
import OTPCrypto
import Testing

@testable import OTPImport

@Suite struct InputReaderTests {
    @Test func textLines() {
        let text = "\u{FEFF}# exported\r\notpauth://totp/a?secret=X\r\n\r\n  QR-Code:otpauth://totp/b?secret=Y  \n#c\n"
        let decoded = TextInput.decode(Array(text.utf8))
        #expect(decoded != nil)
        let lines = TextInput.uriLines(decoded ?? "")
        #expect(lines.map(\.line) == [2, 4])
        #expect(lines.map(\.text) == ["otpauth://totp/a?secret=X", "otpauth://totp/b?secret=Y"])
    }

    @Test func binaryIsNotText() {
        #expect(TextInput.decode([0x00, 0x01, 0x02]) == nil)
        #expect(TextInput.decode([0xC3, 0x28]) == nil)
    }

    @Test func urisStdinAndMissingFiles() {
        let results = InputReader.read(
            ["otpauth://totp/a?secret=X", "-", "/nonexistent/file.png", "otpauth-migration://offline?data=AA"],
            standardInput: { Array("otpauth://totp/s?secret=Z\n".utf8) })
        #expect((try? results[0].result.get())?.map(\.source) == ["argument 1"])
        #expect((try? results[1].result.get())?.map(\.source) == ["stdin:1"])
        #expect(results[2].result.failureValue?.code == "not-found")
        #expect((try? results[3].result.get())?.map(\.source) == ["argument 2"])
    }
}

@Suite struct InputExpansionTests {
    @Test func sortedRecursiveHiddenSkippedLoopSafe() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("otp-walk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("b/c"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        for path in ["z.txt", "a.png", "b/c/d.png", "b/e.txt", ".hidden.png", ".git/config"] {
            try Data("x".utf8).write(to: root.appendingPathComponent(path))
        }
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("b/c/up").path, withDestinationPath: root.path)
        let items = InputExpansion.expand([root.path, "-", "otpauth://totp/a?secret=X"])
        let relative = items.map { $0.input.replacingOccurrences(of: root.path + "/", with: "") }
        #expect(relative == ["a.png", "b/c/d.png", "b/e.txt", "z.txt", "-", "otpauth://totp/a?secret=X"])
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

@Suite struct ImporterPlanTests {
    func part(_ index: Int32, of size: Int32, names: [String]) -> String {
        MigrationPayload(
            entries: names.map {
                .init(secret: SecureBytes(Array("secret for \($0) padded!!".utf8)), name: $0, issuer: "T")
            },
            batchSize: size, batchIndex: index, batchID: 42
        ).uri()
    }

    func items(_ uris: [(String, String)]) -> [CheckedItem] {
        uris.enumerated().flatMap { input, pair in
            ProvisioningInputs.items(for: InputPayload(source: pair.0, text: pair.1)).map {
                $0.with(input: input, path: nil)
            }
        }
    }

    @Test func aPartReadTwiceCountsOnce() {
        let first = part(0, of: 2, names: ["a", "b"])
        let plan = Importer.plan(
            items([("one.png", first), ("again.png", first), ("two.png", part(1, of: 2, names: ["c"]))]))
        #expect(plan.accepted.map(\.account.name) == ["a", "b", "c"])
        #expect(plan.failed.isEmpty)
        #expect(Set(plan.accepted.map(\.group)) == [.batch(42)])
    }

    @Test func anIncompleteBatchNamesTheMissingPart() {
        let plan = Importer.plan(
            items([("one.png", part(0, of: 3, names: ["a"])), ("three.png", part(2, of: 3, names: ["c"]))]))
        #expect(plan.accepted.isEmpty)
        #expect(plan.failed.map(\.code) == ["incomplete-batch", "incomplete-batch"])
        #expect(plan.failed.first?.message.contains("part 2 of 3 missing") == true)
        let allowed = Importer.plan(items([("one.png", part(0, of: 3, names: ["a"]))]), allowIncomplete: true)
        #expect(allowed.accepted.map(\.account.name) == ["a"])
        #expect(allowed.warnings.map(\.diagnostic.code.rawValue) == ["incomplete-batch"])
    }
}

/// Issue 24, class 7: inputs that expand into more accounts than any export holds are refused by name, and a ZIP
/// member that inflates far more than text does is refused before it is inflated.
@Suite struct InputAccountCapTests {
    @Test func tenThousandAndOneAccountsInOneFileAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-cap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("many.txt")
        let lines = (0...InputReader.maximumPayloadsPerInput).map {
            "otpauth://totp/I\($0):n?secret=JBSWY3DPEHPK3PXP&issuer=I\($0)"
        }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let result = InputReader.read([file.path])
        guard case .failure(let error) = result.first?.result else {
            Issue.record("10 001 accounts were read")
            return
        }
        #expect(error.code == "too-large" && error.message.contains("10000"), "\(error.message)")
    }

    @Test func aZipMemberThatInflatesLikeABombIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let zip = directory.appendingPathComponent("bomb.zip").path
        // Python's zipfile: 4 MB of one repeated URI line as Authenticator Plus's Accounts.txt (deflated ~1000×).
        let script = """
            import sys, zipfile
            line = b"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A\\n"
            with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
                z.writestr("Accounts.txt", line * (4_000_000 // len(line)))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, zip]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let result = InputReader.read([zip])
        guard case .failure(let error) = result.first?.result else {
            Issue.record("the bomb was read")
            return
        }
        #expect(error.message.contains("inflates"), "\(error.message)")
    }
}
