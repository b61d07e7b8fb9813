/// The image formats the scanner reads, recognised by their first bytes (never by file name).
public enum ImageFormat: String, Sendable, CaseIterable {
    case png = "PNG"
    case jpeg = "JPEG"
    case webp = "WebP"
    /// HEIC (an iPhone's photos) and the other HEIF brands libheif decodes (AVIF when its decoder is installed).
    case heif = "HEIF"

    /// The format of a file from its first bytes, or `nil` when it is none of ours.
    public static func sniff(_ data: [UInt8]) -> ImageFormat? {
        if data.starts(with: PNGDecoder.signature) { return .png }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.count >= 12, data.starts(with: Array("RIFF".utf8)), data[8..<12].elementsEqual("WEBP".utf8) {
            return .webp
        }
        if HEIFDecoder.hasHEIFBrand(data) { return .heif }
        return nil
    }
}

/// A decoded image of any format, as 8-bit luma.
public struct DecodedImage: Sendable {
    /// The gray image, upright (a JPEG's EXIF orientation and HEIF's rotation are applied).
    public let image: GrayImage
    /// What the file was.
    public let format: ImageFormat
    /// Whether the file has an alpha channel that was composited (PNG only): then compositing onto another
    /// background can reveal what this one hid.
    public let hasAlpha: Bool
    /// The reduction applied while decoding (JPEG's DCT-domain scaling: 1, 2, 4 or 8); 1 for full size.
    public let reduction: Int
    /// Damage the decoder worked past (JPEG: corrupt data, a file cut short), for the error when no code is found.
    public var damage: String? = nil
}

/// Decodes PNG, JPEG, WebP and HEIF files to 8-bit gray, each with its own C library behind its own target.
///
/// Every declared size is checked against `maxPixels` before a pixel buffer is allocated, and each decoder's own
/// memory is bounded (``decoderMemoryLimit``): a hostile file is refused with a ``ScanError`` naming what is wrong.
public enum ImageDecoder {
    /// The most memory a decoder may use beyond the output image: a progressive JPEG's coefficients, a lossless
    /// WebP's ARGB rows (192 MiB).
    public static let decoderMemoryLimit = 192 << 20

    /// Decodes `data`, whatever image format it is.
    ///
    /// - Parameters:
    ///   - background: The gray level PNG alpha is composited onto (255 white, 0 black).
    ///   - maxPixels: The largest `width * height` accepted, checked against the header before decoding.
    ///   - reduction: JPEG only: decode at 1/2, 1/4 or 1/8 size in the DCT domain (cheaper than decoding and
    ///     shrinking). Other formats ignore it and report a reduction of 1.
    /// - Throws: ``ScanError/notAnImage(looksLike:)`` for anything that is none of the four formats, or the
    ///   format's own errors.
    public static func decode(
        _ data: [UInt8], background: UInt8 = 255, maxPixels: Int = PNGDecoder.defaultMaxPixels, reduction: Int = 1
    ) throws(ScanError) -> DecodedImage {
        switch ImageFormat.sniff(data) {
        case .png:
            let png = try PNGDecoder.decode(data, background: background, maxPixels: maxPixels)
            return DecodedImage(image: png.image, format: .png, hasAlpha: png.hasAlpha, reduction: 1)
        case .jpeg:
            let (image, used, warnings) = try JPEGDecoder.decode(data, maxPixels: maxPixels, reduction: reduction)
            return DecodedImage(
                image: image, format: .jpeg, hasAlpha: false, reduction: used,
                damage: warnings > 0 ? "the JPEG data is corrupt or cut short" : nil
            )
        case .webp:
            return DecodedImage(
                image: try WebPDecoder.decode(data, maxPixels: maxPixels), format: .webp, hasAlpha: false, reduction: 1)
        case .heif:
            return DecodedImage(
                image: try HEIFDecoder.decode(data, maxPixels: maxPixels), format: .heif, hasAlpha: false, reduction: 1)
        case nil:
            throw .notAnImage(looksLike: FileSniffer.describe(data))
        }
    }

    /// Checks a declared size against the pixel limit without overflowing.
    static func checkSize(width: Int, height: Int, maxPixels: Int) throws(ScanError) {
        let (area, overflow) = width.multipliedReportingOverflow(by: height)
        guard width > 0, height > 0, !overflow, area <= maxPixels else {
            throw .tooLarge(width: width, height: height, limit: maxPixels)
        }
    }
}
