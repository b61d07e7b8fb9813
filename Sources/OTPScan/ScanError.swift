/// Why an image file gave no payloads.
///
/// Messages never contain payload text (a payload may hold a secret); the file name is added by the caller.
public enum ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at the path.
    case notFound
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(reason: String)
    /// The bytes do not start with the PNG signature; `looksLike` names what they seem to be instead.
    case notPNG(looksLike: String)
    /// libpng rejected the data (truncated, bad CRC, bad chunk); `message` is libpng's own.
    case corruptPNG(message: String)
    /// The image declares more pixels than the limit (checked before any pixel buffer is allocated).
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The file is larger than the limit on files read into memory.
    case fileTooLarge(bytes: Int, limit: Int)
    /// The image decoded but no QR code was found by any pass.
    case noCode
    /// zbar could not be initialised.
    case scannerUnavailable

    /// The stable error code of the command-line contract (`not-found`, `unreadable`, `not-png`, `corrupt-png`,
    /// `too-large`, `no-code`).
    public var code: String {
        switch self {
        case .notFound: "not-found"
        case .unreadable, .scannerUnavailable: "unreadable"
        case .notPNG: "not-png"
        case .corruptPNG: "corrupt-png"
        case .tooLarge, .fileTooLarge: "too-large"
        case .noCode: "no-code"
        }
    }

    public var description: String {
        switch self {
        case .notFound:
            "no such file"
        case .unreadable(let reason):
            "cannot read the file: \(reason)"
        case .notPNG(let looksLike):
            "not a PNG image (\(looksLike)); save the screenshot as PNG"
        case .corruptPNG(let message):
            "damaged PNG: \(message)"
        case .tooLarge(let width, let height, let limit):
            "image too large: \(width)×\(height) pixels is over the limit of \(limit / 1_000_000) megapixels"
        case .fileTooLarge(let bytes, let limit):
            "file too large: \(bytes) bytes is over the limit of \(limit) bytes"
        case .noCode:
            "no QR code found in the image"
        case .scannerUnavailable:
            "the QR scanner (zbar) could not be initialised"
        }
    }
}
