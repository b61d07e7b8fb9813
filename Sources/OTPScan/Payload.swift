/// The content of one QR code: its exact bytes and their text.
public struct Payload: Sendable, Hashable {
    /// The bytes zbar read in binary mode (they may contain NUL).
    public let bytes: [UInt8]
    /// The code's bounding box in the decoded image's pixels: left edge.
    public let x: Int
    /// Top edge of the bounding box.
    public let y: Int
    /// Width of the bounding box.
    public let width: Int
    /// Height of the bounding box.
    public let height: Int

    /// Creates a payload.
    public init(bytes: [UInt8], x: Int = 0, y: Int = 0, width: Int = 0, height: Int = 0) {
        self.bytes = bytes
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The same payload with its box scaled (maps boxes found in a rescaled pass back to the original).
    func scaled(by factor: Double) -> Payload {
        Payload(
            bytes: bytes, x: Int(Double(x) * factor), y: Int(Double(y) * factor),
            width: Int(Double(width) * factor), height: Int(Double(height) * factor))
    }

    /// The bytes as text: UTF-8 when they are valid UTF-8; otherwise Shift_JIS when they look like it (as zxing
    /// guesses), else ISO-8859-1 (the QR default for byte mode).
    public var text: String { TextEncodingGuess.decode(bytes) }
}
