import Foundation
import Testing

/// One list of import formats: `otp import --list-formats` prints the registry (`AppExports.formats`), and the
/// README's table between its `formats` markers is made from that output. A format added to the registry and not to
/// the README (or the other way round) fails here, with the table to paste.
@Suite struct FormatTableTests {
    static let begin = "<!-- formats: made from otp import --list-formats; FormatTableTests checks it -->"
    static let end = "<!-- formats end -->"

    /// The README table for `--list-formats` output: a format line, then its `    read:` line.
    static func table(_ listing: String) -> String {
        var rows = ["| format (recognised by content) | versions read | checked against |", "|---|---|---|"]
        var pending: (format: String, checked: String)?
        for line in listing.split(separator: "\n").map(String.init) {
            if line.hasPrefix("    read: "), let row = pending {
                let read = line.dropFirst("    read: ".count)
                rows.append("| \(row.format) | \(read) | \(row.checked) |")
                pending = nil
            } else if let split = line.range(of: "  ", options: .backwards), !line.hasPrefix(" ") {
                // The format is padded to the longest one: the checked column follows the last run of spaces.
                let format = line[..<split.lowerBound].trimmingCharacters(in: .whitespaces)
                let checked = line[split.upperBound...].trimmingCharacters(in: .whitespaces)
                pending = (format, checked)
            }
        }
        return rows.joined(separator: "\n")
    }

    @Test func theReadmeTableIsTheRegistry() throws {
        let listing = try CLI.run(["import", "--list-formats"])
        #expect(listing.status == 0)
        let expected = Self.table(listing.stdout)
        // 31 formats and the header: every registry line made a row.
        #expect(expected.split(separator: "\n").count >= 30)
        let readme = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: Self.begin))
        let stop = try #require(readme.range(of: Self.end))
        let actual = readme[start.upperBound..<stop.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(actual == expected, "the README's format table should be:\n\(expected)")
    }
}
