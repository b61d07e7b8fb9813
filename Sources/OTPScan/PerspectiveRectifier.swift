/// Undoes a photo's tilt before zbar sees the code: from the three finder patterns (and the alignment pattern near
/// the fourth corner, when the code has one) a homography maps the code's module grid onto the image; the code is
/// then resampled onto an upright square grid with a quiet zone, and zbar reads that clean image.
///
/// zbar locates codes with straight scan lines and assumes little distortion; zxing-cpp's lead on photos comes from
/// doing exactly this. The steps follow zxing's detector: pick three finder centres that form a right angle, measure
/// the module size along the lines between them, estimate the version, find the alignment pattern near where an
/// affine map puts it, and solve for the perspective transform through four points.
enum PerspectiveRectifier {
    struct Point: Equatable {
        var x: Double
        var y: Double

        static func + (a: Point, b: Point) -> Point { Point(x: a.x + b.x, y: a.y + b.y) }
        static func - (a: Point, b: Point) -> Point { Point(x: a.x - b.x, y: a.y - b.y) }
        static func * (a: Point, k: Double) -> Point { Point(x: a.x * k, y: a.y * k) }
        var length: Double { (x * x + y * y).squareRoot() }
    }

    /// A projective map from module coordinates (the top-left finder centre at (3.5, 3.5)) to image pixels.
    struct Homography {
        /// Row-major 3 × 3, h[8] = 1.
        let h: [Double]

        func map(_ u: Double, _ v: Double) -> Point {
            let w = h[6] * u + h[7] * v + h[8]
            return Point(x: (h[0] * u + h[1] * v + h[2]) / w, y: (h[3] * u + h[4] * v + h[5]) / w)
        }

        /// The map through four correspondences (module → image), or `nil` when they are degenerate.
        static func through(_ pairs: [(Point, Point)]) -> Homography? {
            guard pairs.count == 4 else { return nil }
            var a = [[Double]]()
            for (m, p) in pairs {
                a.append([m.x, m.y, 1, 0, 0, 0, -p.x * m.x, -p.x * m.y, p.x])
                a.append([0, 0, 0, m.x, m.y, 1, -p.y * m.x, -p.y * m.y, p.y])
            }
            guard let solution = solve(a) else { return nil }
            return Homography(h: solution + [1])
        }

        /// w (the projective denominator) at a point, relative to the map's normalisation.
        func w(_ u: Double, _ v: Double) -> Double { h[6] * u + h[7] * v + h[8] }

        /// The projective map through three correspondences whose w values are known (from how the scale changes
        /// between them): the image points scaled by w come from an affine map, and w is linear in (u, v).
        static func perspective(_ pairs: [(Point, Point)], w: [Double]) -> Homography? {
            guard pairs.count == 3, w.count == 3 else { return nil }
            let scaled = zip(pairs, w).map { pair, weight in (pair.0, pair.1 * weight) }
            guard let a = affine(scaled) else { return nil }
            // w(u, v) = g u + h v + k through the three module points.
            var rows = [[Double]]()
            for ((m, _), weight) in zip(pairs, w) { rows.append([m.x, m.y, 1, weight]) }
            guard let g = solve(rows), g[2] != 0 else { return nil }
            let k = g[2]
            let h = [a.h[0], a.h[1], a.h[2], a.h[3], a.h[4], a.h[5], g[0], g[1], k].map { $0 / k }
            return Homography(h: h)
        }

        /// The affine map through three correspondences.
        static func affine(_ pairs: [(Point, Point)]) -> Homography? {
            guard pairs.count == 3 else { return nil }
            var a = [[Double]]()
            for (m, p) in pairs {
                a.append([m.x, m.y, 1, 0, 0, 0, p.x])
                a.append([0, 0, 0, m.x, m.y, 1, p.y])
            }
            guard let s = solve(a) else { return nil }
            return Homography(h: [s[0], s[1], s[2], s[3], s[4], s[5], 0, 0, 1])
        }

