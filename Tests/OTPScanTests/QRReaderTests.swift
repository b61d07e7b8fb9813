import Foundation
import Testing

@_spi(Benchmarks) @testable import OTPScan

@Suite struct QRReaderTests {
    @Test func manifestIsPresent() {
        #expect(Fixtures.readable.count >= 20)
        #expect(Fixtures.refused.count >= 8)
    }

    @Test(arguments: Fixtures.readable)
    func readsEveryScreenshotExactly(_ name: String) throws {
        let reader = try QRReader()
        let outcome = try reader.read(contentsOf: Fixtures.png(name))
        #expect(outcome.payloads.map(\.text) == Fixtures.manifest[name]?.payloads, "\(name)")
    }

    @Test(arguments: Fixtures.refused)
    func refusesBadFilesWithTheRightCode(_ name: String) throws {
        let reader = try QRReader()
        let error = #expect(throws: ScanError.self) { try reader.read(contentsOf: Fixtures.png(name)) }
        #expect(error?.code == Fixtures.manifest[name]?.error, "\(name): \(String(describing: error))")
    }

    /// Each pass exists because of an image that needs it: the passes that read them are pinned here.
    @Test(arguments: [
        ("console-1080p.png", ScanPass.region),
        ("console-1080p-dark.png", .region),
        ("console-4k-rgba.png", .region),
        ("two-codes.png", .region),
        ("one-px-module.png", .rectified),
        ("dark-low-contrast.png", .inverted),
        ("speckled.png", .smoothed),
        ("tiny-cropped.png", .upscaled(3)),
        ("screen-door.png", .reduced(3)),
        ("thumbnail-photo.png", .upscaled(3)),
        ("diagonal-photo.png", .rotated45),
        ("tiny-dotted.png", .rectified),
        ("out-of-focus.png", .binarized),
    ])
    func passThatReadsEachKindOfScreenshot(_ name: String, _ pass: ScanPass) throws {
        let outcome = try QRReader().read(contentsOf: Fixtures.png(name))
        #expect(outcome.pass == pass)
    }

    /// How a test derives the image a pass is shown from a fixture.
    enum Variant: String, Sendable {
        case asDecoded, inverted, doubled
    }

    /// Each pass alone reads the image made for it, which plain zbar (the as-is pass) cannot read.
    @Test(arguments: [
        ("console-1080p-dark.png", Variant.asDecoded, ScanPass.inverted),
        ("dark-low-contrast.png", .asDecoded, .inverted),
        ("console-4k-rgba.png", .asDecoded, .downscaled(2)),
        ("console-1080p-dark.png", .doubled, .downscaledInverted(2)),
        ("speckled.png", .asDecoded, .smoothed),
        ("tiny-cropped.png", .asDecoded, .upscaled(3)),
        ("tiny-cropped.png", .asDecoded, .upscaled(2)),
        ("screen-door.png", .asDecoded, .reduced(3)),
        ("thumbnail-photo.png", .asDecoded, .scaled(200)),
        ("diagonal-photo.png", .asDecoded, .rotated45),
        ("tiny-dotted.png", .asDecoded, .paddedEnlarged),
        ("out-of-focus.png", .asDecoded, .binarized),
        ("out-of-focus.png", .inverted, .binarizedInverted),
    ])
    func eachPassReadsWhatPlainZbarCannot(_ name: String, _ variant: Variant, _ pass: ScanPass) throws {
        var image = try PNGDecoder.decode(FileLoader.read(Fixtures.png(name))).image
        switch variant {
        case .asDecoded: break
        case .inverted: image = image.inverted()
        case .doubled: image = image.upscaled(by: 2)  // a 4K dark-mode screenshot
        }
        let reader = try QRReader()
        #expect(reader.run(pass, on: image).map(\.text) == Fixtures.manifest[name]?.payloads)
        if pass != .downscaled(2) { #expect(reader.run(.asIs, on: image).isEmpty) }
    }

    @Test func regionPassLeavesNoCodeBehind() throws {
        // Both codes' finder patterns lie inside the region, and both codes come back from it.
        let image = try PNGDecoder.decode(FileLoader.read(Fixtures.png("two-codes.png"))).image
        #expect(try QRReader().run(.region, on: image).count == 2)
        // No region is proposed where there is no code.
        let empty = try PNGDecoder.decode(FileLoader.read(Fixtures.png("no-code.png"))).image
        #expect(try QRReader().run(.region, on: empty).isEmpty)
    }

    @Test func lightModulesOnTransparencyAreCompositedOntoBlack() throws {
        let outcome = try QRReader().read(contentsOf: Fixtures.png("transparent-light-modules.png"))
        #expect(outcome.compositedOnBlack)
        let black = try QRReader().read(contentsOf: Fixtures.png("transparent-black-modules.png"))
        #expect(!black.compositedOnBlack)
    }

    @Test func hugeDeclaredSizeIsRefusedFromTheHeader() throws {
        let error = #expect(throws: ScanError.self) {
            try QRReader().read(contentsOf: Fixtures.png("bad-huge-header.png"))
        }
        #expect(error == .tooLarge(width: 200_000, height: 200_000, limit: 100_000_000))
    }

