import Dispatch

/// The image transformations the reader tries, cheapest first, until one finds a code.
public enum ScanPass: Sendable, Hashable, CustomStringConvertible {
    /// Only the region around the finder patterns seen (at half size for images over 3 MP), in the polarity they
    /// show: a screenshot's code at a fraction of the pixels.
    case region
    /// Shrunk by a factor (huge screenshots: big modules, a quarter of the pixels).
    case downscaled(Int)
    /// Shrunk and inverted (huge dark-mode screenshots).
    case downscaledInverted(Int)
    /// The image as decoded.
    case asIs
    /// The negative (dark mode: light modules on a dark background).
    case inverted
    /// Enlarged with nearest-neighbour sampling (codes drawn at 1–2 pixels per module).
    case upscaled(Int)
    /// Locally thresholded to black and white (uneven light, JPEG damage, low contrast).
    case binarized
    /// Locally thresholded, then inverted.
    case binarizedInverted
    /// A 3×3 box blur (halftone dots, noise, JPEG ringing).
    case smoothed
    /// Shrunk by an integer factor, every scan line (photos of screens: the pixel grid averages away).
    case reduced(Int)
    /// Scaled by a factor in percent with bilinear interpolation (soft, low-resolution photos).
    case scaled(Int)
    /// Inside a white border, then enlarged ×4 with bilinear interpolation (tiny codes cropped to their edge).
    case paddedEnlarged
    /// Rotated by 45° (dotted and damaged codes).
    case rotated45
    /// Each code whose three finder patterns are seen, resampled upright through the perspective they show
    /// (tilted photos, curved paper, dense codes): see ``PerspectiveRectifier``.
    case rectified

    public var description: String {
        switch self {
        case .region: "region around finder patterns"
        case .downscaled(let k): "downscaled ÷\(k)"
        case .downscaledInverted(let k): "downscaled ÷\(k), inverted"
        case .asIs: "as-is"
        case .inverted: "inverted"
        case .upscaled(let k): "upscaled ×\(k)"
        case .binarized: "binarised"
        case .binarizedInverted: "binarised, inverted"
        case .smoothed: "smoothed"
        case .reduced(let k): "reduced ÷\(k)"
        case .scaled(let percent): "scaled \(percent) %"
        case .paddedEnlarged: "padded, enlarged ×4"
        case .rotated45: "rotated 45°"
        case .rectified: "rectified from finder patterns"
        }
    }
}

/// What one scan found, and which pass found it.
public struct ScanOutcome: Sendable {
    /// Every code found, in reading order (rows top to bottom, left to right within a row).
    public let payloads: [Payload]
    /// The pass that found them; `nil` when nothing was found.
    public let pass: ScanPass?
    /// Whether the image had to be composited onto black (light modules on a transparent background).
    public let compositedOnBlack: Bool
    /// What each step cost, in order (decoding and every pass tried), for `otp scan --verbose` and benchmarks.
    public var steps: [Step] = []

    /// One timed step.
    public struct Step: Sendable, CustomStringConvertible {
        /// `decode`, `decode onto black`, or a pass's description.
        public let name: String
        /// Wall time in milliseconds.
        public let milliseconds: Double
        /// Codes found by the step.
        public let found: Int

        public var description: String {
            let time = (milliseconds * 10).rounded() / 10
            return found > 0 ? "\(name): \(time) ms, \(found) found" : "\(name): \(time) ms"
        }
    }
}

