import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why an output file could not be written. Nothing was left under the final name.
public enum AtomicFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file exists and replacing it was not asked for.
    case exists(path: String)
    /// The path names a device, a FIFO, a socket, a directory or a symbolic link: never written through.
    case notRegular(path: String)
    /// The system refused (a full disk, a missing folder, no permission), in its words.
    case failed(path: String, reason: String)

    public var description: String {
        switch self {
        case .exists(let path): "\(path) exists; give --force to overwrite it"
        case .notRegular(let path): "\(path) is not a regular file; nothing was written"
        case .failed(let path, let reason): "cannot write \(path): \(reason); nothing was written"
        }
    }
}

/// Output files written whole or not at all: into a new `0600` temporary file in the same folder, `fsync`ed, then
/// moved into place (`link` when the file must not exist yet, `rename` over an existing regular file), and the
/// folder `fsync`ed. A full disk, a kill or a crash leaves the old file (or none) under the final name, never a
/// truncated one; a device, FIFO or symbolic link given as the output is refused before anything is opened.
public enum AtomicFile {
    /// Runs `body` with the path of a fresh temporary file beside `path` (which `body` fills, by path or by
    /// writing to it), then moves it into place. The temporary file is removed whatever happens.
    public static func write(to path: String, replace: Bool, _ body: (String) throws -> Void) throws {
        try checkTarget(path, replace: replace)
        let temporary = try makeTemporary(beside: path)
        defer { unlink(temporary) }
        try body(temporary)
        try sync(temporary, path: path)
        if replace {
            // Checked again right before: a device put there meanwhile is still never replaced through.
            try checkTarget(path, replace: true)
            guard rename(temporary, path) == 0 else { throw failure(path) }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { throw AtomicFileError.exists(path: path) }
                throw failure(path)
            }
        }
        syncDirectory(of: path)
    }

    /// Writes `bytes` to `path` atomically (see ``write(to:replace:_:)``).
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String, replace: Bool) throws {
        try write(to: path, replace: replace) { temporary in
            let fd = open(temporary, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { throw failure(path) }
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw failure(path) }
                offset += n
            }
        }
    }

    private static func failure(_ path: String) -> AtomicFileError {
        let reason = String(cString: strerror(errno))
        let folder = (path as NSString).deletingLastPathComponent
        if errno == ENOENT, !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            return .failed(path: path, reason: "the folder \(folder) does not exist")
        }
        return .failed(path: path, reason: reason)
    }

    private static func checkTarget(_ path: String, replace: Bool) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw AtomicFileError.notRegular(path: path) }
        if !replace { throw AtomicFileError.exists(path: path) }
    }

    private static func makeTemporary(beside path: String) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).tmp-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw failure(path) }
        _ = fchmod(fd, 0o600)
        close(fd)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func sync(_ temporary: String, path: String) throws {
        let fd = open(temporary, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure(path) }
    }

    private static func syncDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
