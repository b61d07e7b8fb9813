internal import COpenSSL

/// Key material in a buffer of its own that is wiped (`OPENSSL_cleanse`) when the last reference goes away.
///
/// Never printed: `description`, `debugDescription` and the mirror show only the length. Equality is compared in
/// constant time (`CRYPTO_memcmp`).
///
/// `@unchecked Sendable` is safe: the buffer is written only in `init` and never mutated afterwards, so
/// concurrent readers see immutable memory; it is freed only in `deinit`, after the last reference is gone.
public final class SecureBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into a new wiped-on-release buffer.
    public init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        storage = .allocate(byteCount: max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        _ = UnsafeMutableRawBufferPointer(rebasing: storage[0..<bytes.count]).initializeMemory(
            as: UInt8.self, from: bytes)
        count = bytes.count
    }

    /// Copies raw memory (the fast path for bytes already in a buffer).
    public init(copying raw: UnsafeRawBufferPointer) {
        storage = .allocate(byteCount: max(raw.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        if raw.count > 0 { storage.copyMemory(from: raw) }
        count = raw.count
    }

    /// A buffer of `count` bytes filled by `body` (for keys produced by C calls, without an intermediate array).
    public init(count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
        do {
            try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
        } catch {
            OPENSSL_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            throw error
        }
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// The number of bytes.
    public let count: Int

    /// Calls `body` with the bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy of the bytes as an array (for encoding into a sealed blob; wipe or drop it promptly).
    public var unsafeArray: [UInt8] { withUnsafeBytes { Array($0) } }
}

extension SecureBytes: Equatable, Hashable {
    /// Constant-time comparison (`CRYPTO_memcmp`); lengths are not secret.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }

    /// Hashes the length only, so a hash table never learns the key bytes.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
    }
}

extension SecureBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecureBytes(\(count) bytes)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["count": count]) }
}