    @Test func limitIsConfigurable() throws {
        let error = #expect(throws: ScanError.self) {
            try QRReader(maxPixels: 1_000_000).read(contentsOf: Fixtures.png("console-1080p.png"))
        }
        #expect(error?.code == "too-large")
    }

    @Test func corruptPNGCarriesLibpngsMessage() throws {
        let error = #expect(throws: ScanError.self) {
            try QRReader().read(contentsOf: Fixtures.png("bad-idat-crc.png"))
        }
        #expect(error == .corruptPNG(message: "IDAT: CRC error"))
    }

    @Test func missingFileAndDirectory() throws {
        let reader = try QRReader()
        #expect(throws: ScanError.notFound) { try reader.read(contentsOf: Fixtures.png("does-not-exist.png")) }
        let error = #expect(throws: ScanError.self) { try reader.read(contentsOf: Fixtures.root.path) }
        #expect(error?.code == "unreadable")
    }

    @Test func notPNGSaysWhatTheFileIs() throws {
        let reader = try QRReader()
        #expect(throws: ScanError.notAnImage(looksLike: "it is a GIF image")) {
            try reader.read(contentsOf: Fixtures.png("bad-gif.png"))
        }
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("otp-empty-\(UUID().uuidString).png")
        try Data().write(to: empty)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect(throws: ScanError.notAnImage(looksLike: "the file is empty")) {
            try reader.read(contentsOf: empty.path)
        }
        #expect(throws: ScanError.notAnImage(looksLike: "it is a text file")) {
            try reader.read(contentsOf: Fixtures.png("bad-text.png"))
        }
    }

    @Test func parallelReaderKeepsOrderAndIsolatesFailures() {
        let names = ["two-codes.png", "bad-gif.png", "console-1080p.png", "no-code.png", "gray16.png"]
        let results = ParallelReader.read(names.map(Fixtures.png), workers: 2)
        #expect(results.count == names.count)
        for (name, result) in zip(names, results) {
            switch result {
            case .success(let outcome):
                #expect(outcome.payloads.map(\.text) == Fixtures.manifest[name]?.payloads)
            case .failure(let error):
                #expect(error.code == Fixtures.manifest[name]?.error)
            }
        }
    }

    @Test func readingOrderIsRowsThenColumns() {
        let a = Payload(bytes: [1], x: 500, y: 10, width: 100, height: 100)
        let b = Payload(bytes: [2], x: 50, y: 30, width: 100, height: 100)
        let c = Payload(bytes: [3], x: 60, y: 400, width: 100, height: 100)
        #expect(QRReader.readingOrder([c, a, b]).map(\.bytes) == [[2], [1], [3]])
    }

    @Test func shiftJISIsGuessedLikeZXing() {
        // "テスト" in Shift_JIS: valid SJIS with a three-character double-byte word, not UTF-8.
        #expect(Payload(bytes: [0x83, 0x65, 0x83, 0x58, 0x83, 0x67]).text == "テスト")
        // Backslash and tilde stay themselves (CP932), not yen sign and overline.
        #expect(Payload(bytes: [0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x5C, 0x7E]).text == "テスト\\~")
        // Latin-1 with accents stays Latin-1.
        #expect(Payload(bytes: Array("Soci".utf8) + [0xE9, 0x74, 0xE9]).text == "Société")
    }

    @Test func payloadTextFallsBackToLatin1() {
        #expect(Payload(bytes: Array("josé".utf8)).text == "josé")
        #expect(Payload(bytes: [0x6A, 0x6F, 0x73, 0xE9]).text == "josé")
        #expect(Payload(bytes: [0x61, 0x00, 0x62]).text == "a\u{0}b")
    }
}
