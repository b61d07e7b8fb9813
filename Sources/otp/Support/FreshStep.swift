import Foundation
import OTPCore
import OTPSession

#if canImport(Glibc)
    import Glibc
#endif

/// Codes fresh enough to submit: AWS wants two consecutive codes typed and submitted at once, so a pair whose first
/// code has a few seconds left ends up rejected, or the device out of sync.
enum FreshStep {
    /// The time to make codes for: `now`, or the start of the next step of the shortest-period account when the
    /// first code would have fewer than `minRemaining` seconds left. With a fixed `--at` the later step is used
    /// without waiting; otherwise this waits for it (a countdown on stderr when it is a terminal; nothing on
    /// stdout).
    static func time(for accounts: [OTPAccount], at now: Int64, minRemaining: Int?, fixed: Bool) throws -> Int64 {
        let target: Int64
        do {
            target = try CodePlanner.freshTime(for: accounts, at: now, minRemaining: minRemaining)
        } catch {
            throw CommandFailure(error.description, status: 64, code: "usage")
        }
        if target > now, !fixed { wait(until: target, reason: "fewer than \(minRemaining ?? 0) s left") }
        return target
    }

    /// Sleeps until `time` (Unix seconds), counting down on stderr when it is a terminal.
    static func wait(until time: Int64, reason: String) {
        let terminal = Terminal.stderrIsTerminal
        // A script's log gets one plain line, so a pause of up to a step is never silent.
        let seconds = Int((Double(time) - Date().timeIntervalSince1970).rounded(.up))
        if !terminal, seconds > 0 { Terminal.error("otp: \(reason): waiting \(seconds) s for the next step") }
        while true {
            let now = Date().timeIntervalSince1970
            let left = Double(time) - now
            if left <= 0 { break }
            if terminal {
                FileHandle.standardError.write(
                    Data("\rotp: \(reason): waiting \(Int(left.rounded(.up))) s for the next step ".utf8))
            }
            usleep(UInt32(min(left, 1) * 1_000_000))
        }
        if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
