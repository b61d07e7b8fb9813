internal import CJPEG

/// Decodes JPEG files (libjpeg-turbo) to 8-bit gray, upright by their EXIF orientation.
///
/// libjpeg reports errors with `longjmp`; the `CJPEG` target keeps the `setjmp` in C, so no error unwinds through
/// Swift. The header's size is checked before decoding; libjpeg's memory pool is capped at
/// ``ImageDecoder/decoderMemoryLimit`` (a progressive file's coefficient buffer counts) and a progressive file may
/// have at most ``maxScans(pixels:)`` scans. Damaged data past the header decodes as far as it goes, as in every
/// viewer.
public enum JPEGDecoder {
    /// A progressive JPEG has about 10 scans (libjpeg's default script: 10 for colour, 6 for gray); hundreds of
    /// them are a decoding-time bomb, each a pass over every block (499 scans over 64 MP took 57 s). A file may
    /// have at most 500 scans and at most ``scanPixelBudget`` pixels × scans, never fewer than 16 scans.
    public static func maxScans(pixels: Int) -> Int {
        min(500, max(16, scanPixelBudget / max(pixels, 1)))
    }

    /// 1.2 × 10⁹ pixel-scans: about 2 s here (1.8 ns each); 100 scans of a 12 MP photo, 12 of 100 MP.
    public static let scanPixelBudget = 1_200_000_000

    /// The header: size, colour components and whether the file is progressive.
    public struct Info: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let components: Int
        public let progressive: Bool
        /// The EXIF orientation (1 upright … 8), 1 when the file has none.
        public let orientation: Int
    }

    /// Reads the header (no pixel is decoded).
    public static func info(_ data: [UInt8]) throws(ScanError) -> Info {
        var raw = otp_jpeg_info()
        var message = [CChar](repeating: 0, count: 256)
        let ok = data.withUnsafeBufferPointer { otp_jpeg_read_info($0.baseAddress, $0.count, &raw, &message) }
        guard ok == 1 else { throw .corruptImage(format: "JPEG", message: text(message)) }
        return Info(
            width: Int(raw.width), height: Int(raw.height), components: Int(raw.components),
            progressive: raw.progressive != 0, orientation: ExifOrientation.read(fromJPEG: data))
    }

    /// Decodes to gray at 1/`reduction` size (1, 2, 4 or 8; other values are rounded down to one of these).
    ///
    /// - Returns: the upright image, the reduction used, and how many problems libjpeg worked past (corrupt data, a
    ///   file cut short: the missing part decodes as gray).
    public static func decode(
        _ data: [UInt8], maxPixels: Int = PNGDecoder.defaultMaxPixels, reduction: Int = 1
    ) throws(ScanError) -> (image: GrayImage, reduction: Int, warnings: Int) {
        let header = try info(data)
        try ImageDecoder.checkSize(width: header.width, height: header.height, maxPixels: maxPixels)
        let denominator = [8, 4, 2, 1].first { $0 <= max(reduction, 1) } ?? 1
        // libjpeg rounds scaled sizes up.
        let width = (header.width + denominator - 1) / denominator
        let height = (header.height + denominator - 1) / denominator
        let capacity = width * height
        var outWidth: UInt32 = 0
        var outHeight: UInt32 = 0
        var warnings: CInt = 0
        var message = [CChar](repeating: 0, count: 256)
        let limits = otp_jpeg_limits(
            max_memory: ImageDecoder.decoderMemoryLimit,
            max_scans: CInt(maxScans(pixels: header.width * header.height)))
        var ok: CInt = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            buffer.initialize(repeating: 255)
            ok = data.withUnsafeBufferPointer {
                otp_jpeg_decode_gray(
                    $0.baseAddress, $0.count, CInt(denominator), limits, buffer.baseAddress, capacity, &outWidth,
                    &outHeight, &warnings, &message)
            }
            initialized = capacity
        }
        guard ok == 1 else { throw .corruptImage(format: "JPEG", message: explain(text(message))) }
        guard Int(outWidth) == width, Int(outHeight) == height else {
            throw .corruptImage(
                format: "JPEG", message: "decoded \(outWidth)×\(outHeight), expected \(width)×\(height)")
        }
        let image = GrayImage(width: width, height: height, pixels: pixels)
        return (image.oriented(exif: header.orientation), denominator, Int(warnings))
    }

    private static func text(_ message: [CChar]) -> String {
        let bytes = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "libjpeg could not read the image" : String(decoding: bytes, as: UTF8.self)
    }

    /// libjpeg's words for its memory cap are about disk-backed storage this build does not have.
    private static func explain(_ message: String) -> String {
        message.contains("Backing store")
            ? "decoding needs more than \(ImageDecoder.decoderMemoryLimit >> 20) MiB (a progressive image this large)"
            : message
    }
}

/// The EXIF orientation tag (0x0112) of a JPEG's APP1 segment, read with bounds checks on every offset.
enum ExifOrientation {
    /// 1…8, or 1 when the file has no EXIF orientation (or a damaged one).
    static func read(fromJPEG data: [UInt8]) -> Int {
        var offset = 2
        // Walk the markers before the first scan; the EXIF segment comes first in practice.
        var segments = 0
        while offset + 4 <= data.count, segments < 64 {
            guard data[offset] == 0xFF else { return 1 }
            let marker = data[offset + 1]
            if marker == 0xFF {
                offset += 1
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return 1 }
            let length = Int(data[offset + 2]) << 8 | Int(data[offset + 3])
            guard length >= 2, offset + 2 + length <= data.count else { return 1 }
            if marker == 0xE1, length >= 8,
                data[(offset + 4)..<(offset + 10)].elementsEqual([0x45, 0x78, 0x69, 0x66, 0, 0])
            {
                return orientation(tiff: data[(offset + 10)..<(offset + 2 + length)])
            }
            offset += 2 + length
            segments += 1
        }
        return 1
    }

    /// The orientation from a TIFF header and its first IFD.
    static func orientation(tiff: ArraySlice<UInt8>) -> Int {
        let bytes = Array(tiff)
        guard bytes.count >= 8 else { return 1 }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return 1
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= bytes.count else { return nil }
            return little ? Int(bytes[at]) | Int(bytes[at + 1]) << 8 : Int(bytes[at]) << 8 | Int(bytes[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let high = u16(little ? at + 2 : at), let low = u16(little ? at : at + 2) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return 1 }
        for index in 0..<min(count, 256) {
            let entry = ifd + 2 + 12 * index
            guard let tag = u16(entry) else { return 1 }
            if tag == 0x0112 {
                guard u16(entry + 2) == 3, let value = u16(entry + 8), (1...8).contains(value) else { return 1 }
                return value
            }
        }
        return 1
    }
}
