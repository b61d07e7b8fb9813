import Foundation
import OTPCapture
import Testing

/// A long-running test program (Xvfb, display), started with posix_spawn and stopped by pid: Foundation's
/// `Process` learns of an exit from a socket its children inherit, which the X clients started later keep open.
final class Spawned {
    let pid: pid_t

    init(_ path: String, _ arguments: [String], environment: [String: String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard status == 0 else { throw DesktopError("cannot start \(path): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Whether it still runs (reaped when it ended).
    var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// SIGTERM, then SIGKILL after a second; reaped.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(1)
        while isRunning, Date() < deadline { usleep(10_000) }
        if isRunning {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// A real X server for one test: Xvfb on a free display, with `-noreset` (without it the server resets when its
/// last client leaves, which drops the clipboard), stopped (and with it every client: xclip, display) at the end.
final class XvfbServer {
    let display: String
    private let server: Spawned
    private var clients: [Spawned] = []

    /// Xvfb missing is a failure (`make test` installs it), as are xclip and ImageMagick.
    init() throws {
        for tool in ["/usr/bin/Xvfb", "/usr/bin/xclip", "/usr/bin/import", "/usr/bin/display"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw DesktopError("\(tool) is not installed (Debian xvfb, xclip, imagemagick; make test installs them)")
        }
        var number = 0
        for candidate in (200 + Int.random(in: 0..<300))..<1000
        where !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(candidate)")
            && !FileManager.default.fileExists(atPath: "/tmp/.X\(candidate)-lock")
        {
            number = candidate
            break
        }
        display = ":\(number)"
        server = try Spawned(
            "/usr/bin/Xvfb", [display, "-screen", "0", "1600x1200x24", "-noreset", "-nolisten", "tcp"],
            environment: [:])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)") {
            if !server.isRunning || Date() > deadline {
                server.stop()
                throw DesktopError("Xvfb \(display) did not start")
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    func stop() {
        for client in clients { client.stop() }
        clients = []
        server.stop()
    }

    var environment: [String: String] { ["DISPLAY": display, "WAYLAND_DISPLAY": ""] }

    /// The clipboard's text (empty when nobody owns it or it holds nothing), read with xclip.
    func clipboard() throws -> String {
        let result = try ChildProcess.run(
            "xclip", ["-selection", "clipboard", "-o"],
            environment: ProcessInfo.processInfo.environment
                .merging(["DISPLAY": display]) { $1 })
        return result.status == 0 ? String(decoding: result.output, as: UTF8.self) : ""
    }

    /// Puts bytes on the clipboard with xclip (its server stays until the display stops).
    func setClipboard(_ data: Data, type: String) throws {
        _ = try ChildProcess.run(
            "xclip", ["-selection", "clipboard", "-t", type, "-i"], input: Array(data), detached: true,
            environment: ProcessInfo.processInfo.environment.merging(["DISPLAY": display]) { $1 })
        usleep(100_000)
    }

    /// Waits (up to 30 s: ImageMagick draws slowly on a loaded machine) until a check of the screen finds a code.
    func waitUntilShown(environment: [String: String]) throws {
        let deadline = Date().addingTimeInterval(30)
        let env = environment.merging(self.environment) { $1 }
        while try CLI.run(["check", "--screen"], environment: env).status != 0, Date() < deadline {
            usleep(300_000)
        }
    }

    /// Shows an image in a window at a position (ImageMagick's display), until the server stops.
    func show(_ path: String, at position: String) throws {
        clients.append(
            try Spawned("/usr/bin/display", ["-geometry", position, path], environment: ["DISPLAY": display]))
    }
}

struct DesktopError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Issue 30 with real parts: QR codes from the screen and the clipboard, and codes copied and cleared, on Xvfb.
@Suite(.serialized) struct DesktopTests {
    let directory: URL
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        let runtime = directory.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        environment = [
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "desktop",
            "XDG_RUNTIME_DIR": runtime.path, "TMPDIR": runtime.path,
        ]
    }

    func names(_ result: CLI.Output) -> [String] {
        ((result.json as? [String: Any])?["imported"] as? [[String: Any]] ?? []).map {
            "\($0["issuer"] as? String ?? ""): \($0["account"] as? String ?? "")"
        }
    }

    /// What is left in the capture folders: nothing, whatever the tool.
    func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("runtime").path)
    }

    @Test func aQRCodeOnTheScreenAmongOtherWindowsIsImportedAndNoCaptureIsLeft() throws {
        let x = try XvfbServer()
        defer { x.stop() }
        try x.show(CLI.png("no-code.png"), at: "+0+0")
        try x.show(CLI.png("no-code.png"), at: "+900+700")
        usleep(1_000_000)
        // The QR window last, so it is on top of the others.
        try x.show(CLI.png("console-1080p.png"), at: "+300+150")
        try x.waitUntilShown(environment: environment)
        let result = try CLI.run(
            ["import", "--create", "--json", "--screen", "--verbose"],
            environment: environment.merging(x.environment) { $1 })
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(names(result) == ["Amazon Web Services: alice@123456789012"])
        #expect(result.stderr.contains("capturing the screen with import"))
        #expect(
            (result.json as? [String: Any]).flatMap { $0["imported"] as? [[String: Any]] }?.first?["source"]
                as? String == "screen (import)")
        #expect(try leftovers().isEmpty)
    }

    /// A tool that can only write a file (as gnome-screenshot and spectacle): here a gnome-screenshot that is
    /// ImageMagick writing the capture to the file it is given. The file is overwritten and removed.
    @Test func aCaptureWrittenToAFileIsRemoved() throws {
        let x = try XvfbServer()
        defer { x.stop() }
        try x.show(CLI.png("console-1080p-dark.png"), at: "+0+0")
        try x.waitUntilShown(environment: environment)
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let tool = bin.appendingPathComponent("gnome-screenshot")
        let record = directory.appendingPathComponent("file-given")
        try """
        #!/bin/sh
        # gnome-screenshot -f FILE, as otp calls it
        [ "$1" = "-f" ] || exit 2
        echo "$2" > \(record.path)
        exec /usr/bin/import -window root "png:$2"
        """.write(to: tool, atomically: true, encoding: .utf8)
        chmod(tool.path, 0o755)
        var env = environment.merging(x.environment) { $1 }
        // Only this tool and what it needs: /usr/bin is after it, but import is found first for X11 otherwise.
        env["PATH"] = bin.path + ":/usr/bin:/bin"
        let result = try CLI.run(["check", "--screen", "--verbose"], environment: env)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Amazon Web Services") && result.stderr.contains("gnome-screenshot"))
        let given = try String(contentsOf: record, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(given.hasPrefix(directory.appendingPathComponent("runtime").path))
        #expect(!FileManager.default.fileExists(atPath: given))
        #expect(try leftovers().isEmpty)
    }

    /// Where ImageMagick is missing, `xwd -root` is the capture, its dump read by otp.
    @Test func withoutImageMagickTheScreenIsReadThroughXwd() throws {
        let x = try XvfbServer()
        defer { x.stop() }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/xwd") else {
            throw DesktopError("/usr/bin/xwd is not installed (Debian x11-apps; make test installs it)")
        }
        try x.show(CLI.png("console-1080p.png"), at: "+200+100")
        try x.waitUntilShown(environment: environment)
        let bin = directory.appendingPathComponent("xwd-only")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("xwd").path, withDestinationPath: "/usr/bin/xwd")
        var env = environment.merging(x.environment) { $1 }
        env["PATH"] = bin.path
        let result = try CLI.run(["check", "--screen", "--verbose"], environment: env)
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("[screen (xwd)]") && result.stdout.contains("alice@123456789012"))
        // And with no tool at all, the error names what to install.
        env["PATH"] = directory.appendingPathComponent("nothing").path
        let none = try CLI.run(["check", "--screen"], environment: env)
        #expect(none.status == 1 && none.stdout.contains("no screenshot tool found: install"))
    }

    @Test func theClipboardsImageAndURIListImportAndAnEmptyClipboardIsAClearError() throws {
        let x = try XvfbServer()
        defer { x.stop() }
        let env = environment.merging(x.environment) { $1 }
        let empty = try CLI.run(["import", "--create", "--clipboard"], environment: env)
        #expect(empty.status == 1)
        #expect(empty.stdout.contains("failed     clipboard: the clipboard is empty"))
        #expect(!FileManager.default.fileExists(atPath: environment["OTP_VAULT"] ?? ""))

        try x.setClipboard(try Data(contentsOf: URL(fileURLWithPath: CLI.png("console-1080p.png"))), type: "image/png")
        let image = try CLI.run(["import", "--create", "--json", "--clipboard"], environment: env)
        #expect(image.status == 0, "\(image.stdout) \(image.stderr)")
        #expect(names(image) == ["Amazon Web Services: alice@123456789012"])

        let uris = """
            otpauth://totp/Clip:one?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=Clip
            otpauth://totp/Clip:two?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Clip

            """
        try x.setClipboard(Data(uris.utf8), type: "UTF8_STRING")
        let text = try CLI.run(["import", "--json", "--clipboard"], environment: env)
        #expect(text.status == 0, "\(text.stdout) \(text.stderr)")
        #expect(names(text) == ["Clip: one", "Clip: two"])
        // The report names the clipboard, never its text.
        #expect(!text.stdout.contains("JBSWY3DP") && !text.stderr.contains("JBSWY3DP"))
    }

    @Test func aCopiedCodeIsClearedAfterTheDelayUnlessTheClipboardChanged() throws {
        let x = try XvfbServer()
        defer { x.stop() }
        let env = environment.merging(x.environment) { $1 }
        let uri = "otpauth://totp/Copy:me?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=Copy"
        #expect(try CLI.run(["import", "--create", "-"], stdin: uri + "\n", environment: env).status == 0)
        let expected = try CLI.run(["code", "Copy", "--format", "raw", "--at", "1700000000"], environment: env)
        let copied = try CLI.run(
            ["code", "Copy", "--copy", "--clear-after", "2s", "--at", "1700000000"], environment: env)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(copied.stdout.isEmpty)
        #expect(copied.stderr.contains("copied the code of Copy: me to the clipboard (xclip)"))
        #expect(try x.clipboard() + "\n" == expected.stdout)
        // Cleared by the detached helper after 2 s (waited for up to 15 s: a loaded machine is slow, not wrong).
        let deadline = Date().addingTimeInterval(15)
        while try x.clipboard() != "", Date() < deadline { usleep(200_000) }
        #expect(try x.clipboard() == "")

        // Copied again, then something else is copied before the delay: that is left alone.
        _ = try CLI.run(["code", "Copy", "--copy", "--clear-after", "2s"], environment: env)
        try x.setClipboard(Data("something else".utf8), type: "UTF8_STRING")
        usleep(4_000_000)
        #expect(try x.clipboard() == "something else")

        // Several accounts: one must be named.
        let second = "otpauth://totp/Copy:you?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Copy"
        _ = try CLI.run(["import", "-"], stdin: second + "\n", environment: env)
        let ambiguous = try CLI.run(["code", "Copy", "--copy"], environment: env)
        #expect(ambiguous.status != 0 && ambiguous.stderr.contains("matches 2 accounts"))
    }
}

/// X Window Dumps are read with every header size checked first: damaged and hostile dumps are refused by name.
@Suite struct XWDImageTests {
    /// A dump of `width`×`height` 32-bit pixels (LSB first), all of `pixel`.
    static func dump(width: Int, height: Int, pixel: UInt32, bitsPerPixel: Int = 32, lines: Int? = nil) -> [UInt8] {
        var header = [Int](repeating: 0, count: 25)
        header[0] = 100 + 4
        header[1] = 7
        header[2] = 2
        header[3] = 24
        header[4] = width
        header[5] = height
        header[7] = 0
        header[11] = bitsPerPixel
        header[12] = width * bitsPerPixel / 8
        header[14] = 0xFF0000
        header[15] = 0x00FF00
        header[16] = 0x0000FF
        var bytes = header.flatMap { value in (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
        bytes += Array("xwd\0".utf8)
        for _ in 0..<((lines ?? height) * width) {
            bytes += (0..<(bitsPerPixel / 8)).map { UInt8((pixel >> (8 * UInt32($0))) & 0xFF) }
        }
        return bytes
    }

    @Test func aTrueColorDumpBecomesGray() throws {
        let white = try XWDImage.gray(Self.dump(width: 3, height: 2, pixel: 0x00FF_FFFF))
        #expect(white.width == 3 && white.height == 2 && white.pixels.allSatisfy { $0 == 255 })
        let red = try XWDImage.gray(Self.dump(width: 1, height: 1, pixel: 0x00FF_0000))
        #expect(red.pixels == [76])
        let packed = try XWDImage.gray(Self.dump(width: 2, height: 2, pixel: 0x0080_8080, bitsPerPixel: 24))
        #expect(packed.pixels == [128, 128, 128, 128])
    }

    @Test func cutOrHostileDumpsAreRefusedByName() {
        let good = Self.dump(width: 4, height: 4, pixel: 0)
        #expect(throws: XWDImage.Failure.self) { try XWDImage.gray(Self.dump(width: 4, height: 4, pixel: 0, lines: 3)) }
        #expect(throws: XWDImage.Failure.self) { try XWDImage.gray(Array(good.prefix(99))) }
        var huge = good
        huge[16...19] = [0x7F, 0xFF, 0xFF, 0xFF]  // width
        #expect(throws: XWDImage.Failure.self) { try XWDImage.gray(huge) }
        var header = good
        header[0...3] = [0x7F, 0xFF, 0xFF, 0xFF]  // header size
        #expect(throws: XWDImage.Failure.self) { try XWDImage.gray(header) }
        var masks = good
        masks[56...59] = [0, 0xF0, 0x0F, 0]  // a red mask with a hole
        #expect(throws: XWDImage.Failure.self) { try XWDImage.gray(masks) }
    }
}

/// The helper-program runner: a deadline, a cap, a program that forks a server, all without hanging.
@Suite struct ChildProcessTests {
    @Test func aProgramPrintingPastTheCapIsStoppedNotWaitedOn() throws {
        let outcome = try ChildProcess.run("sh", ["-c", "yes"], timeout: 20, maximumOutput: 1 << 16)
        #expect(outcome.overflowed && outcome.output.count == 1 << 16)
    }

    @Test func aProgramThatDoesNotFinishIsStoppedAtTheDeadline() {
        let start = Date()
        #expect(throws: ChildProcess.Failure.timedOut("sleep", 1)) { try ChildProcess.run("sleep", ["30"], timeout: 1) }
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func aProgramThatForksAServerReturnsWhenItExits() throws {
        // The child exits at once; the process it leaves keeps stdout open for 30 s. Detached, only the exit counts.
        let start = Date()
        let outcome = try ChildProcess.run("sh", ["-c", "sleep 30 & exit 3"], timeout: 20, detached: true)
        #expect(outcome.status == 3 && Date().timeIntervalSince(start) < 10)
        #expect(throws: ChildProcess.Failure.notFound("no-such-tool-here")) {
            try ChildProcess.run("no-such-tool-here", [])
        }
    }
}
