import OTPScan

/// PNG bytes → libpng → every scan pass → QR payloads. Images are capped at 4 megapixels here (the tool's limit is
/// 100) so the fuzzer keeps its pace; the shape checks and pass budgets run the same.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    guard let reader = try? QRReader(maxPixels: 4_000_000) else { return 0 }
    _ = try? reader.read(image: bytes)
    return 0
}
