/// Why an image file gave no payloads.
///
/// Messages never contain payload text (a payload may hold a secret); the file name is added by the caller.
public enum ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No file at the path.
    case notFound
    /// The file exists but could not be read (permissions, a directory, an I/O error).
    case unreadable(reason: String)
    /// The bytes are none of the image formats read (PNG, JPEG, WebP, HEIF); `looksLike` names what they seem to be.
    case notAnImage(looksLike: String)
    /// libpng rejected the data (truncated, bad CRC, bad chunk); `message` is libpng's own.
    case corruptPNG(message: String)
    /// libjpeg, libwebp or libheif rejected the data; `format` names the format, `message` says what is wrong.
    case corruptImage(format: String, message: String)
    /// The file is an image of a known format that uses something not read (an animated WebP, a HEIF codec that is
    /// not installed).
    case unsupportedImage(format: String, reason: String)
    /// The image declares more pixels than the limit (checked before any pixel buffer is allocated).
    case tooLarge(width: Int, height: Int, limit: Int)
    /// The file is larger than the limit on files read into memory.
    case fileTooLarge(bytes: Int, limit: Int)
    /// The image decoded but no QR code was found by any pass.
    case noCode
    /// No QR code was found in an image whose decoder worked past damage (`damage` says what): the code may be in
    /// the part that is missing.
    case noCodeInDamagedImage(damage: String)
    /// zbar could not be initialised.
    case scannerUnavailable

    /// The stable error code of the command-line contract (`not-found`, `unreadable`, `not-png` (not an image we
    /// read: the first release read PNG only), `corrupt-png`, `corrupt-image`, `unsupported-image`,
    /// `too-large`, `no-code`).
    public var code: String {
        switch self {
        case .notFound: "not-found"
        case .unreadable, .scannerUnavailable: "unreadable"
        case .notAnImage: "not-png"
        case .corruptPNG: "corrupt-png"
        case .corruptImage: "corrupt-image"
        case .unsupportedImage: "unsupported-image"
        case .tooLarge, .fileTooLarge: "too-large"
        case .noCode, .noCodeInDamagedImage: "no-code"
        }
    }

    public var description: String {
        switch self {
        case .notFound:
            "no such file"
        case .unreadable(let reason):
            "cannot read the file: \(reason)"
        case .notAnImage(let looksLike):
            "not an image otp reads (\(looksLike)); save the screenshot as PNG, JPEG, WebP or HEIC"
        case .corruptPNG(let message):
            "damaged PNG: \(message)"
        case .corruptImage(let format, let message):
            "damaged \(format) image: \(message)"
        case .unsupportedImage(let format, let reason):
            "\(format) image not read: \(reason)"
        case .tooLarge(let width, let height, let limit):
            "image too large: \(width)×\(height) pixels is over the limit of \(limit / 1_000_000) megapixels"
        case .fileTooLarge(let bytes, let limit):
            "file too large: \(bytes) bytes is over the limit of \(limit) bytes"
        case .noCode:
            "no QR code found in the image"
        case .noCodeInDamagedImage(let damage):
            "no QR code found in the image, which is damaged (\(damage))"
        case .scannerUnavailable:
            "the QR scanner (zbar) could not be loaded or initialised (install it: apt install libzbar0)"
        }
    }
}
