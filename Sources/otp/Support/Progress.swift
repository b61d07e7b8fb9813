import Foundation
import OTPCrypto
import Synchronization

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the batch is more than a few
/// inputs (never in `--json` mode or when piped). Safe to call from worker threads.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let label: String
    private let last = Mutex<Int>(-1)

    init(label: String, json: Bool) {
        self.label = label
        self.enabled = !json && Terminal.stderrIsTerminal
    }

    /// The callback for ``OTPImport/ProvisioningInputs/read(_:standardInput:sourcePassphrase:progress:)``.
    var callback: (@Sendable (Int, Int) -> Void)? {
        guard enabled else { return nil }
        return { [self] done, total in self.update(done, total) }
    }

    func update(_ done: Int, _ total: Int) {
        guard total > 3 else { return }
        let width = 30
        let filled = total > 0 ? done * width / total : width
        last.withLock { previous in
            guard filled != previous || done == total else { return }
            previous = filled
            let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        }
    }

    /// Clears the line.
    func finish() {
        guard enabled else { return }
        last.withLock { previous in
            if previous >= 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        }
    }
}
