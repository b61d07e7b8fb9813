/// A fast test for "could this image hold a QR code?": looks for finder patterns, the three nested squares in a
/// code's corners, whose cross-section is dark-light-dark-light-dark runs in the ratio 1:1:3:1:1 (or the inverse,
/// for dark mode), horizontally and, through the same centre, vertically.
///
/// It runs on the locally thresholded image (so low contrast and uneven light do not hide patterns). It is
/// deliberately lenient: text and icons sometimes pass, which costs only time; a real code's finder patterns
/// almost never fail, which is what lets the reader stop early on images without a code.
public enum FinderPatternDetector {
    /// One confirmed pattern centre.
    struct Candidate: Equatable {
        let x: Int
        let y: Int
        let module: Double
        /// Dark centre (a code printed dark on light); false for dark mode.
        let dark: Bool
        /// How many scan lines confirmed it: a real finder pattern spans three modules of rows, a chance pattern
        /// in a code's data usually one or two.
        var rows: Int = 1
    }

    /// What a look for finder patterns found.
    struct Search {
        /// Pattern centres confirmed on at least two rows.
        let candidates: [Candidate]
        /// More raw hits than ``maximumHits``: a texture (stripes, a checkerboard, dense text), not a few codes. The
        /// search stopped there; such an image might hold a code but has no useful region.
        let saturated: Bool

        /// Whether the image might hold a code.
        var possible: Bool { saturated || !candidates.isEmpty }
    }

    /// The most raw hits collected before the search stops: a screenshot's codes give a few hundred; grouping stays
    /// linear-time bounded (hits × groups ≤ 2^24 comparisons) on hostile textures.
    static let maximumHits = 4096

    /// Whether at least one finder pattern is seen on two or more scan lines (or the image is a texture too dense
    /// to tell: then the reader's passes decide).
    public static func mightContainCode(_ image: GrayImage) -> Bool {
        search(image).possible
    }

    /// Finder-pattern centres confirmed on at least two rows.
    static func candidates(in image: GrayImage, rowStep: Int = 1) -> [Candidate] {
        search(image, rowStep: rowStep).candidates
    }

    /// Looks for finder patterns, stopping after ``maximumHits`` raw hits.
    static func search(_ image: GrayImage, rowStep: Int = 1) -> Search {
        guard let binary = image.binarized() else { return Search(candidates: [], saturated: false) }
        var hits: [Candidate] = []
        var saturated = false
        let width = binary.width
        let height = binary.height
        binary.pixels.withUnsafeBufferPointer { pixels in
            var runs: [Int] = []
            var starts: [Int] = []
            runs.reserveCapacity(256)
            starts.reserveCapacity(256)
            rows: for y in stride(from: 0, to: height, by: rowStep) {
                runs.removeAll(keepingCapacity: true)
                starts.removeAll(keepingCapacity: true)
                let row = y * width
                var start = 0
                for x in 1...width {
                    if x == width || pixels[row + x] != pixels[row + start] {
                        runs.append(x - start)
                        starts.append(start)
                        start = x
                    }
                }
                guard runs.count >= 5 else { continue }
                for i in 0...(runs.count - 5) {
                    guard let module = ratio(runs[i], runs[i + 1], runs[i + 2], runs[i + 3], runs[i + 4]) else {
                        continue
                    }
                    let centerX = starts[i + 2] + runs[i + 2] / 2
                    let total = runs[i] + runs[i + 1] + runs[i + 2] + runs[i + 3] + runs[i + 4]
                    if crossCheckVertical(pixels, width: width, height: height, x: centerX, y: y, expectedTotal: total)
                    {
                        hits.append(Candidate(x: centerX, y: y, module: module, dark: pixels[row + centerX] == 0))
                        if hits.count > maximumHits {
                            saturated = true
                            break rows
                        }
                    }
                }
            }
        }
        return Search(candidates: saturated ? [] : confirmed(hits), saturated: saturated)
    }

    /// The module size when five runs are 1:1:3:1:1 within 50 %, else `nil`.
    @inline(__always)
    static func ratio(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ e: Int) -> Double? {
        let total = a + b + c + d + e
        guard total >= 7 else { return nil }
        let module = Double(total) / 7
        let tolerance = module / 2
        // zxing's rule (each run within half a module, the centre within one and a half), with half a pixel of
        // slack for modules under two pixels, where rounding alone breaks the ratio.
        let slack = module < 2 ? 0.5 : 0
        func near(_ run: Int, _ expected: Double) -> Bool {
            abs(Double(run) - expected) < tolerance * (expected / module) + slack
        }
        guard near(a, module), near(b, module), near(c, module * 3), near(d, module), near(e, module) else {
            return nil
        }
        return module
    }

