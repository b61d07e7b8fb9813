import Foundation
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

/// Bent paper: the rectifying pass corrects each column and row by the timing patterns when the homography alone
/// leaves the code unread.
@Suite struct TimingWarpTests {
    /// A code wrapped round a vertical cylinder (a bottle, a rolled page), seen from the front.
    static func bent(_ text: String, module: Double, radius: Double) throws -> GrayImage {
        let matrix = try QRCodeMatrix(encoding: text)
        let n = Double(matrix.size)
        let width = Int(n * module) + 160
        let height = Int(n * module) + 120
        let center = Double(width) / 2
        let left = center - n * module / 2
        var pixels = [UInt8](repeating: 225, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let t = (Double(x) + 0.5 - center) / radius
                guard abs(t) < 1 else { continue }
                let u = (center + radius * asin(t) - left) / module
                let v = (Double(y) + 0.5 - 60) / module
                if u >= 0, v >= 0, u < n, v < n, matrix.isDark(x: Int(u), y: Int(v)) { pixels[y * width + x] = 30 }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    @Test func aCodeOnACylinderReadsThroughItsTimingPatterns() throws {
        let uri = "otpauth://totp/Bottle:dana@example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Bottle"
        let image = try Self.bent(uri, module: 8, radius: 270)
        let reader = try QRReader()
        #expect(reader.run(.asIs, on: image).isEmpty)
        #expect(reader.run(.rectified, on: image).map(\.text) == [uri])
        // The homography alone does not read it: the timing patterns do.
        let binary = try #require(image.binarized())
        let search = FinderPatternDetector.search(image)
        var plain = 0
        var warped = 0
        for triple in PerspectiveRectifier.triples(search.candidates) {
            for placement in PerspectiveRectifier.placements(of: triple, binary: binary) {
                let zbar = try ZBarScanner()
                plain += zbar.scan(PerspectiveRectifier.render(image, placement, pixelsPerModule: 4).0).count
                if let warp = PerspectiveRectifier.TimingWarp.measure(binary, placement) {
                    warped +=
                        zbar.scan(PerspectiveRectifier.render(image, placement, pixelsPerModule: 4, warp: warp).0)
                        .count
                }
            }
        }
        #expect(plain == 0 && warped > 0)
    }

    @Test func axesInterpolateAndExtrapolate() {
        let axis = PerspectiveRectifier.TimingWarp.Axis(ideal: [7, 8, 9], seen: [7.5, 8.25, 9.5])
        #expect(axis.map(8) == 8.25)
        #expect(axis.map(8.5) == 8.875)
        #expect(axis.map(6) == 6.75)  // the first segment's slope, before the first edge
        #expect(axis.map(10) == 10.75)  // the last segment's slope, after the last edge
    }
}