        /// Gaussian elimination with partial pivoting on an augmented n × (n + 1) matrix.
        static func solve(_ matrix: [[Double]]) -> [Double]? {
            var m = matrix
            let n = m.count
            for column in 0..<n {
                guard let pivot = (column..<n).max(by: { abs(m[$0][column]) < abs(m[$1][column]) }),
                    abs(m[pivot][column]) > 1e-9
                else { return nil }
                m.swapAt(column, pivot)
                for row in 0..<n where row != column {
                    let factor = m[row][column] / m[column][column]
                    if factor == 0 { continue }
                    for k in column...n { m[row][k] -= factor * m[column][k] }
                }
            }
            return (0..<n).map { m[$0][n] / m[$0][$0] }
        }
    }

    /// One code's placement: where its grid lies in the image, its size in modules, and its polarity.
    struct Placement {
        let homography: Homography
        let dimension: Int
        let dark: Bool
    }

    /// At most this many finder-pattern triples are tried per image.
    static let maximumTriples = 6

    /// Reads the codes whose finder patterns are among `candidates`: each plausible placement is resampled upright
    /// and given to `read` (zbar), stopping at a triple's first placement that reads. Returns what was read, each
    /// with the box its code covers in `image`. `binary` is `image` locally thresholded (0 dark, 255 light).
    static func read(
        _ image: GrayImage, binary: GrayImage, candidates: [FinderPatternDetector.Candidate], pixelsPerModule: Int = 4,
        with read: (GrayImage) -> [Payload]
    ) -> [(payload: Payload, box: (x: Int, y: Int, width: Int, height: Int))] {
        var out: [(Payload, (Int, Int, Int, Int))] = []
        for triple in triples(candidates) {
            for placement in placements(of: triple, binary: binary) {
                let (rendered, box) = render(image, placement, pixelsPerModule: pixelsPerModule)
                var found = read(rendered)
                if found.isEmpty, let warp = TimingWarp.measure(binary, placement) {
                    // Bent paper: the timing patterns say where each column and row really is.
                    found = read(render(image, placement, pixelsPerModule: pixelsPerModule, warp: warp).0)
                }
                out += found.map { ($0, box) }
                if !found.isEmpty { break }
            }
        }
        return out
    }

    /// Triples of finder centres shaped like a code's corners (top-left, top-right, bottom-left): similar module
    /// sizes, two sides of similar length meeting at nearly a right angle. Best first.
    static func triples(_ candidates: [FinderPatternDetector.Candidate]) -> [[FinderPatternDetector.Candidate]] {
        // The patterns seen on the most rows first: a dense code's data makes chance 1:1:3:1:1 runs too.
        let pool = Array(candidates.sorted { $0.rows > $1.rows }.prefix(12))
        guard pool.count >= 3 else { return [] }
        var scored: [(score: Double, triple: [FinderPatternDetector.Candidate])] = []
        for i in 0..<pool.count {
            for j in (i + 1)..<pool.count {
                for k in (j + 1)..<pool.count {
                    let three = [pool[i], pool[j], pool[k]]
                    guard three.allSatisfy({ $0.dark == three[0].dark }) else { continue }
                    let modules = three.map(\.module)
                    guard let low = modules.min(), let high = modules.max(), high <= 2.5 * low else { continue }
                    var options: [(Double, [FinderPatternDetector.Candidate])] = []
                    for corner in 0..<3 {
                        let c = three[corner]
                        let others = three.enumerated().filter { $0.offset != corner }.map(\.element)
                        let a = point(others[0]) - point(c)
                        let b = point(others[1]) - point(c)
                        let la = a.length
                        let lb = b.length
                        // A code turned 60° about one axis shows one side half as long as the other, and its corner
                        // angle far from square: up to 1:2.6 and a cosine of 0.8 are shapes a tilted code makes.
                        guard min(la, lb) >= 10 * low, max(la, lb) <= 2.6 * min(la, lb) else { continue }
                        let cosine = abs(a.x * b.x + a.y * b.y) / (la * lb)
                        guard cosine < 0.8 else { continue }
                        let score = cosine + abs(1 - la / lb) / 2
                        // Top-right is the one clockwise from top-left (y grows downwards).
                        let cross = a.x * b.y - a.y * b.x
                        let ordered = cross > 0 ? [c, others[0], others[1]] : [c, others[1], others[0]]
                        options.append((score, ordered))
                    }
                    // A real finder pattern spans three modules of rows; a chance 1:1:3:1:1 in a code's data one
                    // or two. Under strong tilt the shape scores of the real corners are no better than a chance
                    // triple's, so the rows seen weigh in too.
                    let rows = Double(three.map(\.rows).min() ?? 1)
                    // Strong tilt also makes the wrong corner look squarer than the right one: a close second
                    // choice of corner is tried too.
                    let ranked = options.sorted { $0.0 < $1.0 }
                    for (rank, option) in ranked.prefix(2).enumerated() where rank == 0 || option.0 < ranked[0].0 + 0.35
                    {
                        scored.append((option.0 + 4 / rows + Double(rank) * 0.1, option.1))
                    }
                }
            }
        }
        return scored.sorted { $0.score < $1.score }.prefix(maximumTriples).map(\.triple)
    }

