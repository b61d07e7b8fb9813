import ArgumentParser
import OTPCapture
import OTPCore
import OTPImport

/// `--screen`, `--select` and `--clipboard`: inputs captured in memory, never saved.
struct CaptureOptions: ParsableArguments {
    @Flag(help: "Capture the screen and read every QR code on it (nothing is saved; see --verbose for the tool).")
    var screen = false

    @Flag(help: "With --screen: let me pick a region or a window (where the screenshot tool can).")
    var select = false

    @Flag(help: "Read the clipboard: an image (PNG, JPEG, WebP) or otpauth:// / otpauth-migration:// URIs.")
    var clipboard = false

    @Flag(help: "Say on stderr which capture tools were tried (scan: also which passes were tried, and their cost).")
    var verbose = false

    var any: Bool { screen || clipboard }

    func validate() throws {
        if select, !screen { throw ValidationError("--select goes with --screen.") }
    }

    /// The captures, and an invalid item naming each capture that failed (the other inputs are still read).
    func capture() -> (inputs: [MemoryInput], failed: [CheckedItem]) {
        let note: (String) -> Void = { if verbose { Terminal.error("otp: \($0)") } }
        var inputs: [MemoryInput] = []
        var failed: [CheckedItem] = []
        func failure(_ source: String, _ error: CaptureFailure) -> CheckedItem {
            CheckedItem(
                source: source,
                check: URICheck(
                    account: nil, diagnostics: [Diagnostic(.error, .uri, .unreadable, error.description)], issuer: nil,
                    name: nil),
                batch: nil)
        }
        if screen {
            do throws(CaptureFailure) {
                let shot = try ScreenCapture.capture(select: select, note: note)
                inputs.append(MemoryInput(name: "screen (\(shot.tool))", bytes: shot.bytes))
            } catch {
                failed.append(failure("screen", error))
            }
        }
        if clipboard {
            do throws(CaptureFailure) {
                let content = try Clipboard.read(note: note)
                inputs.append(MemoryInput(name: "clipboard (\(content.tool), \(content.type))", bytes: content.bytes))
            } catch {
                failed.append(failure("clipboard", error))
            }
        }
        return (inputs, failed)
    }
}
