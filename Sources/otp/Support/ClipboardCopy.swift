import OTPCapture
import OTPSession

/// `otp code --copy`: the code goes to the clipboard, a note to stderr, nothing to stdout; a detached
/// `otp clear-clipboard` clears it after the delay if it still holds the code.
enum ClipboardCopy {
    static func copy(_ printed: [PrintedCodes], clearAfter: Int) throws {
        guard let entry = printed.first, let code = entry.codes.first?.value else {
            throw CommandFailure("no code to copy", code: "not-found")
        }
        var bytes = Array(code.utf8)
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let destination: Clipboard.Destination
        do throws(CaptureFailure) {
            destination = try Clipboard.copy(bytes)
        } catch {
            throw CommandFailure("cannot copy the code: \(error.description)", code: "unavailable")
        }
        let name = Terminal.escaped(entry.issuer.map { "\($0): \(entry.name)" } ?? entry.name)
        var note = "otp: copied the code of \(name) to the clipboard (\(destination.rawValue))"
        if clearAfter > 0 {
            if let helper = ChildProcess.ownExecutable {
                do throws(ChildProcess.Failure) {
                    try ChildProcess.startDetached(
                        helper,
                        ["clear-clipboard", "--after", String(clearAfter), "--destination", destination.rawValue],
                        input: bytes)
                    note += "; it is cleared in \(clearAfter) s if it still holds the code"
                } catch {
                    note += "; it will not be cleared: \(error.description)"
                }
            }
        }
        Terminal.error(note)
    }
}