    static func point(_ c: FinderPatternDetector.Candidate) -> Point { Point(x: Double(c.x), y: Double(c.y)) }

    /// The placements worth trying for a triple: the estimated version and its neighbours, each through the
    /// alignment pattern when one is found near where it should be, else through the perspective the finder
    /// patterns' sizes show; and the plain affine map at the estimated version.
    ///
    /// Along a line, a projective map's scale falls as 1/w²: finder patterns measured along the lines between them
    /// (module sizes m₁ at one end, m₂ at the other) give w₂/w₁ = √(m₁/m₂), and the number of modules between their
    /// centres is the distance over √(m₁ m₂).
    static func placements(of triple: [FinderPatternDetector.Candidate], binary: GrayImage) -> [Placement] {
        let topLeft = point(triple[0])
        let topRight = point(triple[1])
        let bottomLeft = point(triple[2])
        let dark = triple[0].dark
        func measured(_ from: Point, _ to: Point, _ fallback: Double) -> Double {
            guard let span = patternSpan(binary, at: from, toward: to, dark: dark), span > 3.5 else { return fallback }
            return span / 7
        }
        let leftAcross = measured(topLeft, topRight, triple[0].module)
        let rightAcross = measured(topRight, topLeft, triple[1].module)
        let leftDown = measured(topLeft, bottomLeft, triple[0].module)
        let bottomDown = measured(bottomLeft, topLeft, triple[2].module)
        let across = (topRight - topLeft).length / (leftAcross * rightAcross).squareRoot()
        let down = (bottomLeft - topLeft).length / (leftDown * bottomDown).squareRoot()
        guard across.isFinite, down.isFinite, across > 7, down > 7, max(across, down) < 1.5 * min(across, down) else {
            return []
        }
        var estimate = Int(((across + down) / 2).rounded()) + 7
        switch estimate & 3 {
        case 0: estimate += 1
        case 2: estimate -= 1
        case 3: estimate += 2
        default: break
        }
        // w at the top-right and bottom-left centres, relative to 1 at the top-left.
        let wRight = min(3, max(1.0 / 3, (leftAcross / rightAcross).squareRoot()))
        let wBottom = min(3, max(1.0 / 3, (leftDown / bottomDown).squareRoot()))
        var result: [Placement] = []
        for dimension in [estimate, estimate + 4, estimate - 4] where (21...177).contains(dimension) {
            let n = Double(dimension)
            let corners = [
                (Point(x: 3.5, y: 3.5), topLeft), (Point(x: n - 3.5, y: 3.5), topRight),
                (Point(x: 3.5, y: n - 3.5), bottomLeft),
            ]
            guard let affine = Homography.affine(corners),
                let perspective = Homography.perspective(corners, w: [1, wRight, wBottom])
            else { continue }
            var homography = perspective
            if dimension > 21 {
                let expected = perspective.map(n - 6.5, n - 6.5)
                let w = perspective.w(n - 6.5, n - 6.5)
                let module = (leftAcross * leftDown).squareRoot()
                let local = max(module / 2, min(module * 3, module / (w * w)))
                if let found = alignmentPattern(binary, near: expected, module: local, dark: dark),
                    let projective = Homography.through(corners + [(Point(x: n - 6.5, y: n - 6.5), found)])
                {
                    homography = projective
                }
            }
            result.append(Placement(homography: homography, dimension: dimension, dark: dark))
            if dimension == estimate { result.append(Placement(homography: affine, dimension: dimension, dark: dark)) }
        }
        return result
    }

