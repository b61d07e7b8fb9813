internal import COpenSSL

/// Key material in a buffer of its own that is wiped (`OPENSSL_cleanse`) when the last reference goes away.
///
/// Never printed: `description`, `debugDescription` and the mirror show only the length. Equality is compared in
/// constant time (`CRYPTO_memcmp`).
///
/// The buffer has one owner, `deinit`: no initialiser frees it, also when it throws (Swift runs `deinit` for a
/// class whose stored properties were all set before the throw, so freeing on the error path would free twice).
///
/// `@unchecked Sendable` is safe: the buffer is written only in `init` and never mutated afterwards, so
/// concurrent readers see immutable memory; it is freed only in `deinit`, after the last reference is gone.
public final class SecureBytes: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer

    /// The number of bytes.
    public let count: Int

    /// Copies `bytes` into a new wiped-on-release buffer.
    public init<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let count = bytes.count
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
        _ = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]).initializeMemory(as: UInt8.self, from: bytes)
    }

    /// Copies raw memory (the fast path for bytes already in a buffer).
    public init(copying raw: UnsafeRawBufferPointer) {
        storage = .allocate(byteCount: max(raw.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        count = raw.count
        if raw.count > 0 { storage.copyMemory(from: raw) }
    }

    /// A buffer of `count` zero bytes filled by `body` (keys produced by C calls, without an intermediate array).
    ///
    /// When `body` throws, the buffer is wiped by `deinit` as the half-made value is released.
    public init<E: Error>(
        count: Int, initializingWith body: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        precondition(count >= 0, "negative byte count")
        storage = .allocate(byteCount: max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        self.count = count
        try body(UnsafeMutableRawBufferPointer(rebasing: storage[0..<count]))
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    /// Calls `body` with the bytes. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Zeroes memory that held a secret outside a `SecureBytes` (a C string handed to a library, a read buffer),
    /// with `OPENSSL_cleanse`, which the optimiser cannot drop.
    public static func wipe(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress else { return }
        OPENSSL_cleanse(base, buffer.count)
    }

    /// The first `length` bytes as a new wiped buffer.
    public func prefix(_ length: Int) -> SecureBytes {
        withUnsafeBytes { SecureBytes(copying: UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
    }
}

extension SecureBytes: Equatable, Hashable {
    /// Constant-time comparison (`CRYPTO_memcmp`); lengths are not secret.
    public static func == (lhs: SecureBytes, rhs: SecureBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
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

/// A growable byte buffer for secrets being assembled (a sealed entry's plaintext, a fingerprint's input): every
/// buffer it outgrows is wiped before it is freed, and so is the last one, in `deinit`.
///
/// In the style of swift-crypto's `SecureBytes` backing storage. Not thread-safe; not `Sendable`.
public final class SecureBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    /// The bytes written so far.
    public private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 64) {
        storage = .allocate(byteCount: max(capacity, 16), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
    }

    private func reserve(_ extra: Int) {
        let needed = count + extra
        guard needed > storage.count else { return }
        var capacity = storage.count
        while capacity < needed { capacity *= 2 }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        grown.initializeMemory(as: UInt8.self, repeating: 0)
        grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
        OPENSSL_cleanse(storage.baseAddress, storage.count)
        storage.deallocate()
        storage = grown
    }

    /// Appends one byte.
    public func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends raw bytes.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Appends bytes of a collection (not secret text such as names, or an array about to be wiped).
    public func append<Bytes: Collection>(contentsOf bytes: Bytes) where Bytes.Element == UInt8 {
        reserve(bytes.count)
        for byte in bytes {
            storage[count] = byte
            count += 1
        }
    }

    /// Appends an integer, big-endian.
    public func append<T: FixedWidthInteger>(bigEndian value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append($0) }
    }

    /// Appends another secret.
    public func append(_ secret: SecureBytes) {
        secret.withUnsafeBytes { append($0) }
    }

    /// Calls `body` with the bytes written. Do not let the pointer escape.
    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// The bytes as an immutable wiped buffer.
    public func finish() -> SecureBytes {
        withUnsafeBytes { SecureBytes(copying: $0) }
    }
}

@available(*, unavailable)
extension SecureBuffer: Sendable {}
