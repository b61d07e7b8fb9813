import ArgumentParser
import Foundation
import OTPCrypto
import OTPVault

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
            data.withUnsafeBytes { Terminal.writeOut($0) }
            return
        }
        do {
            try data.withUnsafeBytes { raw in try AtomicFile.write(raw, to: path, replace: force) }
        } catch let error as AtomicFileError {
            if case .exists = error { throw CommandFailure(error.description, code: "exists") }
            throw CommandFailure(error.description, code: "unwritable")
        }
    }
}
