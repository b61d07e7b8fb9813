import Foundation
import Testing

@_spi(Benchmarks) @testable import OTPScan

/// Regression tests for issue 9, class 1 (extreme shapes, declared sizes): files of a few hundred bytes that made
/// the scan passes ask for tens of gigabytes, run for seconds, or made libpng allocate a declared chunk.
@Suite struct HostileImageTests {
    static func hostile(_ name: String) -> String {
        Fixtures.root.appendingPathComponent("hostile/\(name)").path
    }

    @Test(arguments: ["narrow-1x250000.png", "narrow-250000x1.png", "narrow-1x5000.png"])
    func shapesThatCannotHoldACodeStopBeforeAnyPass(name: String) throws {
        let reader = try QRReader()
        #expect(throws: ScanError.noCode) { try reader.read(contentsOf: Self.hostile(name)) }
        // No pass ran: the only step after decoding is the refusal.
        #expect(reader.lastSteps.count == 2)
        #expect(reader.lastSteps.last?.name.hasPrefix("too narrow") == true)
    }

    /// Issue 24, class 6: an image that is a texture of finder-like tiles (a 1.7 KB WebP decodes to one) made zbar's
    /// full-size passes take 11 s at 16 MP and minutes at 100 MP. After the first passes such a texture stops.
    @Test func aTextureOfFinderPatternsGetsOnlyTheFirstPasses() throws {
        // A finder pattern of 3-pixel modules in a 9-module cell, tiled over 3 000 × 3 000 pixels.
        let cell = 27
        let side = 3_000
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side {
                let (mx, my) = ((x % cell) / 3 - 1, (y % cell) / 3 - 1)
                guard (0..<7).contains(mx), (0..<7).contains(my) else { continue }
                let ring = min(mx, my, 6 - mx, 6 - my)
                pixels[y * side + x] = ring == 1 ? 255 : 0
            }
        }
        let reader = try QRReader()
        let outcome = reader.scan(GrayImage(width: side, height: side, pixels: pixels))
        #expect(outcome.payloads.isEmpty)
        let names = outcome.steps.map(\.name)
        #expect(names.contains("a texture of finder-like patterns: stop"), "\(names)")
        #expect(!names.contains("as-is"), "no full-size zbar pass ran")
    }

    @Test func thinStripsScanWithinTheBudget() throws {
        let reader = try QRReader()
        for name in ["stripes-21x250000.png", "stripes-25x4000.png"] {
            #expect(throws: ScanError.noCode) { try reader.read(contentsOf: Self.hostile(name)) }
        }
    }

    @Test func everyPassIsBoundedByTheBudget() {
        // The passes a 21 × 250 000 strip would need: rotation and padding far over the budget, so they are skipped.
        let strip = GrayImage(width: 21, height: 250_000, fill: 255)
        let budget = QRReader.passBudget(for: strip)
        #expect(QRReader.outputPixels(of: .rotated45, width: 21, height: 250_000) > budget)
        #expect(QRReader.outputPixels(of: .paddedEnlarged, width: 21, height: 250_000) > budget)
        #expect(QRReader.outputPixels(of: .asIs, width: 21, height: 250_000) <= budget)
        // A thumbnail's enlarging passes stay allowed (they read real images).
        let thumbnail = GrayImage(width: 200, height: 200, fill: 255)
        #expect(
            QRReader.outputPixels(of: .paddedEnlarged, width: 200, height: 200) <= QRReader.passBudget(for: thumbnail))
        #expect(QRReader.outputPixels(of: .rotated45, width: 200, height: 200) <= QRReader.passBudget(for: thumbnail))
        // Arithmetic saturates instead of trapping.
        #expect(QRReader.outputPixels(of: .upscaled(3), width: .max / 2, height: .max / 2) == .max)
        #expect(QRReader.passBudget(for: strip) <= QRReader.globalPassPixelLimit)
    }

    @Test(arguments: ["huge-text-chunk.png", "huge-idat-chunk.png"])
    func aChunkDeclaringMoreThanTheFileIsRefusedBeforeLibpng(name: String) throws {
        let bytes = try FileLoader.read(Self.hostile(name))
        #expect(bytes.count < 200)
        do {
            _ = try PNGDecoder.decode(bytes)
            Issue.record("decoded a file whose chunk runs past its end")
        } catch {
            guard case .corruptPNG(let message) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(message.contains("declares 2147483632 bytes"))
        }
    }

    @Test func aTextureSaturatesTheFinderSearchInsteadOfGroupingForMinutes() {
        // 3-pixel checkerboard, 400 × 400: thousands of 1:1:3:1:1-like runs.
        var pixels = [UInt8](repeating: 255, count: 400 * 400)
        for y in 0..<400 {
            for x in 0..<400 where (x / 3 + y / 3) % 2 == 1 { pixels[y * 400 + x] = 0 }
        }
        let search = FinderPatternDetector.search(GrayImage(width: 400, height: 400, pixels: pixels))
        if search.saturated {
            #expect(search.candidates.isEmpty && search.possible)
        }
        #expect(FinderPatternDetector.region(of: search.candidates, in: 400, 400) == nil)
    }

    @Test func nonRegularFilesAreRefusedWithoutBlocking() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opening a FIFO with no writer would block forever with a blocking open.
        #expect(
            throws: ScanError.unreadable(
                reason: "it is a pipe (FIFO), not a regular file; give it on standard input with -")
        ) {
            try FileLoader.read(fifo)
        }
        #expect(throws: ScanError.unreadable(reason: "it is a device, not a regular file")) {
            try FileLoader.read("/dev/zero")
        }
        #expect(throws: ScanError.unreadable(reason: "it is a directory")) { try FileLoader.read(directory.path) }
    }
}
