internal import CWebP

/// Decodes WebP files (libwebp) to 8-bit gray: the luma plane of libwebp's YUV output, with no colour conversion.
///
/// The size is read from the header and checked before decoding. A lossless file is decoded through ARGB rows
/// inside libwebp (4 bytes a pixel), so its pixel limit is also bounded by ``ImageDecoder/decoderMemoryLimit``.
/// Animated files are refused: which frame shows the code is not ours to guess.
public enum WebPDecoder {
    public static func decode(
        _ data: [UInt8], maxPixels: Int = PNGDecoder.defaultMaxPixels
    ) throws(ScanError)
        -> GrayImage
    {
        var features = WebPBitstreamFeatures()
        let status = data.withUnsafeBufferPointer {
            WebPGetFeaturesInternal($0.baseAddress, $0.count, &features, WEBP_DECODER_ABI_VERSION)
        }
        guard status == VP8_STATUS_OK else { throw .corruptImage(format: "WebP", message: describe(status)) }
        if features.has_animation != 0 {
            throw .unsupportedImage(format: "WebP", reason: "it is animated; save the frame with the code as an image")
        }
        let width = Int(features.width)
        let height = Int(features.height)
        let lossless = features.format == 2
        let limit = lossless ? min(maxPixels, ImageDecoder.decoderMemoryLimit / 4) : maxPixels
        try ImageDecoder.checkSize(width: width, height: height, maxPixels: limit)
        let chromaWidth = (width + 1) / 2
        let chromaSize = chromaWidth * ((height + 1) / 2)
        var u = [UInt8](repeating: 0, count: chromaSize)
        var v = [UInt8](repeating: 0, count: chromaSize)
        var ok = false
        let luma = [UInt8](unsafeUninitializedCapacity: width * height) { y, initialized in
            y.initialize(repeating: 255)
            initialized = width * height
            ok = data.withUnsafeBufferPointer { input in
                u.withUnsafeMutableBufferPointer { u in
                    v.withUnsafeMutableBufferPointer { v in
                        WebPDecodeYUVInto(
                            input.baseAddress, input.count, y.baseAddress, y.count, CInt(width), u.baseAddress, u.count,
                            CInt(chromaWidth), v.baseAddress, v.count, CInt(chromaWidth)) != nil
                    }
                }
            }
        }
        guard ok else {
            throw .corruptImage(
                format: "WebP", message: "libwebp could not decode the image data (truncated or damaged)")
        }
        return GrayImage(width: width, height: height, pixels: luma)
    }

    private static func describe(_ status: VP8StatusCode) -> String {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA: "the file is truncated"
        case VP8_STATUS_BITSTREAM_ERROR: "the bitstream is damaged"
        case VP8_STATUS_UNSUPPORTED_FEATURE: "it uses a feature libwebp does not support"
        case VP8_STATUS_OUT_OF_MEMORY: "out of memory"
        default: "libwebp could not read the header (status \(status.rawValue))"
        }
    }
}
