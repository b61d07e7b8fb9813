internal import COpenSSL

/// A failure inside OpenSSL, or a refused cryptographic operation.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done (`"HMAC init"`, `"AES-GCM open"`).
    public let operation: String
    /// OpenSSL's error queue, drained, or a reason of ours. Never contains key material.
    public let reason: String

    /// Creates an error.
    public init(operation: String, reason: String) {
        self.operation = operation
        self.reason = reason
    }

    public var description: String { "\(operation) failed: \(reason)" }

    /// An error for `operation` carrying OpenSSL's queued errors (the queue is drained).
    ///
    /// The corresponding C functions are `ERR_get_error` and `ERR_error_string_n`.
    static func openSSL(_ operation: String) -> CryptoError {
        var messages: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return CryptoError(
            operation: operation, reason: messages.isEmpty ? "OpenSSL error" : messages.joined(separator: "; "))
    }
}