    /// The module size measured along the lines between the finder centres (zxing's method): across each finder
    /// pattern the dark-light-dark-light-dark runs span 7 modules.
    static func moduleSize(_ binary: GrayImage, _ triple: [FinderPatternDetector.Candidate], dark: Bool) -> Double {
        let points = triple.map(point)
        var sizes: [Double] = []
        for (from, to) in [(0, 1), (1, 0), (0, 2), (2, 0)] {
            if let span = patternSpan(binary, at: points[from], toward: points[to], dark: dark) {
                sizes.append(span / 7)
            }
        }
        guard !sizes.isEmpty else { return triple.map(\.module).reduce(0, +) / 3 }
        return sizes.reduce(0, +) / Double(sizes.count)
    }

    /// The length of a finder pattern's five runs through `center` along the line to `target`, both ways.
    static func patternSpan(_ binary: GrayImage, at center: Point, toward target: Point, dark: Bool) -> Double? {
        let direction = target - center
        let length = direction.length
        guard length > 0 else { return nil }
        let step = direction * (1 / length)
        let inner: UInt8 = dark ? 0 : 255
        func oneWay(_ sign: Double) -> Double? {
            // Centre colour, other colour, centre colour, then the first pixel of the other colour again.
            var phase = 0
            var t = 0.0
            let limit = length
            while t < limit {
                let x = Int((center.x + step.x * t * sign).rounded())
                let y = Int((center.y + step.y * t * sign).rounded())
                guard x >= 0, y >= 0, x < binary.width, y < binary.height else { return nil }
                let isInner = binary.pixels[y * binary.width + x] == inner
                if phase % 2 == 0 ? !isInner : isInner {
                    phase += 1
                    if phase == 3 { return t }
                }
                t += 1
            }
            return nil
        }
        guard let forward = oneWay(1), let backward = oneWay(-1) else { return nil }
        return forward + backward
    }

