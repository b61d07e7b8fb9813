import OTPScan

/// JPEG bytes → libjpeg-turbo (through the CJPEG shim's setjmp) at every DCT reduction → EXIF orientation. The first
/// byte picks the reduction, so one input explores the scaled decoders too. Capped at 4 megapixels for pace.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let reduction = [1, 2, 4, 8][Int(bytes.last ?? 0) % 4]
    if let decoded = try? JPEGDecoder.decode(bytes, maxPixels: 4_000_000, reduction: reduction) {
        precondition(decoded.image.pixels.count == decoded.image.width * decoded.image.height)
    }
    return 0
}
