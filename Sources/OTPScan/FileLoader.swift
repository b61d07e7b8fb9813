#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files with POSIX calls, so that each failure maps to a precise ``ScanError``.
public enum FileLoader {
    /// Files larger than this are refused before being read (256 MiB).
    public static let defaultMaxBytes = 256 << 20

    /// Reads the file at `path`.
    ///
    /// The corresponding C functions are `open`, `fstat` and `read`.
    ///
    /// - Throws: ``ScanError/notFound``, ``ScanError/unreadable(reason:)`` (with `strerror`'s text, or "it is a
    ///   directory"), or ``ScanError/fileTooLarge(bytes:limit:)``.
    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) throws(ScanError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(errno) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .unreadable(reason: "it is a directory") }
        let declared = Int(info.st_size)
        if declared > maxBytes { throw .fileTooLarge(bytes: declared, limit: maxBytes) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(max(declared, 0) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw error(errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maxBytes { throw .fileTooLarge(bytes: bytes.count, limit: maxBytes) }
        }
        return bytes
    }

    private static func error(_ code: Int32) -> ScanError {
        if code == ENOENT || code == ENOTDIR { return .notFound }
        return .unreadable(reason: String(cString: strerror(code)))
    }
}
