/// Names what a file that is not a PNG seems to be, from its first bytes, for error messages.
public enum FileSniffer {
    /// A short phrase such as "it is a GIF image", "it is a text file" or "the file is empty".
    public static func describe(_ data: [UInt8]) -> String {
        if data.isEmpty { return "the file is empty" }
        func starts(_ prefix: [UInt8]) -> Bool {
            data.count >= prefix.count && data.prefix(prefix.count).elementsEqual(prefix)
        }
        if starts(Array("GIF8".utf8)) { return "it is a GIF image" }
        if starts([0xFF, 0xD8, 0xFF]) { return "it is a JPEG image" }
        if starts(Array("RIFF".utf8)), data.count >= 12, data[8..<12].elementsEqual("WEBP".utf8) {
            return "it is a WebP image"
        }
        if starts(Array("BM".utf8)) { return "it looks like a BMP image" }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return "it is a TIFF image" }
        if starts(Array("%PDF".utf8)) { return "it is a PDF document" }
        if data.count >= 12, data[4..<8].elementsEqual("ftyp".utf8) { return "it is a HEIC/MP4-family file" }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "the PNG signature is damaged" }
        let sample = data.prefix(512)
        let printable = sample.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || ($0 >= 0x20 && $0 != 0x7F) }
        if printable { return "it is a text file" }
        return "unknown binary data"
    }
}