/// Monotonic milliseconds.
func milliseconds<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> (T, Double) {
    let start = ContinuousClock.now
    let value = try body()
    let elapsed = ContinuousClock.now - start
    return (value, Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
}

/// Finds every QR code in screenshots and photos: decode (PNG, JPEG, WebP, HEIF), then zbar passes until one finds
/// something.
///
/// A reader is not thread-safe; create one per thread. Each pass uses a zbar scanner of its own, so a result never
/// depends on what was scanned before.
public final class QRReader {
    /// The largest image accepted, in pixels.
    public let maxPixels: Int
    /// The steps of the last ``read(image:)``, whether it found a code or not (`otp scan --verbose`).
    public private(set) var lastSteps: [ScanOutcome.Step] = []

    /// Creates a reader.
    ///
    /// - Parameter maxPixels: Images declaring more pixels are refused before decoding (default 100 megapixels).
    /// - Throws: ``ScanError/scannerUnavailable`` when zbar cannot be initialised.
    public init(maxPixels: Int = PNGDecoder.defaultMaxPixels) throws(ScanError) {
        _ = try ZBarScanner()  // fail early when zbar cannot be set up
        self.maxPixels = maxPixels
    }

    /// Reads every QR code in the image file at `path` (PNG, JPEG, WebP or HEIF, recognised by content).
    ///
    /// - Throws: a ``ScanError``; ``ScanError/noCode`` when the image holds no readable code.
    /// `-` reads standard input.
    public func read(contentsOf path: String) throws(ScanError) -> ScanOutcome {
        try read(image: path == "-" ? FileLoader.readStandardInput() : FileLoader.read(path))
    }

    /// Reads every QR code in PNG data (any image format is accepted; see ``read(image:)``).
    public func read(png data: [UInt8]) throws(ScanError) -> ScanOutcome {
        try read(image: data)
    }

    /// Reads every QR code in an image file's bytes: PNG, JPEG, WebP or HEIF.
    ///
    /// PNG alpha is composited onto white; when nothing is found and that composite is nearly blank (light modules
    /// on a transparent background vanish on white), the file is decoded again onto black.
    ///
    /// A JPEG larger than ``largeImagePixels`` is first decoded at 1/2, 1/4 or 1/8 size in the DCT domain (the
    /// image a downscaled pass would make, at a fraction of the decoding cost) and given the first passes; only when
    /// they find nothing is it decoded at full size and given every pass.
    ///
    /// - Throws: a ``ScanError``; ``ScanError/noCode`` when the image holds no readable code.
    public func read(image data: [UInt8]) throws(ScanError) -> ScanOutcome {
        lastSteps = []
        if ImageFormat.sniff(data) == .jpeg, let reduction = try jpegReduction(data) {
            let (small, time) = try milliseconds { () throws(ScanError) in
                try ImageDecoder.decode(data, maxPixels: maxPixels, reduction: reduction)
            }
            var outcome = scan(small.image, firstPassesOnly: true)
            lastSteps = [.init(name: "decode ÷\(small.reduction) (DCT)", milliseconds: time, found: 0)] + outcome.steps
            if !outcome.payloads.isEmpty {
                let k = small.reduction
                outcome = ScanOutcome(
                    payloads: outcome.payloads.map { $0.scaled(by: Double(k)) }, pass: outcome.pass,
                    compositedOnBlack: false)
                outcome.steps = lastSteps
                return outcome
            }
        }
        let earlier = lastSteps
        let (decoded, decodeTime) = try milliseconds { () throws(ScanError) in
            try ImageDecoder.decode(data, background: 255, maxPixels: maxPixels)
        }
        var onWhite = scan(decoded.image)
        onWhite.steps.insert(.init(name: "decode", milliseconds: decodeTime, found: 0), at: 0)
        onWhite.steps = earlier + onWhite.steps
        lastSteps = onWhite.steps
        if !onWhite.payloads.isEmpty { return onWhite }
        if decoded.hasAlpha, decoded.image.isNearlyBlank {
            // Light modules on a transparent background vanish on white and leave a blank image. Rare: decoding
            // again costs less than keeping gray+alpha around for every image.
            let (onBlackImage, blackTime) = try milliseconds { () throws(ScanError) in
                try PNGDecoder.decode(data, background: 0, maxPixels: maxPixels).image
            }
            let onBlack = scan(onBlackImage)
            lastSteps += [.init(name: "decode onto black", milliseconds: blackTime, found: 0)] + onBlack.steps
            if !onBlack.payloads.isEmpty {
                var outcome = ScanOutcome(payloads: onBlack.payloads, pass: onBlack.pass, compositedOnBlack: true)
                outcome.steps = lastSteps
                return outcome
            }
        }
        if let damage = decoded.damage { throw .noCodeInDamagedImage(damage: damage) }
        throw .noCode
    }

    /// The DCT-domain reduction for a first look at a large JPEG: the largest of 2, 4 and 8 that leaves at least
    /// ``reducedLookPixels`` (a 12 MP photo → ÷4, 48 MP → ÷8), or `nil` for images that are not large. A code that
    /// fills a fair part of a phone photo still has several pixels a module there; a smaller one is read after
    /// the full-size decode.
    func jpegReduction(_ data: [UInt8]) throws(ScanError) -> Int? {
        let info = try JPEGDecoder.info(data)
        let pixels = info.width.multipliedReportingOverflow(by: info.height).partialValue
        guard pixels > Self.largeImagePixels, pixels <= maxPixels else { return nil }
        return [8, 4, 2].first { pixels / ($0 * $0) >= Self.reducedLookPixels } ?? 2
    }

    /// The smallest first look at a large JPEG (0.7 megapixels: 1000 × 750 from a 12 MP photo).
    static let reducedLookPixels = 700_000

    /// How long the passes after the first ones may keep going on one image, in milliseconds: the first passes
    /// always run; the later ones (full size, inverted, binarised, rectified) start only while the image has used
    /// less than this. A backstop far above any real image (a 4K screenshot's whole plan takes under a second
    /// alone, several on a loaded machine: 2.5 s made a screenshot's late pass flaky under the test suite's load);
    /// the texture stop below is what ends the known hostile images, deterministically.
    public static let workBudgetMilliseconds: UInt64 = 12_000
    /// Above this many pixels, an image whose finder search saturates (a texture) gets only the first passes.
    static let textureStopPixels = 4_000_000

    /// Runs the passes on a gray image, cheapest first, and stops at the first that finds a code.
    ///
    /// The first passes always run. Before the rest, images larger than ``gateMinimumPixels`` must show a finder
    /// pattern (``FinderPatternDetector``): an image without a code then costs its first passes and one quick
    /// look instead of every pass.
    public func scan(_ image: GrayImage) -> ScanOutcome {
        scan(image, firstPassesOnly: false)
    }

    /// Runs the first passes only (a reduced image's first look), or every pass.
    func scan(_ image: GrayImage, firstPassesOnly: Bool) -> ScanOutcome {
        var steps: [ScanOutcome.Step] = []
        guard Self.mightHoldCode(width: image.width, height: image.height) else {
            steps.append(
                .init(
                    name: "too narrow for a QR code (\(image.width)×\(image.height)): stop", milliseconds: 0, found: 0))
            return ScanOutcome(payloads: [], pass: nil, compositedOnBlack: false, steps: steps)
        }
        var plan = Self.passPlan(for: image)
        if firstPassesOnly { plan.gated = [] }
        let started = DispatchTime.now().uptimeNanoseconds
        // The region pass's finder patterns, when they were looked for on the full image, also answer the check.
        var fullImageSearch: FinderPatternDetector.Search?
        // No finder pattern at all at half size: the half-size passes cannot read anything either.
        var halfSizeEmpty = false
        for (index, pass) in (plan.first + plan.gated).enumerated() {
            if halfSizeEmpty, case .downscaled = pass { continue }
            if halfSizeEmpty, case .downscaledInverted = pass { continue }
            // The work budget: a real code is found by the first passes in milliseconds; an image that has used
            // the budget without one (a texture of finder-like tiles keeps zbar busy for seconds a pass) stops.
            let spent = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            if index >= plan.first.count, spent >= Self.workBudgetMilliseconds {
                steps.append(.init(name: "work budget spent (\(spent) ms): stop", milliseconds: 0, found: 0))
                break
            }
            if index == plan.first.count, !plan.gated.isEmpty, image.pixelCount > Self.gateMinimumPixels {
                // Very large images are checked at half size, so the check never holds a second full-size buffer.
                let (search, time) = milliseconds { () -> FinderPatternDetector.Search in
                    if let fullImageSearch { return fullImageSearch }
                    return FinderPatternDetector.search(
                        image.pixelCount > 12_000_000 ? image.downscaled(by: 2) : image)
                }
                // A texture of finder-like patterns (thousands of them, no screenshot has that many) makes zbar's
                // full-size passes cost seconds to minutes, superlinearly in the pixels: the first passes (the region,
                // both polarities at reduced size) were its chance.
                let texture = search.saturated && image.pixelCount > Self.textureStopPixels
                let name =
                    !search.possible
                    ? "no finder pattern: stop"
                    : texture ? "a texture of finder-like patterns: stop" : "finder patterns seen"
                steps.append(.init(name: name, milliseconds: time, found: 0))
                if !search.possible || texture { break }
            }
            let (found, time) = milliseconds { () -> [Payload] in
                guard pass == .region else { return run(pass, on: image) }
                guard let zbar = try? ZBarScanner() else { return [] }
                let (found, search, factor) = scanRegion(of: image, with: zbar)
                if factor == 1 { fullImageSearch = search } else { halfSizeEmpty = !search.possible }
                return found
            }
            steps.append(.init(name: pass.description, milliseconds: time, found: found.count))
            if !found.isEmpty {
                let (nested, nestedTime) = milliseconds { nestedCodes(in: image, inside: found) }
                if !nested.isEmpty {
                    steps.append(.init(name: "codes inside codes", milliseconds: nestedTime, found: nested.count))
                }
                return ScanOutcome(
                    payloads: Self.readingOrder(found + nested), pass: pass, compositedOnBlack: false, steps: steps)
            }
        }
        return ScanOutcome(payloads: [], pass: nil, compositedOnBlack: false, steps: steps)
    }

    /// The rectifying pass: finder patterns (on the half-size image above ``largeImagePixels``), then each plausible
    /// code resampled upright and scanned. Boxes are mapped back to `image`'s pixels.
    func rectifiedCodes(in image: GrayImage, with zbar: ZBarScanner) -> [Payload] {
        let factor = image.pixelCount > Self.largeImagePixels ? 2 : 1
        let source = factor > 1 ? image.downscaled(by: factor) : image
        let search = FinderPatternDetector.search(source)
        guard search.candidates.count >= 3, let binary = source.binarized() else { return [] }
        var found: [Payload] = []
        let read = PerspectiveRectifier.read(source, binary: binary, candidates: search.candidates) { zbar.scan($0) }
        for (payload, box) in read where !found.contains(where: { $0.bytes == payload.bytes }) {
            found.append(
                Payload(
                    bytes: payload.bytes, x: box.x * factor, y: box.y * factor, width: box.width * factor,
                    height: box.height * factor))
        }
        return found
    }

    /// Codes drawn inside the quiet middle of another code (a "double QR": a small code replaces the big one's centre
    /// modules, which its error correction absorbs). zbar reports the outer code only; the centre half of each code
    /// found, without the outer finder patterns, is scanned once more. Costs a scan of a quarter of each code's box.
    func nestedCodes(in image: GrayImage, inside found: [Payload]) -> [Payload] {
        guard let zbar = try? ZBarScanner() else { return [] }
        var extra: [Payload] = []
        for outer in found.prefix(8) {
            let x = max(0, outer.x + outer.width / 4)
            let y = max(0, outer.y + outer.height / 4)
            let width = min(image.width - x, outer.width / 2)
            let height = min(image.height - y, outer.height / 2)
            guard Self.mightHoldCode(width: width, height: height) else { continue }
            for inner in zbar.scan(image.cropped(x: x, y: y, width: width, height: height))
            where !(found + extra).contains(where: { $0.bytes == inner.bytes }) {
                extra.append(
                    Payload(
                        bytes: inner.bytes, x: inner.x + x, y: inner.y + y, width: inner.width, height: inner.height))
            }
        }
        return extra
    }

    /// Runs a single pass (for benchmarks and tests of one idea). Not API: `@_spi(Benchmarks)`.
    ///
    /// Each pass gets a new zbar scanner (2 µs): zbar's QR decoder carries random-number state from one image to
    /// the next, so a shared scanner would make marginal images read or not depending on what it scanned before,
    /// and results would depend on the order files reach the worker threads.
    @_spi(Benchmarks)
    public func run(_ pass: ScanPass, on image: GrayImage) -> [Payload] {
        guard let zbar = try? ZBarScanner() else { return [] }
        return run(pass, on: image, with: zbar)
    }

    private func run(_ pass: ScanPass, on image: GrayImage, with zbar: ZBarScanner) -> [Payload] {
        // Every buffer a pass makes is bounded by its input and by the global budget: a pass that would need more
        // (a 45° rotation of a 1 × 250 000 strip) is skipped, never attempted.
        guard Self.outputPixels(of: pass, width: image.width, height: image.height) <= Self.passBudget(for: image)
        else {
            return []
        }
        switch pass {
        case .region:
            return scanRegion(of: image, with: zbar).found
        case .asIs:
            return zbar.scan(image)
        case .inverted:
            return zbar.scan(image.inverted())
        case .downscaled(let k):
            // A first look at a huge image: its modules are big, so every second scan line is enough.
            zbar.setDensity(2)
            return zbar.scan(image.downscaled(by: k)).map { $0.scaled(by: Double(k)) }
        case .downscaledInverted(let k):
            return zbar.scan(image.downscaled(by: k).inverted()).map { $0.scaled(by: Double(k)) }
        case .upscaled(let k):
            return zbar.scan(image.upscaled(by: k)).map { $0.scaled(by: 1 / Double(k)) }
        case .binarized:
            return image.binarized().map { zbar.scan($0) } ?? []
        case .binarizedInverted:
            return image.binarized(inverted: true).map { zbar.scan($0) } ?? []
        case .smoothed:
            return zbar.scan(image.smoothed())
        case .reduced(let k):
            return zbar.scan(image.downscaled(by: k)).map { $0.scaled(by: Double(k)) }
        case .scaled(let percent):
            return zbar.scan(image.scaled(by: Double(percent) / 100)).map { $0.scaled(by: 100 / Double(percent)) }
        case .paddedEnlarged:
            let border = Self.paddedBorder(width: image.width, height: image.height)
            return zbar.scan(image.padded(by: border).scaled(by: 4)).map {
                Payload(
                    bytes: $0.bytes, x: $0.x / 4 - border, y: $0.y / 4 - border, width: $0.width / 4,
                    height: $0.height / 4)
            }
        case .rotated45:
            return zbar.scan(image.rotated45())
        case .rectified:
            return rectifiedCodes(in: image, with: zbar)
        }
    }

    /// Scans the region around the finder patterns. Returns nothing (so the next passes run) unless every finder
    /// pattern seen lies inside a code found: a code zbar missed in the region is never left behind.
    private func scanRegion(
        of image: GrayImage, with zbar: ZBarScanner
    ) -> (found: [Payload], search: FinderPatternDetector.Search, factor: Int) {
        let factor = image.pixelCount > Self.largeImagePixels ? 2 : 1
        let source = factor > 1 ? image.downscaled(by: factor) : image
        let search = FinderPatternDetector.search(source)
        let candidates = search.candidates
        guard let box = FinderPatternDetector.region(of: candidates, in: source.width, source.height) else {
            return ([], search, factor)
        }
        var crop = source.cropped(x: box.x, y: box.y, width: box.width, height: box.height)
        if candidates.filter(\.dark).count * 2 < candidates.count { crop = crop.inverted() }
        let found = zbar.scan(crop)
        let explained = candidates.allSatisfy { candidate in
            let slack = Int(2 * candidate.module) + 1
            let x = candidate.x - box.x
            let y = candidate.y - box.y
            return found.contains {
                x >= $0.x - slack && x <= $0.x + $0.width + slack && y >= $0.y - slack && y <= $0.y + $0.height + slack
            }
        }
        guard !found.isEmpty, explained else { return ([], search, factor) }
        let mapped = found.map {
            Payload(
                bytes: $0.bytes, x: ($0.x + box.x) * factor, y: ($0.y + box.y) * factor, width: $0.width * factor,
                height: $0.height * factor)
        }
        return (mapped, search, factor)
    }

    /// The smallest side that can hold a QR code: version 1 is 21 modules across, and a module is at least a pixel.
    public static let smallestCodeSide = 21

    /// Whether an image of this shape can hold a QR code at all. Narrower images skip every pass.
    public static func mightHoldCode(width: Int, height: Int) -> Bool {
        min(width, height) >= smallestCodeSide
    }

    /// The most pixels any one pass may allocate for an image: twice its own size, or 4 megapixels for small images
    /// (the enlarging passes of thumbnails), and never more than ``globalPassPixelLimit``.
    static func passBudget(for image: GrayImage) -> Int {
        min(max(2 * image.pixelCount, upscaleBudgetPixels), globalPassPixelLimit)
    }

    /// The global cap on one pass's buffer: twice the largest image accepted (100 megapixels).
    static let globalPassPixelLimit = 2 * PNGDecoder.defaultMaxPixels

    static func paddedBorder(width: Int, height: Int) -> Int {
        max(8, max(width, height) / 5)
    }

    /// The pixels a pass's image holds, computed without overflow (saturating), before anything is allocated.
    static func outputPixels(of pass: ScanPass, width: Int, height: Int) -> Int {
        func area(_ w: Int, _ h: Int) -> Int {
            let (product, overflow) = w.multipliedReportingOverflow(by: h)
            return overflow ? .max : product
        }
        switch pass {
        case .region, .asIs, .inverted, .binarized, .binarizedInverted, .smoothed, .rectified:
            return area(width, height)
        case .downscaled(let k), .downscaledInverted(let k), .reduced(let k):
            return area(width / max(k, 1), height / max(k, 1))
        case .upscaled(let k):
            return area(
                width.multipliedReportingOverflow(by: k).partialValue,
                height.multipliedReportingOverflow(by: k).partialValue)
        case .scaled(let percent):
            return area(Int(Double(width) * Double(percent) / 100) + 1, Int(Double(height) * Double(percent) / 100) + 1)
        case .paddedEnlarged:
            let border = paddedBorder(width: width, height: height)
            return area(4 * (width + 2 * border), 4 * (height + 2 * border))
        case .rotated45:
            let side = Int((Double(width + height) / 2.0.squareRoot()).rounded(.up)) + 2
            return area(side, side)
        }
    }

    /// Images above this many pixels are first scanned downscaled.
    static let largeImagePixels = 3_000_000
    /// Upscaled passes stay under this many pixels (a tiny code sits in a small image; a 720p screenshot at 3× would
    /// cost 60 ms for nothing).
    static let upscaleBudgetPixels = 4_000_000

    /// Images up to this size also get the photo passes (smoothing, rescaling, padding, rotation).
    static let robustPassesPixels = 1_000_000
    /// Images up to this size run every pass without the finder-pattern check (photos of codes and thumbnails:
    /// every pass is cheap there, and a blurred or tilted photo may hide its finder patterns from the check).
    public static let gateMinimumPixels = 250_000

    /// The passes for an image, cheapest first. Not API: `@_spi(Benchmarks)`.
    @_spi(Benchmarks)
    public static func passes(for image: GrayImage) -> [ScanPass] {
        let plan = passPlan(for: image)
        return plan.first + plan.gated
    }

    /// The passes that always run, and those that run only when a finder pattern is seen.
    static func passPlan(for image: GrayImage) -> (first: [ScanPass], gated: [ScanPass]) {
        var first: [ScanPass] = []
        var gated: [ScanPass] = []
        if image.pixelCount > largeImagePixels {
            // Aim at about 2 megapixels: 4K → ÷2, 48 MP → ÷4.
            var factor = 2
            while image.pixelCount / ((factor + 1) * (factor + 1)) >= 2_000_000 { factor += 1 }
            first += [.region, .downscaled(factor), .downscaledInverted(factor)]
            gated += [.asIs, .inverted]
        } else if image.pixelCount > gateMinimumPixels {
            first += [.region, .asIs, .inverted]
        } else {
            first += [.asIs, .inverted]
        }
        // Tilted and dense codes in photos: cheap (a few milliseconds), so before the enlarging passes.
        gated.append(.rectified)
        if image.pixelCount * 9 <= upscaleBudgetPixels {
            gated.append(.upscaled(3))
        } else if image.pixelCount * 4 <= upscaleBudgetPixels {
            gated.append(.upscaled(2))
        }
        gated += [.binarized, .binarizedInverted]
        if image.pixelCount <= robustPassesPixels {
            // Photos of codes and thumbnails: cheap at this size, and each pass reads images the others miss.
            gated += [.smoothed, .scaled(200), .reduced(3)]
            if image.pixelCount <= 100_000 { gated.append(.paddedEnlarged) }
            gated.append(.rotated45)
        }
        return (first, gated)
    }

    /// Sorts codes into reading order: rows top to bottom (codes whose boxes overlap vertically share a row),
    /// left to right within a row.
    static func readingOrder(_ payloads: [Payload]) -> [Payload] {
        let byTop = payloads.sorted { ($0.y, $0.x) < ($1.y, $1.x) }
        var rows: [[Payload]] = []
        var rowBottom = Int.min
        for payload in byTop {
            if !rows.isEmpty, payload.y + payload.height / 2 < rowBottom {
                rows[rows.count - 1].append(payload)
                rowBottom = max(rowBottom, payload.y + payload.height)
            } else {
                rows.append([payload])
                rowBottom = payload.y + payload.height
            }
        }
        return rows.flatMap { row in row.sorted { $0.x < $1.x } }
    }
}

@available(*, unavailable)
extension QRReader: Sendable {}
