import ArgumentParser
import Foundation
import OTPSession

/// `--json`, shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout (human text goes to stderr).")
    var json = false
}

/// `--at` and `--next`, shared by the code-printing commands.
struct TimeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The time to make codes for: Unix seconds or ISO 8601 (2026-01-01T09:30:00Z).", valueName: "time"))
    var at: String?

    @Option(
        help: ArgumentHelp(
            "How many consecutive codes to print (AWS asks for 2 when enabling a device).", valueName: "n"))
    var next: Int = 1

    func validate() throws {
        guard (1...100).contains(next) else { throw ValidationError("--next must be between 1 and 100.") }
        if let at, Self.parseTime(at) == nil {
            throw ValidationError(
                "--at '\(at)' is neither Unix seconds nor an ISO 8601 date and time with a zone "
                    + "(2026-01-01T09:30:00Z), between 1970 and 9999."
            )
        }
    }

    /// The requested time in Unix seconds, or now.
    var unixTime: Int64 {
        if let at, let time = Self.parseTime(at) { return time }
        return Int64(Date().timeIntervalSince1970)
    }

    /// The latest time accepted: 9999-12-31T23:59:59Z (later times are typing errors, and would overflow).
    static let latestTime = CodeRequest.latestTime

    /// Unix seconds (non-negative integer) or ISO 8601 with a time zone, with or without fractional seconds, up to
    /// ``latestTime``.
    static func parseTime(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return (0...latestTime).contains(seconds) ? seconds : nil }
        for options in [
            ISO8601DateFormatter.Options.withInternetDateTime, [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: text), (0...Double(latestTime)).contains(date.timeIntervalSince1970) {
                return Int64(date.timeIntervalSince1970.rounded(.down))
            }
        }
        return nil
    }
}
