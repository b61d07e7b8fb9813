import ArgumentParser
import OTPCore
import OTPScan
import OTPSession

#if canImport(Glibc)
    import Glibc
#endif

/// `otp scan FILE... [--json]`: print the text of every QR code in each image.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the text of every QR code in images (PNG, JPEG, WebP, HEIC).",
        discussion: """
            Each payload is printed on its own line (prefixed by the file name when several files are given), with \
            control characters escaped; --json gives the exact text. Exit status: 0 when every file gave at least \
            one code, 1 when any file was rejected (the others are still read).
            """
    )

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var input: InputOptions
    @OptionGroup var capture: CaptureOptions

    var verbose: Bool { capture.verbose }

    @Argument(help: "Images: screenshots or photos of QR codes, PNG, JPEG, WebP or HEIC.", completion: .file())
    var files: [String] = []

    /// Names of the captured inputs (after the files), as printed.
    nonisolated(unsafe) private static var capturedNames: [String] = []

    func validate() throws {
        if files.isEmpty, !capture.any { throw ValidationError("Give at least one image file (or --screen).") }
    }

    func run() throws {
        var results = verbose ? readVerbosely() : ParallelReader.read(files, workers: input.jobs)
        results += readCaptures()
        if json { Terminal.out(Terminal.json(jsonElements(results))) } else { printText(results) }
        if results.contains(where: { if case .failure = $0 { true } else { false } }) { throw ExitCode(1) }
    }

    /// The screen and the clipboard's image, scanned like files (a capture that failed is a failed input).
    private func readCaptures() -> [Result<ScanOutcome, ScanError>] {
        guard capture.any else { return [] }
        let (captured, failed) = capture.capture()
        var results: [Result<ScanOutcome, ScanError>] = []
        let reader = try? QRReader()
        for item in captured {
            Self.capturedNames.append(item.name)
            guard let reader else {
                results.append(.failure(.scannerUnavailable))
                continue
            }
            results.append(Result { () throws(ScanError) in try reader.read(image: item.bytes) })
        }
        for item in failed {
            Self.capturedNames.append(item.source)
            results.append(.failure(.unreadable(reason: item.check.diagnostics.first?.message ?? "not captured")))
        }
        return results
    }

    /// How a file is named in output: as given, unless a missing "file" looks like a URI (it may hold a secret).
    private func label(_ index: Int, _ result: Result<ScanOutcome, ScanError>) -> String {
        if index >= files.count { return Self.capturedNames[index - files.count] }
        if case .failure(.notFound) = result { return UntrustedText.argumentLabel(files[index], number: index + 1) }
        return files[index]
    }

    private func jsonElements(_ results: [Result<ScanOutcome, ScanError>]) -> [ScanFileJSON] {
        results.enumerated().map { index, result in
            switch result {
            case .success(let outcome):
                return ScanFileJSON(file: label(index, result), payloads: outcome.payloads.map(\.text), error: nil)
            case .failure(let error):
                Terminal.error("otp: \(Terminal.escaped(label(index, result))): \(error.description)")
                return ScanFileJSON(
                    file: label(index, result), payloads: [],
                    error: JSONError(code: error.code, message: error.description))
            }
        }
    }

    private func printText(_ results: [Result<ScanOutcome, ScanError>]) {
        // A provisioning payload carries its secret: printing it on a screen is worth a word, as show says.
        let secretBearing = results.contains { result in
            guard case .success(let outcome) = result else { return false }
            return outcome.payloads.contains { payload in
                let lower = payload.text.prefix(2048).lowercased()
                return lower.hasPrefix("otpauth-migration:")
                    || (lower.hasPrefix("otpauth:") && lower.contains("secret="))
            }
        }
        if secretBearing, isatty(STDOUT_FILENO) == 1 {
            Terminal.error("otp: warning: printing secrets on the terminal; anyone who sees the screen can copy them")
        }
        for (index, result) in results.enumerated() {
            let file = Terminal.escaped(label(index, result))
            switch result {
            case .success(let outcome):
                for payload in outcome.payloads {
                    let line = Terminal.escaped(payload.text)
                    Terminal.out(files.count + Self.capturedNames.count > 1 ? "\(file): \(line)\n" : line + "\n")
                }
            case .failure(let error):
                Terminal.error("otp: \(file): \(error.description)")
            }
        }
    }

    /// One file after the other on one reader, printing each file's steps.
    private func readVerbosely() -> [Result<ScanOutcome, ScanError>] {
        guard let reader = try? QRReader() else { return files.map { _ in .failure(.scannerUnavailable) } }
        return files.map { file in
            let result = Result { () throws(ScanError) in try reader.read(contentsOf: file) }
            Terminal.error("\(Terminal.escaped(file)): " + reader.lastSteps.map(\.description).joined(separator: "; "))
            return result
        }
    }
}
