import Testing

@_spi(Benchmarks) @testable import OTPScan

@Suite struct FinderPatternTests {
    func gray(_ name: String) throws -> GrayImage {
        try PNGDecoder.decode(FileLoader.read(Fixtures.png(name))).image
    }

    @Test func findsTheThreeCornersInBothPolarities() throws {
        for name in ["console-1080p.png", "console-1080p-dark.png", "jpeg-damaged.png"] {
            let found = FinderPatternDetector.candidates(in: try gray(name))
            #expect(found.count >= 3, "\(name): \(found.count) finder patterns")
        }
        // Low contrast: not every corner survives thresholding, but one is enough to go on scanning.
        #expect(FinderPatternDetector.mightContainCode(try gray("grey-on-grey.png")))
    }

    @Test func noPatternInAPageWithoutCode() throws {
        #expect(!FinderPatternDetector.mightContainCode(try gray("no-code.png")))
    }

    @Test func ratioTolerance() {
        #expect(FinderPatternDetector.ratio(4, 4, 12, 4, 4) != nil)
        #expect(FinderPatternDetector.ratio(5, 3, 13, 4, 4) != nil)
        #expect(FinderPatternDetector.ratio(4, 4, 4, 4, 4) == nil)
        #expect(FinderPatternDetector.ratio(1, 1, 1, 1, 1) == nil)
    }

    /// The check is what lets an image without a code stop early: the expensive passes never run.
    @Test func imageWithoutCodeStopsAfterTheFirstPasses() throws {
        let reader = try QRReader()
        #expect(throws: ScanError.noCode) { try reader.read(contentsOf: Fixtures.png("no-code.png")) }
        #expect(
            reader.lastSteps.map(\.name) == [
                "decode", "region around finder patterns", "as-is", "inverted", "no finder pattern: stop",
            ])
    }
}
