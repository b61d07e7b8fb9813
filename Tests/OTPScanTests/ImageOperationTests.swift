import Testing

@_spi(Benchmarks) @testable import OTPScan

@Suite struct ImageOperationTests {
    let image = GrayImage(width: 4, height: 2, pixels: [0, 10, 20, 30, 40, 50, 60, 255])

    @Test func inverted() {
        #expect(image.inverted().pixels == [255, 245, 235, 225, 215, 205, 195, 0])
    }

    @Test func downscaledAveragesBoxes() {
        let small = image.downscaled(by: 2)
        #expect(small.width == 2 && small.height == 1)
        #expect(small.pixels == [25, 91])  // (0+10+40+50)/4 = 25, (20+30+60+255)/4 = 91.25
    }

    @Test func upscaledRepeatsPixels() {
        let big = GrayImage(width: 2, height: 1, pixels: [1, 2]).upscaled(by: 3)
        #expect(big.width == 6 && big.height == 3)
        #expect(big.pixels == [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2])
    }

    @Test func binarizeGivesPureBlackAndWhite() throws {
        var pixels = [UInt8](repeating: 0, count: 64 * 64)
        for y in 0..<64 { for x in 0..<64 { pixels[y * 64 + x] = UInt8(100 + (x / 4 % 2) * 40 + y / 4) } }
        let binary = try #require(GrayImage(width: 64, height: 64, pixels: pixels).binarized())
        #expect(Set(binary.pixels).isSubset(of: [0, 255]))
        #expect(binary.pixels[0] == 0 && binary.pixels[4] == 255)  // dark stripe, light stripe
        #expect(GrayImage(width: 20, height: 20, fill: 0).binarized() == nil)
    }

    @Test func invertedVariantsMatchInvertingAfterwards() throws {
        let image = try PNGDecoder.decode(FileLoader.read(Fixtures.png("grey-on-grey.png"))).image
        #expect(image.binarized(inverted: true) == image.binarized()?.inverted())
    }

    @Test func resizingPaddingRotationAndSmoothing() {
        let image = GrayImage(width: 4, height: 2, pixels: [0, 0, 255, 255, 0, 0, 255, 255])
        let doubled = image.scaled(by: 2)
        #expect(doubled.width == 8 && doubled.height == 4)
        #expect(doubled.pixels.first == 0 && doubled.pixels.last == 255)
        let padded = image.padded(by: 3)
        #expect(padded.width == 10 && padded.height == 8 && padded.pixels[0] == 255 && padded.pixels[3 * 10 + 3] == 0)
        let square = GrayImage(width: 10, height: 10, fill: 0)
        let rotated = square.rotated45()
        #expect(rotated.width == rotated.height && rotated.width >= 14)
        #expect(rotated.pixels[0] == 255 && rotated.pixels[rotated.width / 2 * rotated.width + rotated.width / 2] == 0)
        let flat = GrayImage(width: 5, height: 5, fill: 90)
        #expect(flat.smoothed() == flat)
    }

    @Test func passesAreCheapestFirst() {
        let fourK = GrayImage(width: 3840, height: 2160, fill: 255)
        #expect(
            Array(QRReader.passes(for: fourK).prefix(5)) == [
                .region, .downscaled(2), .downscaledInverted(2), .asIs, .inverted,
            ])
        let fullHD = GrayImage(width: 1920, height: 1080, fill: 255)
        #expect(Array(QRReader.passes(for: fullHD).prefix(3)) == [.region, .asIs, .inverted])
        let small = GrayImage(width: 400, height: 300, fill: 255)
        #expect(Array(QRReader.passes(for: small).prefix(4)) == [.asIs, .inverted, .rectified, .upscaled(3)])
    }
}
