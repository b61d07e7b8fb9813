import ArgumentParser
import Foundation
import OTPCapture

/// `otp clear-clipboard --after S --destination D` (internal): started detached by `otp code --copy`, it reads the
/// copied code from its standard input, sleeps, and clears the clipboard if it still holds that code.
struct ClearClipboard: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clear-clipboard", shouldDisplay: false)

    @Option var after: Int
    @Option var destination: String

    func run() throws {
        guard let destination = Clipboard.Destination(rawValue: destination), (1...129_600).contains(after) else {
            throw ExitCode(64)
        }
        var code = [UInt8](repeating: 0, count: 256)
        let n = read(0, &code, code.count)
        guard n > 0 else { throw ExitCode(1) }
        code = Array(code[..<n])
        defer { for i in code.indices { code[i] = 0 } }
        close(0)
        sleep(UInt32(after))
        Clipboard.clear(ifHolding: code, destination: destination)
    }
}
