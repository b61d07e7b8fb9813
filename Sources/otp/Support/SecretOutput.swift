import ArgumentParser
import Foundation
import OTPCrypto

#if canImport(Glibc)
    import Glibc
#endif

/// Writing secrets out: always the user's explicit act. A file is new (`0600`, never overwritten without
/// `--force`); `-` is standard output, and a terminal gets a warning on stderr.
enum SecretOutput {
    static func write(_ data: SecureBytes, to path: String, force: Bool) throws {
        if path == "-" {
            if isatty(STDOUT_FILENO) == 1 {
                Terminal.error(
                    "otp: warning: printing secrets on the terminal; anyone who sees the screen can copy them")
            }
            data.withUnsafeBytes { FileHandle.standardOutput.write(Data($0)) }
            return
        }
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL)
        let fd = open(path, flags, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw CommandFailure("\(path) exists; give --force to overwrite it", code: "exists") }
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))", code: "unwritable")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let ok = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
        guard ok, fsync(fd) == 0 else {
            throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))", code: "unwritable")
        }
    }
}
