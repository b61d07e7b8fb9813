import OTPCapture

/// An X Window Dump's bytes (what `xwd -root` writes for the screen capture) → the gray image, every header size
/// checked before it is used.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    if let image = try? XWDImage.gray(bytes) { precondition(image.pixels.count == image.width * image.height) }
    return 0
}
