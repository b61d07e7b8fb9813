internal import CHeif

/// Decodes HEIC and other HEIF files (libheif with libde265) to 8-bit gray: the luma plane of the primary image.
///
/// libheif is loaded on the first HEIF file (`CHeif` opens it with `dlopen`), so other runs never pay its start-up.
/// libheif applies the file's rotation and mirroring. The primary image's size is checked before decoding, and
/// libheif's own size limit is set to the same bound.
public enum HEIFDecoder {
    /// The `ftyp` brands of still images libheif reads.
    static let brands: Set<String> = ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis"]

    /// Whether the file starts with an ISO-BMFF `ftyp` box naming a HEIF brand (major or compatible).
    static func hasHEIFBrand(_ data: [UInt8]) -> Bool {
        guard data.count >= 16, data[4..<8].elementsEqual("ftyp".utf8) else { return false }
        let size = Int(data[0]) << 24 | Int(data[1]) << 16 | Int(data[2]) << 8 | Int(data[3])
        let end = min(max(size, 16), data.count, 256)
        var offset = 8
        while offset + 4 <= end {
            if offset != 12, brands.contains(String(decoding: data[offset..<(offset + 4)], as: UTF8.self)) {
                return true
            }
            offset += 4
        }
        return false
    }

    public static func decode(
        _ data: [UInt8], maxPixels: Int = PNGDecoder.defaultMaxPixels
    ) throws(ScanError)
        -> GrayImage
    {
        var loadError = [CChar](repeating: 0, count: 256)
        guard otp_heif_load(&loadError) == 1 else {
            let why = String(decoding: loadError.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw .unsupportedImage(format: "HEIF", reason: "libheif could not be loaded (\(why)); install libheif1")
        }
        guard let context = otp_heif_context_alloc() else {
            throw .corruptImage(format: "HEIF", message: "out of memory")
        }
        defer { otp_heif_context_free(context) }
        // libheif's limit is on each side (its default, 32 768, is also its most); never raised here.
        otp_heif_context_set_maximum_image_size_limit(context, CInt(min(32_768, maxPixels)))
        let result = data.withUnsafeBytes { raw in
            Result { () throws(ScanError) in try decode(raw, context: context, maxPixels: maxPixels) }
        }
        return try result.get()
    }

    private static func decode(
        _ raw: UnsafeRawBufferPointer, context: OpaquePointer, maxPixels: Int
    )
        throws(ScanError) -> GrayImage
    {
        try check(otp_heif_context_read_from_memory_without_copy(context, raw.baseAddress, raw.count))
        var handle: OpaquePointer?
        try check(otp_heif_context_get_primary_image_handle(context, &handle))
        guard let handle else { throw .corruptImage(format: "HEIF", message: "the file has no primary image") }
        defer { otp_heif_image_handle_release(handle) }
        try ImageDecoder.checkSize(
            width: Int(otp_heif_image_handle_get_width(handle)), height: Int(otp_heif_image_handle_get_height(handle)),
            maxPixels: maxPixels)
        var decoded: OpaquePointer?
        try check(otp_heif_decode_image(handle, &decoded, heif_colorspace_YCbCr, heif_chroma_420))
        guard let decoded else { throw .corruptImage(format: "HEIF", message: "libheif returned no image") }
        defer { otp_heif_image_release(decoded) }
        return try luma(of: decoded, maxPixels: maxPixels)
    }

    private static func luma(of image: OpaquePointer, maxPixels: Int) throws(ScanError) -> GrayImage {
        let width = Int(otp_heif_image_get_width(image, heif_channel_Y))
        let height = Int(otp_heif_image_get_height(image, heif_channel_Y))
        try ImageDecoder.checkSize(width: width, height: height, maxPixels: maxPixels)
        let bits = Int(otp_heif_image_get_bits_per_pixel_range(image, heif_channel_Y))
        var stride: CInt = 0
        guard let plane = otp_heif_image_get_plane_readonly(image, heif_channel_Y, &stride), bits >= 1, bits <= 16
        else {
            throw .corruptImage(format: "HEIF", message: "the image has no luma plane")
        }
        let rowBytes = bits > 8 ? width * 2 : width
        guard Int(stride) >= rowBytes else { throw .corruptImage(format: "HEIF", message: "inconsistent plane stride") }
        var pixels = [UInt8](repeating: 0, count: width * height)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = plane + y * Int(stride)
                if bits > 8 {
                    for x in 0..<width {
                        let sample = Int(row[2 * x]) | Int(row[2 * x + 1]) << 8
                        out[y * width + x] = UInt8(min(255, sample >> (bits - 8)))
                    }
                } else {
                    for x in 0..<width { out[y * width + x] = row[x] }
                }
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }

    private static func check(_ error: heif_error) throws(ScanError) {
        guard error.code != heif_error_Ok else { return }
        let text = error.message.map { String(cString: $0) } ?? ""
        let trimmed = text.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
        let message =
            trimmed.isEmpty ? "libheif error \(error.code.rawValue)" : String(String.UnicodeScalarView(trimmed))
        switch error.code {
        case heif_error_Unsupported_filetype, heif_error_Unsupported_feature:
            throw .unsupportedImage(format: "HEIF", reason: message)
        default:
            throw .corruptImage(format: "HEIF", message: message)
        }
    }
}
