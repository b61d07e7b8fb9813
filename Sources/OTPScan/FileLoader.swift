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
    /// Only regular files are read: a FIFO, socket or device named as an input would block or never end. It is
    /// opened non-blocking (so opening a FIFO with no writer cannot hang), checked with `fstat`, and refused unless
    /// it is a regular file. Standard input is read with ``readStandardInput(maxBytes:)``.
    public static func read(_ path: String, maxBytes: Int = defaultMaxBytes) throws(ScanError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw error(errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(errno) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw .unreadable(reason: "it is a directory")
        case S_IFIFO:
            throw .unreadable(reason: "it is a pipe (FIFO), not a regular file; give it on standard input with -")
        case S_IFSOCK: throw .unreadable(reason: "it is a socket, not a regular file")
        case S_IFCHR, S_IFBLK: throw .unreadable(reason: "it is a device, not a regular file")
        default: throw .unreadable(reason: "it is not a regular file")
        }
        // Back to blocking reads for the regular file.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return try readAll(fd, declared: Int(info.st_size), maxBytes: maxBytes)
    }

    /// Reads standard input to its end (a pipe, a file or a terminal), refusing more than `maxBytes`.
    public static func readStandardInput(maxBytes: Int = defaultMaxBytes) throws(ScanError) -> [UInt8] {
        var info = stat()
        let declared = fstat(STDIN_FILENO, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : 0
        return try readAll(STDIN_FILENO, declared: declared, maxBytes: maxBytes)
    }

    private static func readAll(_ fd: Int32, declared: Int, maxBytes: Int) throws(ScanError) -> [UInt8] {
        if declared > maxBytes { throw .fileTooLarge(bytes: declared, limit: maxBytes) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(max(declared, 0), maxBytes) + 1)
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
