internal import CPNG

/// Writes 8-bit gray PNG files with libpng's simplified write API (beside ``PNGDecoder``).
public enum PNGEncoder {
    /// Why an image could not be written.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// PNG bytes of a gray image. The corresponding C function is `png_image_write_to_memory` (called once for the
    /// size, once to write).
    public static func encode(_ image: GrayImage) throws(Failure) -> [UInt8] {
        guard image.width > 0, image.height > 0 else { throw Failure(description: "an empty image") }
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = 0  // PNG_FORMAT_GRAY
        var size = 0
        let sized = image.pixels.withUnsafeBytes { pixels in
            png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else { throw Failure(description: "libpng could not size the image") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBytes { memory in
            image.pixels.withUnsafeBytes { pixels in
                png_image_write_to_memory(&png, memory.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
        png_image_free(&png)
        guard written != 0 else { throw Failure(description: "libpng could not write the image") }
        return Array(out.prefix(size))
    }
}
