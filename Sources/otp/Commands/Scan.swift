import ArgumentParser
import OTPCore
import OTPScan

/// `otp scan FILE... [--json]`: print the text of every QR code in each image.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the text of every QR code in PNG images.",
        discussion: """
            Each payload is printed on its own line (prefixed by the file name when several files are given), with \
            control characters escaped; --json gives the exact text. Exit status: 0 when every file gave at least \
            one code, 1 when any file was rejected (the others are still read).
            """
    )

    @Flag(help: "Print one JSON document on stdout.")
    var json = false

    @OptionGroup var input: InputOptions

    @Flag(help: "Print on stderr which passes were tried and what each cost.")
    var verbose = false

    @Argument(help: "PNG images (screenshots of QR codes).", completion: .file())
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one image file.") }
    }

    func run() throws {
        let results = verbose ? readVerbosely() : ParallelReader.read(files, workers: input.jobs)
        var failed = false
        var elements: [ScanFileJSON] = []
        for (number, (given, result)) in zip(files, results).enumerated() {
            // A missing "file" that looks like a URI may hold a secret: it is named, never echoed.
            var file = given
            if case .failure(.notFound) = result { file = UntrustedText.argumentLabel(given, number: number + 1) }
            switch result {
            case .success(let outcome):
                let texts = outcome.payloads.map(\.text)
                if json {
                    elements.append(ScanFileJSON(file: file, payloads: texts, error: nil))
                } else {
                    for text in texts {
                        let line = Terminal.escaped(text)
                        Terminal.out(files.count > 1 ? "\(Terminal.escaped(file)): \(line)\n" : line + "\n")
                    }
                }
            case .failure(let error):
                failed = true
                if json {
                    elements.append(
                        ScanFileJSON(
                            file: file, payloads: [], error: JSONError(code: error.code, message: error.description)))
                }
                Terminal.error("otp: \(Terminal.escaped(file)): \(error.description)")
            }
        }
        if json { Terminal.out(Terminal.json(elements)) }
        if failed { throw ExitCode(1) }
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