    /// The alignment pattern's centre near `expected`: a dark module ringed by light, ringed by dark (runs of
    /// dark ≥ ½, light 1, dark 1, light 1, dark ≥ ½ modules through its centre, horizontally and vertically; a lone
    /// dark data module rarely has the outer ring too). The candidate closest to the expected point wins.
    /// `module` is the module size expected there (perspective makes it differ from the finder patterns').
    static func alignmentPattern(_ binary: GrayImage, near expected: Point, module: Double, dark: Bool) -> Point? {
        let inner: UInt8 = dark ? 0 : 255
        let width = binary.width
        let height = binary.height
        guard expected.x.isFinite, expected.y.isFinite, abs(expected.x) < 1e6, abs(expected.y) < 1e6 else { return nil }
        func near(_ run: Int) -> Bool { abs(Double(run) - module) < module * 0.6 + 0.5 }
        func wide(_ run: Int) -> Bool { Double(run) >= module * 0.4 }
        var best: (distance: Double, point: Point)?
        for radiusModules in [4.0, 8.0, 14.0] {
            let radius = Int(radiusModules * module)
            let x0 = max(0, Int(expected.x) - radius)
            let x1 = min(width - 1, Int(expected.x) + radius)
            let y0 = max(0, Int(expected.y) - radius)
            let y1 = min(height - 1, Int(expected.y) + radius)
            guard x1 > x0 + 5, y1 > y0 + 5 else { return nil }
            for y in y0...y1 {
                let row = y * width
                var runs: [(start: Int, length: Int, isInner: Bool)] = []
                var start = x0
                for x in (x0 + 1)...(x1 + 1) {
                    if x > x1 || (binary.pixels[row + x] == inner) != (binary.pixels[row + start] == inner) {
                        runs.append((start, x - start, binary.pixels[row + start] == inner))
                        start = x
                    }
                }
                guard runs.count >= 5 else { continue }
                for i in 2..<(runs.count - 2) where runs[i].isInner {
                    guard wide(runs[i - 2].length), near(runs[i - 1].length), near(runs[i].length),
                        near(runs[i + 1].length), wide(runs[i + 2].length)
                    else { continue }
                    let cx = runs[i].start + runs[i].length / 2
                    guard let cy = verticalCenter(binary, x: cx, y: y, module: module, inner: inner) else { continue }
                    let candidate = Point(x: Double(cx), y: cy)
                    let distance = (candidate - expected).length
                    if distance < best?.distance ?? .infinity { best = (distance, candidate) }
                }
            }
            if let best { return best.point }
        }
        return nil
    }

    /// The centre of the inner run through (x, y) vertically when it reads dark-light-dark-light-dark as above.
    private static func verticalCenter(_ binary: GrayImage, x: Int, y: Int, module: Double, inner: UInt8) -> Double? {
        let limit = Int(3 * module) + 2
        func run(from start: Int, step: Int, inner wanted: Bool) -> Int {
            var length = 0
            var yy = start
            while yy >= 0, yy < binary.height, (binary.pixels[yy * binary.width + x] == inner) == wanted,
                length <= limit
            {
                length += 1
                yy += step
            }
            return length
        }
        let up = run(from: y, step: -1, inner: true)
        let down = run(from: y + 1, step: 1, inner: true)
        let above = run(from: y - up, step: -1, inner: false)
        let below = run(from: y + 1 + down, step: 1, inner: false)
        let ringAbove = run(from: y - up - above, step: -1, inner: true)
        let ringBelow = run(from: y + 1 + down + below, step: 1, inner: true)
        func near(_ r: Int) -> Bool { abs(Double(r) - module) < module * 0.6 + 0.5 }
        guard near(up + down), near(above), near(below), Double(ringAbove) >= module * 0.4,
            Double(ringBelow) >= module * 0.4
        else { return nil }
        return Double(y - up + 1) + Double(up + down) / 2 - 0.5
    }

