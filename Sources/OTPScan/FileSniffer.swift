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
        return unknownBinary
    }

    /// What ``describe(_:)`` says of bytes it does not recognise.
    public static let unknownBinary = "unknown binary data"

    /// What a file's first bytes say it is when it is clearly not an input of ours: a document or an archive
    /// (PDF, ZIP and the office formats built on it, gzip, bzip2, xz, 7-Zip, RAR, tar). `nil` for anything else.
    public static func nonInputKind(_ head: [UInt8]) -> String? {
        func starts(_ prefix: [UInt8]) -> Bool {
            head.count >= prefix.count && head.prefix(prefix.count).elementsEqual(prefix)
        }
        if starts(Array("%PDF".utf8)) { return "a PDF document" }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            return "a ZIP archive or office document"
        }
        if starts([0x1F, 0x8B]) { return "a gzip archive" }
        if starts(Array("BZh".utf8)) { return "a bzip2 archive" }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) { return "an xz archive" }
        if starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C]) { return "a 7-Zip archive" }
        if starts(Array("Rar!".utf8)) { return "a RAR archive" }
        if head.count >= 262, head[257..<262].elementsEqual("ustar".utf8) { return "a tar archive" }
        if starts([0xD0, 0xCF, 0x11, 0xE0]) { return "an old office document" }
        return nil
    }
}
