#if canImport(Glibc)
    import Glibc
#endif

/// Destroys a source file once what it held is safely stored: AWS says to treat a seed like a password and destroy
/// it after provisioning.
public enum Shredder {
    /// Why a file was not shredded.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// The path.
        public let path: String
        /// What went wrong (`strerror`, or "not a regular file").
        public let reason: String

        public var description: String { "\(path) was not shredded: \(reason)" }
    }

    /// Overwrites a regular file with zeros (then `fsync`) and unlinks it. On copy-on-write or journaling file
    /// systems and SSDs old blocks may survive the overwrite; the unlink is what is certain.
    ///
    /// The corresponding C functions are `open`, `write`, `fsync` and `unlink`.
    public static func shred(_ path: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw Failure(path: path, reason: "not a regular file")
        }
        let zeros = [UInt8](repeating: 0, count: 1 << 16)
        var left = Int(info.st_size)
        while left > 0 {
            let n = zeros.withUnsafeBytes { write(fd, $0.baseAddress, min(left, $0.count)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
            left -= n
        }
        guard fsync(fd) == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
        guard unlink(path) == 0 else { throw Failure(path: path, reason: String(cString: strerror(errno))) }
    }
}
