internal import CPNG

/// A decoded PNG: 8-bit luma with any alpha composited onto a uniform background.
public struct DecodedPNG: Sendable {
    /// The gray image.
    public let image: GrayImage
    /// Whether the file has an alpha channel (an alpha colour type, or `tRNS`): then compositing onto another
    /// background can reveal what this one hid (light modules on a transparent background vanish on white).
    public let hasAlpha: Bool
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

    /// Decodes PNG bytes to 8-bit gray, compositing alpha onto `background`.
    ///
    /// The declared size is checked against `maxPixels` after reading the header and before any pixel buffer
    /// is allocated. libpng converts colour to luma and composites alpha in the same pass as decoding, which costs
    /// less than decoding gray+alpha and compositing afterwards. The corresponding C functions are
    /// `png_image_begin_read_from_memory` and `png_image_finish_read`.
    ///
    /// - Parameters:
    ///   - data: The whole file.
    ///   - background: The gray level alpha is composited onto (255 white, 0 black).
    ///   - maxPixels: The largest `width * height` accepted.
    /// - Throws: ``ScanError/notPNG(looksLike:)`` when the signature is missing,
    ///   ``ScanError/tooLarge(width:height:limit:)``,
    ///   or ``ScanError/corruptPNG(message:)`` with libpng's message.
    public static func decode(
        _ data: [UInt8], background: UInt8 = 255, maxPixels: Int = defaultMaxPixels
    ) throws(ScanError) -> DecodedPNG {
        guard data.count >= signature.count, data.prefix(signature.count).elementsEqual(signature) else {
            throw .notAnImage(looksLike: FileSniffer.describe(data))
        }
        try checkChunkLengths(data)
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
            image.format = 0  // PNG_FORMAT_GRAY, 8-bit
            let count = width * height
            var ok = false
            var color = png_color(red: background, green: background, blue: background)
            let samples = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                ok = png_image_finish_read(&image, &color, buffer.baseAddress, 0, nil) != 0
                if !ok { buffer.initialize(repeating: 0) }
                initialized = count
            }
            guard ok else { return .failure(.corruptPNG(message: message(of: &image))) }
            return .success(
                DecodedPNG(image: GrayImage(width: width, height: height, pixels: samples), hasAlpha: hasAlpha))
        }
        return try result.get()
    }

    /// Walks the chunk headers before libpng sees the file: every declared length must be at most 2^31 − 1
    /// (PNG §5.3) and fit in what is left of the file. libpng allocates a chunk's declared length before reading
    /// it, so a 100-byte file declaring a 2 GB text chunk would cost seconds and gigabytes before being refused.
    ///
    /// - Throws: ``ScanError/corruptPNG(message:)`` naming the chunk, its offset and its declared length.
    static func checkChunkLengths(_ data: [UInt8]) throws(ScanError) {
        var offset = signature.count
        while offset + 8 <= data.count {
            let length = data[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let type = String(
                decoding: data[(offset + 4)..<(offset + 8)].map { (0x21...0x7E).contains($0) ? $0 : 0x3F },
                as: UTF8.self)
            guard length <= 0x7FFF_FFFF else {
                throw .corruptPNG(
                    message: "chunk '\(type)' at byte \(offset) declares \(length) bytes, more than PNG allows")
            }
            let remaining = data.count - offset - 12
            guard length <= remaining else {
                throw .corruptPNG(
                    message:
                        "chunk '\(type)' at byte \(offset) declares \(length) bytes but the file has only "
                        + "\(max(remaining, 0)) left"
                )
            }
            if type == "IEND" { return }
            offset += 12 + length
        }
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
