import Foundation
import GRDB
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 24, classes 9–13: output files, closed pipes, `--once` with a time, huge durations.
@Suite(.serialized) struct OutputTrustTests {
    let directory: URL
    let environment: [String: String]
    static let uri = "otpauth://totp/Out:o?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Out"

    init() throws {
        directory = try CLI.temporaryDirectory()
        environment = ["OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "out"]
        _ = try CLI.run(["import", "--create", "-"], stdin: Self.uri + "\n", environment: environment)
    }

    func otp(_ arguments: [String]) throws -> CLI.Output { try CLI.run(arguments, environment: environment) }

    /// Class 9: `-o` naming a device or a FIFO is refused before anything is opened (a device's mode stays, a FIFO
    /// never blocks); an existing file is not overwritten without --force.
    @Test func outputsThatAreNotRegularFilesAreRefused() throws {
        var before = stat()
        stat("/dev/null", &before)
        let device = try otp(["export", "--format", "uri", "-o", "/dev/null", "--force"])
        var after = stat()
        stat("/dev/null", &after)
        #expect(device.status != 0 && device.stderr.contains("not a regular file"), "\(device.stderr)")
        #expect(before.st_mode == after.st_mode, "the device's mode is unchanged")
        let fifo = directory.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        let piped = try otp(["export", "--format", "uri", "-o", fifo, "--force"])
        #expect(piped.status != 0 && Date().timeIntervalSince(started) < 10, "\(piped.stderr)")
        let file = directory.appendingPathComponent("uris.txt").path
        #expect(try otp(["export", "--format", "uri", "-o", file]).status == 0)
        let again = try otp(["export", "--format", "uri", "-o", file])
        #expect(again.status != 0 && again.stderr.contains("--force"))
    }

    /// Class 9: a process killed while writing (here by the file-size limit, SIGXFSZ, which is what a full disk
    /// or a kill does to a write in place) leaves nothing under the final name: exports and backups go through a
    /// temporary file that is renamed only when whole.
    @Test(arguments: [["export", "--format", "html", "-o"], ["backup"]])
    func aWriteKilledHalfWayLeavesNoPartialFile(command: [String]) throws {
        let target = directory.appendingPathComponent("out-\(command[0])").path
        let script = "ulimit -f 1; exec \"$0\" \"$@\""
        let killed = try CLI.run(
            ["-c", script, CLI.binary.path] + command + [target], environment: environment,
            executable: URL(fileURLWithPath: "/bin/sh"), wrapped: false)
        #expect(killed.status != 0)
        #expect(!FileManager.default.fileExists(atPath: target), "no partial \(command[0]) under the final name")
        // Without the limit the same command writes the whole file.
        #expect(try otp(command + [target]).status == 0)
        #expect(FileManager.default.fileExists(atPath: target))
    }

    /// Class 10: a closed pipe on stdout is an error and an exit status, never a signal.
    @Test func aClosedStdoutIsAnErrorNotASignal() throws {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["code", "--from", Self.uri, "--next", "100"]
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try pipe.fileHandleForReading.close()
        try process.run()
        try pipe.fileHandleForWriting.close()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "ended by signal \(process.terminationStatus)")
        #expect(process.terminationStatus == 74 && message.contains("standard output"), "\(message)")
    }

    /// Class 11: `--once` hands out the current step only; a future `--at` would mark far-off steps as taken.
    @Test func onceRefusesAnotherTime() throws {
        let future = try otp(["code", "out", "--once", "--at", "4000000000"])
        #expect(future.status == 64 && future.stderr.contains("current step"), "\(future.stderr)")
        #expect(try otp(["code", "out", "--once", "--no-wait"]).status == 0, "the current step is still free")
    }

    /// Class 13 and issue 28: a huge `unlock --timeout` and a `--min-remaining` no step can satisfy are usage
    /// errors, not a trap or an endless wait.
    @Test func impossibleDurationsAreUsageErrors() throws {
        let huge = try otp(["unlock", "--timeout", "9999999999999999h"])
        #expect(huge.status == 64 && huge.stderr.contains("--timeout"), "\(huge.stderr)")
        let longer = try otp(["code", "out", "--min-remaining", "31"])
        #expect(longer.status == 64 && longer.stderr.contains("not shorter than the 30 s step"), "\(longer.stderr)")
    }
    /// Class 12: an export never leaves something out silently, and one account too long for a QR code is named and
    /// left out (transfer images) or printed without its QR code (paper), instead of failing the whole export.
    @Test func partialExportsSayWhatTheyLeftOut() throws {
        let long = String(repeating: "n", count: 2500)
        let added = try CLI.run(
            ["add", "--account", long, "--issuer", "Long"], stdin: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP\n",
            environment: environment)
        #expect(added.status == 0, "\(added.stderr)")
        let google = directory.appendingPathComponent("transfer").path
        let images = try otp(["export", "--format", "google", "-o", google])
        #expect(images.status == 1 && images.stderr.contains("left out Long"), "\(images.stderr)")
        #expect(FileManager.default.fileExists(atPath: google + "/otp-transfer-1-of-1.png"), "the others exported")
        let paper = directory.appendingPathComponent("paper.html").path
        let printed = try otp(["export", "--format", "html", "-o", paper])
        #expect(printed.status == 1 && printed.stderr.contains("printed without a QR code"), "\(printed.stderr)")
        #expect(try String(contentsOfFile: paper, encoding: .utf8).contains("type the key"))
        // A damaged entry: named, exit 1, the others exported.
        let queue = try DatabaseQueue(path: environment["OTP_VAULT"] ?? "")
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO entry VALUES ('broken', 1, 1, randomblob(32), randomblob(32), 1, randomblob(80))")
        }
        try queue.close()
        let uris = try otp(["export", "--format", "uri", "-o", "-"])
        #expect(uris.status == 1 && uris.stderr.contains("left out entry broken"), "\(uris.stderr)")
        #expect(uris.stdout.contains("otpauth://totp/Out"))
    }
}