    /// The code resampled upright at `pixelsPerModule` with a four-module quiet zone, dark on light; and the box
    /// its corners span in the source image.
    static func render(
        _ image: GrayImage, _ placement: Placement, pixelsPerModule s: Int, warp: TimingWarp? = nil
    ) -> (
        GrayImage, (Int, Int, Int, Int)
    ) {
        let n = placement.dimension
        let side = (n + 8) * s
        let h = placement.homography
        var pixels = [UInt8](repeating: 255, count: side * side)
        let scale = 1 / Double(s)
        // Outside the image counts as the code's light side (its quiet zone).
        let background: UInt8 = placement.dark ? 255 : 0
        image.pixels.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for py in 0..<side {
                    let row = (Double(py) + 0.5) * scale - 4
                    let v = warp?.rows.map(row) ?? row
                    for px in 0..<side {
                        let column = (Double(px) + 0.5) * scale - 4
                        let u = warp?.columns.map(column) ?? column
                        let p = h.map(u, v)
                        var value = GrayImage.bilinear(source, image.width, image.height, p.x, p.y, outside: background)
                        if !placement.dark { value = 255 - value }
                        target[py * side + px] = value
                    }
                }
            }
        }
        let corners = [h.map(0, 0), h.map(Double(n), 0), h.map(0, Double(n)), h.map(Double(n), Double(n))]
        let xs = corners.map(\.x)
        let ys = corners.map(\.y)
        let minX = Int(max(0, xs.min() ?? 0))
        let minY = Int(max(0, ys.min() ?? 0))
        let box = (minX, minY, max(1, Int(xs.max() ?? 0) - minX), max(1, Int(ys.max() ?? 0) - minY))
        return (GrayImage(width: side, height: side, pixels: pixels), box)
    }

    /// Where the code's columns and rows really are, measured on its timing patterns (row 6 and column 6 alternate
    /// dark and light between the finder patterns): a correction to the homography for bent paper, where a code on a
    /// bottle or a curled page squeezes its columns towards the edges. Each axis is a piecewise-linear map from ideal
    /// module coordinates to the homography's coordinates, found by counting the timing pattern's edges (never by
    /// nearness, so a warp of several modules still maps each edge to its own module).
    struct TimingWarp {
        struct Axis {
            /// Ideal module coordinates 7, 8, …, n − 7 and where each edge was seen.
            let ideal: [Double]
            let seen: [Double]

            func map(_ x: Double) -> Double {
                guard ideal.count >= 2 else { return x }
                var i = 0
                if x >= ideal[ideal.count - 1] {
                    i = ideal.count - 2
                } else if x > ideal[0] {
                    var low = 0
                    var high = ideal.count - 1
                    while high - low > 1 {
                        let mid = (low + high) / 2
                        if ideal[mid] <= x { low = mid } else { high = mid }
                    }
                    i = low
                }
                let t = (x - ideal[i]) / (ideal[i + 1] - ideal[i])
                return seen[i] + t * (seen[i + 1] - seen[i])
            }
        }
        let columns: Axis
        let rows: Axis

        /// Both timing patterns' edges, or `nil` when either does not show exactly the edges the version has.
        static func measure(_ binary: GrayImage, _ placement: Placement) -> TimingWarp? {
            let n = placement.dimension
            guard let columns = edges(binary, placement, along: { t in (t, 6.5) }, n: n),
                let rows = edges(binary, placement, along: { t in (6.5, t) }, n: n)
            else { return nil }
            return TimingWarp(columns: columns, rows: rows)
        }

        /// Walks the line from module 3.5 (inside the first finder pattern) to n − 3.5 in tenths of a module and
        /// records each change of colour; the timing line has exactly n − 13 of them, at 7, 8, …, n − 7.
        private static func edges(
            _ binary: GrayImage, _ placement: Placement, along point: (Double) -> (Double, Double), n: Int
        ) -> Axis? {
            let inner: UInt8 = placement.dark ? 0 : 255
            let h = placement.homography
            func dark(_ t: Double) -> Bool? {
                let (u, v) = point(t)
                let p = h.map(u, v)
                guard p.x.isFinite, p.y.isFinite, p.x >= 0, p.y >= 0 else { return nil }
                let x = Int(p.x)
                let y = Int(p.y)
                guard x < binary.width, y < binary.height else { return nil }
                return binary.pixels[y * binary.width + x] == inner
            }
            // Colour changes, then runs shorter than a third of a module dropped (noise, a blurred edge).
            var changes: [Double] = []
            let step = 0.1
            var t = 3.5
            guard var last = dark(t), last else { return nil }
            while t < Double(n) - 3.5 {
                t += step
                guard let now = dark(t) else { return nil }
                if now != last {
                    changes.append(t - step / 2)
                    last = now
                }
            }
            var seen: [Double] = []
            for change in changes {
                if let previous = seen.last, change - previous < 0.35 {
                    seen.removeLast()  // a flicker: it and the change before it cancel out
                } else {
                    seen.append(change)
                }
            }
            let expected = n - 13
            guard seen.count == expected, expected >= 2 else { return nil }
            return Axis(ideal: (0..<expected).map { Double(7 + $0) }, seen: seen)
        }
    }
}
