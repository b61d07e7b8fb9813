import Foundation
import Testing

@_spi(Benchmarks) @testable import OTPScan

/// JPEG, WebP and HEIF (issue 14): photos and screenshots in the formats phones and browsers save, each decoded by its
/// own C library, and the files that must be refused quickly.
@Suite struct CameraFormatTests {
    static let uriA = "otpauth://totp/Photo:alice@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Photo"
    static let uriB = "otpauth://totp/Photo:bob@example.com?secret=KRSXG5CTMVRXEZLUKN2XAZLS&issuer=Photo"

    static func photo(_ name: String) -> String { Fixtures.root.appendingPathComponent("photo/\(name)").path }
    static func hostile(_ name: String) -> String { Fixtures.root.appendingPathComponent("hostile/\(name)").path }

    @Test(arguments: [
        ("two-codes-exif6.jpg", ImageFormat.jpeg), ("two-codes-progressive.jpg", .jpeg), ("two-codes-cmyk.jpg", .jpeg),
        ("two-codes.webp", .webp), ("two-codes-lossless.webp", .webp), ("two-codes.heic", .heif),
    ])
    func everyFormatReadsBothCodesInReadingOrder(name: String, format: ImageFormat) throws {
        let bytes = try FileLoader.read(Self.photo(name))
        #expect(ImageFormat.sniff(bytes) == format)
        let outcome = try QRReader().read(image: bytes)
        #expect(outcome.payloads.map(\.text) == [Self.uriA, Self.uriB])
        let decoded = try ImageDecoder.decode(bytes)
        #expect(decoded.format == format && decoded.image.width == 560 && decoded.image.height == 300)
    }

    @Test func exifOrientationTurnsTheStoredPixelsUpright() throws {
        let bytes = try FileLoader.read(Self.photo("two-codes-exif6.jpg"))
        let info = try JPEGDecoder.info(bytes)
        // Stored turned a quarter anticlockwise (300 wide, 560 tall); orientation 6 says "turn clockwise to show".
        #expect(info.width == 300 && info.height == 560 && info.orientation == 6)
        let upright = try JPEGDecoder.decode(bytes).image
        #expect(upright.width == 560 && upright.height == 300)
        // Read as stored, code B (on the right when upright) would come first: the order proves the turn.
        let stored = upright.oriented(exif: 8)
        let asStored = QRReader.readingOrder(try QRReader().scan(stored).payloads).map(\.text)
        #expect(asStored == [Self.uriB, Self.uriA])
    }

