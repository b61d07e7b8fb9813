import OTPScan

/// WebP bytes → libwebp's header and YUV decoders (lossy, lossless, alpha, animation refusal). Capped at 4 megapixels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    if let image = try? WebPDecoder.decode(bytes, maxPixels: 4_000_000) {
        precondition(image.pixels.count == image.width * image.height)
    }
    return 0
}
