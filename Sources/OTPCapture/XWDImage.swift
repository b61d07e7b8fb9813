public import OTPScan

/// X Window Dump images (what `xwd -root` writes), read for the screen capture where ImageMagick's `import` is not
/// installed: version 7, ZPixmap, 24 or 32 bits per pixel with TrueColor masks, turned into a gray image. Every
/// size in the header is checked against the bytes before it is used.
public enum XWDImage {
    /// The largest image read (a 8K screen is 33 MP).
    public static let maximumPixels = 64 << 20

    /// Why an XWD file was not read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The gray image of an XWD file.
    public static func gray(_ bytes: [UInt8]) throws(Failure) -> GrayImage {
        func field(_ index: Int) -> Int {
            let offset = index * 4
            return Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8
                | Int(bytes[offset + 3])
        }
        guard bytes.count >= 100 else { throw Failure(description: "shorter than an XWD header") }
        let headerSize = field(0)
        let version = field(1)
        let format = field(2)
        let width = field(4)
        let height = field(5)
        let byteOrder = field(7)
        let bitsPerPixel = field(11)
        let bytesPerLine = field(12)
        let masks = (red: field(14), green: field(15), blue: field(16))
        let colors = field(19)
        guard version == 7 else { throw Failure(description: "XWD version \(version), not 7") }
        guard format == 2 else { throw Failure(description: "not a ZPixmap XWD image") }
        guard bitsPerPixel == 24 || bitsPerPixel == 32 else {
            throw Failure(description: "\(bitsPerPixel) bits per pixel (24 or 32 are read)")
        }
        guard (1...65_536).contains(width), (1...65_536).contains(height), width * height <= maximumPixels else {
            throw Failure(description: "a \(width)×\(height) image (at most \(maximumPixels >> 20) MP are read)")
        }
        let pixelBytes = bitsPerPixel / 8
        guard (100...(1 << 20)).contains(headerSize), (0...65_536).contains(colors),
            bytesPerLine >= width * pixelBytes, bytesPerLine <= width * pixelBytes + 64
        else { throw Failure(description: "its header's sizes do not fit together") }
        let start = headerSize + colors * 12
        guard start <= bytes.count, bytesPerLine * height <= bytes.count - start else {
            throw Failure(description: "cut short: its pixels end before the image does")
        }
        func shift(_ mask: Int) -> (shift: Int, bits: Int) {
            guard mask != 0 else { return (0, 0) }
            let shift = mask.trailingZeroBitCount
            let bits = mask >> shift
            // Contiguous ones only: 0b0111 & 0b1000 == 0.
            return (shift, bits & (bits + 1) == 0 ? bits.nonzeroBitCount : 0)
        }
        let channels = [shift(masks.red), shift(masks.green), shift(masks.blue)]
        guard channels.allSatisfy({ (1...16).contains($0.bits) }) else {
            throw Failure(description: "its colour masks are not TrueColor masks")
        }
        var pixels = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            let row = start + y * bytesPerLine
            for x in 0..<width {
                let at = row + x * pixelBytes
                var value = 0
                for i in 0..<pixelBytes {
                    // byte order 0: least significant byte first.
                    let byte = Int(bytes[at + (byteOrder == 0 ? pixelBytes - 1 - i : i)])
                    value = value << 8 | byte
                }
                var rgb = [0, 0, 0]
                for (c, channel) in channels.enumerated() {
                    let raw = (value >> channel.shift) & ((1 << channel.bits) - 1)
                    rgb[c] = raw * 255 / ((1 << channel.bits) - 1)
                }
                pixels[y * width + x] = UInt8((rgb[0] * 299 + rgb[1] * 587 + rgb[2] * 114) / 1000)
            }
        }
        return GrayImage(width: width, height: height, pixels: pixels)
    }
}