    @Test func orientationsMatchTheirDefinitions() {
        // 3 × 2:  a b c
        //         d e f
        let image = GrayImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])
        let expected: [Int: (Int, Int, [UInt8])] = [
            1: (3, 2, [1, 2, 3, 4, 5, 6]), 2: (3, 2, [3, 2, 1, 6, 5, 4]), 3: (3, 2, [6, 5, 4, 3, 2, 1]),
            4: (3, 2, [4, 5, 6, 1, 2, 3]), 5: (2, 3, [1, 4, 2, 5, 3, 6]), 6: (2, 3, [4, 1, 5, 2, 6, 3]),
            7: (2, 3, [6, 3, 5, 2, 4, 1]), 8: (2, 3, [3, 6, 2, 5, 1, 4]), 0: (3, 2, [1, 2, 3, 4, 5, 6]),
        ]
        for (orientation, (width, height, pixels)) in expected {
            let turned = image.oriented(exif: orientation)
            #expect(turned.width == width && turned.height == height && turned.pixels == pixels, "\(orientation)")
        }
        // 6 then 8 is the identity; 3 twice is the identity.
        #expect(image.oriented(exif: 6).oriented(exif: 8) == image)
        #expect(image.oriented(exif: 3).oriented(exif: 3) == image)
    }

    @Test func exifParsingSurvivesDamage() {
        func tiff(_ bigEndian: Bool, count: Int = 1, type: Int = 3, value: Int = 6) -> [UInt8] {
            func u16(_ v: Int) -> [UInt8] {
                bigEndian ? [UInt8(v >> 8), UInt8(v & 255)] : [UInt8(v & 255), UInt8(v >> 8)]
            }
            func u32(_ v: Int) -> [UInt8] {
                bigEndian ? u16(v >> 16) + u16(v & 0xFFFF) : u16(v & 0xFFFF) + u16(v >> 16)
            }
            let order: [UInt8] = bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]
            return order + u16(42) + u32(8) + u16(count) + u16(0x0112) + u16(type) + u32(1) + u16(value) + u16(0)
        }
        #expect(ExifOrientation.orientation(tiff: tiff(false)[...]) == 6)
        #expect(ExifOrientation.orientation(tiff: tiff(true, value: 3)[...]) == 3)
        #expect(ExifOrientation.orientation(tiff: tiff(true, value: 9)[...]) == 1)
        #expect(ExifOrientation.orientation(tiff: tiff(false, type: 4)[...]) == 1)
        // An entry count running far past the end, and every truncation, give "upright", never a trap.
        #expect(ExifOrientation.orientation(tiff: tiff(false, count: 65535)[...]) == 6)
        // The value ends at byte 20 of the 22: every shorter cut loses it.
        let whole = tiff(false)
        for cut in 0..<whole.count {
            #expect(ExifOrientation.orientation(tiff: whole[..<cut]) == (cut >= 20 ? 6 : 1), "cut at \(cut)")
        }
        #expect(ExifOrientation.read(fromJPEG: [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x45]) == 1)
    }

    @Test func aLargeJPEGIsFirstReadReducedInTheDCTDomain() throws {
        // 2400 × 1700 (4.1 MP): ÷2 leaves 1 MP, ÷4 too little (0.25 MP).
        let reader = try QRReader()
        let outcome = try reader.read(contentsOf: Self.photo("large-frame.jpg"))
        #expect(outcome.payloads.map(\.text) == [Self.uriA])
        #expect(reader.lastSteps.first?.name == "decode ÷2 (DCT)")
        #expect(!reader.lastSteps.contains { $0.name == "decode" })
        // The box is in the full image's pixels: the code was pasted at x = 700, y = 300 (border of 4 modules of 14).
        let box = try #require(outcome.payloads.first)
        #expect(abs(box.x - 756) <= 8 && abs(box.y - 356) <= 8)
    }

    @Test func aReducedLookThatFindsNothingFallsBackToFullSize() throws {
        // The small first look of the bomb finds nothing; the full-size decode then runs (and finds nothing either).
        let reader = try QRReader()
        // Its data ends after 64 × 64 pixels: the error says the file is cut short, not just that no code was found.
        #expect(
            throws: ScanError.noCodeInDamagedImage(
                damage: "the JPEG data is corrupt or cut short")
        ) {
            try reader.read(contentsOf: Self.hostile("jpeg-bomb-100mp.jpg"))
        }
        #expect(reader.lastSteps.first?.name == "decode ÷8 (DCT)")
        #expect(reader.lastSteps.contains { $0.name == "decode" })
    }

    @Test(arguments: [
        ("jpeg-declares-65000x65000.jpg", "too-large", "65000×65000"),
        ("jpeg-header-only.jpg", "corrupt-image", "damaged JPEG image"),
        ("jpeg-1000-scans.jpg", "corrupt-image", "more than 500 progressive scans"),
        ("jpeg-100-scans-16mp.jpg", "corrupt-image", "more than 75 progressive scans"),
        ("webp-declares-16383x16383.webp", "too-large", "16383×16383"),
        ("webp-truncated.webp", "corrupt-image", "damaged WebP image"),
        ("webp-animated.webp", "unsupported-image", "animated"),
        ("heic-truncated.heic", "corrupt-image", "damaged HEIF image"),
        ("heic-declares-60000x60000.heic", "corrupt-image", "60000x60000"),
    ])
    func hostileCameraFilesAreRefusedByName(name: String, code: String, words: String) throws {
        let bytes = try FileLoader.read(Self.hostile(name))
        do {
            _ = try QRReader().read(image: bytes)
            Issue.record("\(name) was read")
        } catch {
            #expect(error.code == code, "\(name): \(error)")
            #expect(error.description.contains(words), "\(name): \(error)")
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func progressiveScansAreBoundedByImageSize() {
        // 499 scans over 64 MP once took 57 s; the budget is pixels × scans, with a floor and a cap.
        #expect(JPEGDecoder.maxScans(pixels: 64 * 64) == 500)
        #expect(JPEGDecoder.maxScans(pixels: 12_000_000) == 100)
        #expect(JPEGDecoder.maxScans(pixels: 16_000_000) == 75)
        #expect(JPEGDecoder.maxScans(pixels: 64_000_000) == 18)
        #expect(JPEGDecoder.maxScans(pixels: 100_000_000) == 16)
        #expect(JPEGDecoder.maxScans(pixels: 0) == 500)
    }

    @Test func aTruncatedJPEGDecodesAsFarAsItGoes() throws {
        // Cut at 3 000 of its bytes: libjpeg warns and fills the rest, as viewers do; no code is left to read.
        let bytes = try FileLoader.read(Self.hostile("jpeg-truncated.jpg"))
        let decoded = try ImageDecoder.decode(bytes)
        #expect(decoded.image.width == 560 && decoded.image.height == 300)
        #expect(decoded.damage != nil)
        // The error names the damage (the code may be in the missing part) and keeps the contract's code.
        #expect(
            throws: ScanError.noCodeInDamagedImage(
                damage: "the JPEG data is corrupt or cut short")
        ) { try QRReader().read(image: bytes) }
        #expect(
            ScanError.noCodeInDamagedImage(damage: "the JPEG data is corrupt or cut short")
                .code == "no-code")
        // An intact file reports no damage.
        #expect(try ImageDecoder.decode(FileLoader.read(Self.photo("two-codes-progressive.jpg"))).damage == nil)
    }

    @Test func otherISOMediaFilesAreNotMistakenForHEIF() {
        var mp4 = [UInt8](repeating: 0, count: 32)
        mp4[3] = 24
        mp4.replaceSubrange(4..<12, with: Array("ftypisom".utf8))
        mp4.replaceSubrange(16..<24, with: Array("isomiso2".utf8))
        #expect(ImageFormat.sniff(mp4) == nil)
        var heic = mp4
        heic.replaceSubrange(20..<24, with: Array("mif1".utf8))
        #expect(ImageFormat.sniff(heic) == .heif)
        // The minor version field (bytes 12–15) is not a brand.
        var minor = mp4
        minor.replaceSubrange(12..<16, with: Array("heic".utf8))
        #expect(ImageFormat.sniff(minor) == nil)
    }
}
