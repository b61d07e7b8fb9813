internal import CPNG

/// A decoded PNG: 8-bit luma, and the alpha channel when the file has one.
///
/// Alpha is kept so the scanner can composite onto white first and, when that finds nothing, onto black
/// (light modules drawn on a transparent background vanish on white).
public struct DecodedPNG: Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// `G` samples, or interleaved `GA` samples when ``hasAlpha``.
    let samples: [UInt8]
    /// Whether the file has an alpha channel (an alpha colour type, or `tRNS`).
    public let hasAlpha: Bool

    /// The image composited onto a uniform background gray level (only meaningful with alpha).
    ///
    /// - Parameter background: 255 for white, 0 for black.
    /// - Returns: The 8-bit gray image. Without alpha, the luma as decoded (no copy).
    public func composited(onto background: UInt8) -> GrayImage {
        guard hasAlpha else { return GrayImage(width: width, height: height, pixels: samples) }
        let count = width * height
        let bg = UInt32(background)
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            samples.withUnsafeBufferPointer { ga in
                for i in 0..<count {
                    let g = UInt32(ga[2 &* i])
                    let a = UInt32(ga[2 &* i &+ 1])
                    out[i] = UInt8(truncatingIfNeeded: (g &* a &+ bg &* (255 &- a) &+ 127) / 255)
                }
            }
            initialized = count
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }
}

/// Decodes PNG files to 8-bit gray with libpng's simplified `png_image` API (no `setjmp` needed).
///
/// Every colour type and bit depth libpng supports is accepted: gray 1–16 bit, gray+alpha, RGB and RGBA at 8 and
/// 16 bits, palettes (with `tRNS`), Adam7 interlacing. Colour is converted to luma by libpng.
public enum PNGDecoder {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The default limit on declared image size: 100 megapixels.
    public static let defaultMaxPixels = 100_000_000

    /// Decodes PNG bytes.
    ///
    /// The declared size is checked against `maxPixels` after reading the header and before any pixel buffer
    /// is allocated. The corresponding C functions are `png_image_begin_read_from_memory` and
    /// `png_image_finish_read`.
    ///
    /// - Parameters:
    ///   - data: The whole file.
    ///   - maxPixels: The largest `width * height` accepted.
    /// - Throws: ``ScanError/notPNG(looksLike:)`` when the signature is missing, ``ScanError/tooLarge(width:height:limit:)``,
    ///   or ``ScanError/corruptPNG(message:)`` with libpng's message.
    public static func decode(_ data: [UInt8], maxPixels: Int = defaultMaxPixels) throws(ScanError) -> DecodedPNG {
        guard data.count >= signature.count, data.prefix(signature.count).elementsEqual(signature) else {
            throw .notPNG(looksLike: FileSniffer.describe(data))
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let result: Result<DecodedPNG, ScanError> = data.withUnsafeBytes { raw in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                return .failure(.corruptPNG(message: message(of: &image)))
            }
            defer { png_image_free(&image) }
            let width = Int(image.width)
            let height = Int(image.height)
            guard width > 0, height > 0, width.multipliedReportingOverflow(by: height).partialValue <= maxPixels,
                width <= maxPixels, height <= maxPixels
            else {
                return .failure(.tooLarge(width: width, height: height, limit: maxPixels))
            }
            let hasAlpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
            // 16-bit files without gAMA/sRGB are almost always sRGB-encoded screenshots, not linear data.
            image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
            image.format = hasAlpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0
            let count = width * height * (hasAlpha ? 2 : 1)
            var ok = false
            let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                ok = png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil) != 0
                if !ok { buffer.initialize(repeating: 0) }
                initialized = count
            }
            guard ok else { return .failure(.corruptPNG(message: message(of: &image))) }
            return .success(DecodedPNG(width: width, height: height, samples: samples, hasAlpha: hasAlpha))
        }
        return try result.get()
    }

    /// libpng's message from a failed call, read out of the `char[64]` tuple.
    private static func message(of image: inout png_image) -> String {
        let text = withUnsafeBytes(of: &image.message) { raw -> String in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return text.isEmpty ? "libpng could not read the image" : text
    }
}
