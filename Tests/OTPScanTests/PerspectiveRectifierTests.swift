import OTPQRCode
import Testing

@_spi(Benchmarks) @testable import OTPScan

/// The rectifying pass (issue 14): homographies from finder patterns, and a tilted code zbar alone cannot read.
@Suite struct PerspectiveRectifierTests {
    typealias Point = PerspectiveRectifier.Point
    typealias Homography = PerspectiveRectifier.Homography

    static let known = Homography(h: [4.1, -0.9, 180, 1.2, 3.6, 240, 0.0042, 0.0031, 1])

    @Test func fourPointsDetermineTheHomography() throws {
        let modules = [Point(x: 3.5, y: 3.5), Point(x: 37.5, y: 3.5), Point(x: 3.5, y: 37.5), Point(x: 34.5, y: 34.5)]
        let recovered = try #require(Homography.through(modules.map { ($0, Self.known.map($0.x, $0.y)) }))
        for (u, v) in [(0.0, 0.0), (41, 41), (20, 7), (-3, 44)] {
            let a = Self.known.map(u, v)
            let b = recovered.map(u, v)
            #expect((a - b).length < 1e-6)
        }
        // Three collinear points and a fourth: degenerate, no map.
        let line = [Point(x: 0, y: 0), Point(x: 1, y: 1), Point(x: 2, y: 2), Point(x: 3, y: 3)]
        #expect(Homography.through(line.map { ($0, $0) }) == nil)
    }

    @Test func threePointsAndTheirScaleDetermineThePerspective() throws {
        // With w known at the three finder centres (from how module sizes change), three points suffice.
        let n = 41.0
        let modules = [Point(x: 3.5, y: 3.5), Point(x: n - 3.5, y: 3.5), Point(x: 3.5, y: n - 3.5)]
        let w = modules.map { Self.known.w($0.x, $0.y) / Self.known.w(3.5, 3.5) }
        let pairs = modules.map { ($0, Self.known.map($0.x, $0.y)) }
        let recovered = try #require(Homography.perspective(pairs, w: w))
        let far = (Self.known.map(n - 6.5, n - 6.5) - recovered.map(n - 6.5, n - 6.5)).length
        #expect(far < 1e-6)
        // The affine map of the same three points misses the far corner by many modules: what the pass corrects.
        let affine = try #require(Homography.affine(pairs))
        #expect((Self.known.map(n, n) - affine.map(n, n)).length > 8)
    }

    /// A code drawn through `homography` (module coordinates → pixels) on a light background.
    static func tilted(_ text: String, through homography: Homography, width: Int, height: Int) throws -> GrayImage {
        let matrix = try QRCodeMatrix(encoding: text)
        let n = Double(matrix.size)
        let corners = [Point(x: 0, y: 0), Point(x: n, y: 0), Point(x: 0, y: n), Point(x: n, y: n)]
        let inverse = try #require(Homography.through(corners.map { (homography.map($0.x, $0.y), $0) }))
        var pixels = [UInt8](repeating: 230, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                // Four samples a pixel: anti-aliased edges, as a camera sees them.
                var dark = 0
                for (dx, dy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                    let m = inverse.map(Double(x) + dx, Double(y) + dy)
                    let (u, v) = (Int(m.x.rounded(.down)), Int(m.y.rounded(.down)))
                    if u >= 0, v >= 0, u < matrix.size, v < matrix.size, matrix.isDark(x: u, y: v) { dark += 1 }
                }
                pixels[y * width + x] = UInt8(230 - dark * 50)
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    @Test func aStronglyTiltedCodeReadsOnlyOnceRectified() throws {
        let uri = "otpauth://totp/Tilted:carol@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tilted"
        // One side of the code about 60 % as long as the other: a phone held well off square.
        let side = 37.0
        let corners = [Point(x: 0, y: 0), Point(x: side, y: 0), Point(x: 0, y: side), Point(x: side, y: side)]
        let image = [Point(x: 190, y: 250), Point(x: 390, y: 185), Point(x: 145, y: 465), Point(x: 460, y: 470)]
        let homography = try #require(Homography.through(Array(zip(corners, image))))
        let tilted = try Self.tilted(uri, through: homography, width: 600, height: 560)
        let reader = try QRReader()
        #expect(reader.run(.asIs, on: tilted).isEmpty)
        #expect(reader.run(.rectified, on: tilted).map(\.text) == [uri])
        // The whole reader finds it, through the rectifying pass.
        let outcome = reader.scan(tilted)
        #expect(outcome.payloads.map(\.text) == [uri])
    }

    @Test func rectifyingTakesNoTimeOnImagesWithoutThreeFinderPatterns() throws {
        let blank = GrayImage(width: 400, height: 300, fill: 200)
        #expect(try QRReader().run(.rectified, on: blank).isEmpty)
        #expect(PerspectiveRectifier.triples([]).isEmpty)
    }
}