    /// The part of the image that holds the codes whose finder patterns are `candidates`: their bounding box grown
    /// by ten modules (a finder centre is 3.5 modules from the code's edge, then 4 modules of quiet zone), or `nil`
    /// when fewer than three patterns were seen (not enough to place a code) or the box is most of the image.
    static func region(
        of candidates: [Candidate], in width: Int, _ height: Int
    ) -> (x: Int, y: Int, width: Int, height: Int)? {
        guard candidates.count >= 3, let module = candidates.map(\.module).max() else { return nil }
        let margin = Int(10 * module) + 2
        let minX = max(0, (candidates.map(\.x).min() ?? 0) - margin)
        let maxX = min(width, (candidates.map(\.x).max() ?? width) + margin)
        let minY = max(0, (candidates.map(\.y).min() ?? 0) - margin)
        let maxY = min(height, (candidates.map(\.y).max() ?? height) + margin)
        guard maxX > minX, maxY > minY, (maxX - minX) * (maxY - minY) * 2 < width * height else { return nil }
        return (minX, minY, maxX - minX, maxY - minY)
    }

    /// Re-reads the five runs vertically through the candidate's centre. (Trying the diagonals too, when the vertical
    /// fails, found sheared patterns but let so many chance patterns through that it read fewer photos: measured.)
    private static func crossCheckVertical(
        _ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, x: Int, y: Int, expectedTotal: Int
    ) -> Bool {
        crossCheck(pixels, width: width, height: height, x: x, y: y, dx: 0, dy: 1, expectedTotal: expectedTotal)
    }

    private static func crossCheck(
        _ pixels: UnsafeBufferPointer<UInt8>, width: Int, height: Int, x: Int, y: Int, dx: Int, dy: Int,
        expectedTotal: Int
    ) -> Bool {
        let center = pixels[y * width + x]
        func run(from start: Int, sign: Int, color: UInt8, limit: Int) -> Int {
            var length = 0
            var step = start
            while length <= limit {
                let xx = x + step * dx
                let yy = y + step * dy
                guard xx >= 0, xx < width, yy >= 0, yy < height, pixels[yy * width + xx] == color else { break }
                length += 1
                step += sign
            }
            return length
        }
        let limit = expectedTotal * 3
        let other: UInt8 = center == 0 ? 255 : 0
        let upCenter = run(from: 0, sign: -1, color: center, limit: limit)
        let downCenter = run(from: 1, sign: 1, color: center, limit: limit)
        let up1 = run(from: -upCenter, sign: -1, color: other, limit: limit)
        let up2 = run(from: -upCenter - up1, sign: -1, color: center, limit: limit)
        let down1 = run(from: 1 + downCenter, sign: 1, color: other, limit: limit)
        let down2 = run(from: 1 + downCenter + down1, sign: 1, color: center, limit: limit)
        guard up1 > 0, up2 > 0, down1 > 0, down2 > 0 else { return false }
        let total = up2 + up1 + upCenter + downCenter + down1 + down2
        // The extent across may differ from the row's by the local foreshortening: a code turned 60° about one axis
        // shows its finder patterns half as wide as tall (or the other way). The 1:1:3:1:1 ratio is checked in each
        // direction on its own; between them, up to 1:2.5 is accepted (the text lines and icons this lets through
        // cost time in later passes only, measured in BENCHMARKS.md).
        guard 5 * total >= 2 * expectedTotal, 2 * total <= 5 * expectedTotal else { return false }
        return ratio(up2, up1, upCenter + downCenter, down1, down2) != nil
    }

    /// Groups hits within two modules of each other and keeps groups seen on at least two rows, each at the mean of
    /// its hits (the centre, to a fraction of a module: the rectifying pass maps the code from these points).
    private static func confirmed(_ hits: [Candidate]) -> [Candidate] {
        var groups: [(candidate: Candidate, count: Int, sumX: Int, sumY: Int, sumModule: Double)] = []
        for hit in hits {
            if let index = groups.firstIndex(where: {
                abs($0.candidate.x - hit.x) <= Int(2 * hit.module) + 1
                    && abs($0.candidate.y - hit.y) <= Int(4 * hit.module) + 1
            }) {
                groups[index].count += 1
                groups[index].sumX += hit.x
                groups[index].sumY += hit.y
                groups[index].sumModule += hit.module
            } else {
                groups.append((hit, 1, hit.x, hit.y, hit.module))
            }
        }
        return groups.filter { $0.count >= 2 }.map {
            Candidate(
                x: $0.sumX / $0.count, y: $0.sumY / $0.count, module: $0.sumModule / Double($0.count),
                dark: $0.candidate.dark, rows: $0.count)
        }
    }
}
