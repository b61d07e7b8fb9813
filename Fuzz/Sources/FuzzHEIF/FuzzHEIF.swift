import OTPScan

/// HEIF bytes → the brand sniff → libheif's box parser and libde265 → the luma plane. Capped at 4 megapixels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    _ = ImageFormat.sniff(bytes)
    if let image = try? HEIFDecoder.decode(bytes, maxPixels: 4_000_000) {
        precondition(image.pixels.count == image.width * image.height)
    }
    return 0
}
