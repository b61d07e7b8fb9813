import Foundation
import OTPScan

#if canImport(Glibc)
    import Glibc
#endif

/// What was captured (the screen, or the clipboard's content), in memory: the caller reads it and drops it.
public struct Captured: Sendable {
    /// The bytes: an image (PNG, JPEG, WebP) or text.
    public let bytes: [UInt8]
    /// The tool that gave them (`import`, `grim`, `xclip`, …), for `--verbose` and the source name.
    public let tool: String
    /// What they are: `image/png`, `text/plain`, ….
    public let type: String
}

/// Why nothing could be captured: each tool tried, and what it said.
public struct CaptureFailure: Error, Sendable, CustomStringConvertible {
    /// A sentence for people: what was tried and what to install.
    public let description: String
    /// Each tool tried, with why it gave nothing.
    public let tried: [(tool: String, why: String)]

    init(_ description: String, tried: [(tool: String, why: String)] = []) {
        self.description = description
        self.tried = tried
    }
}

/// The screen, captured with whatever the session offers, tried in order: `grim` (wlroots Wayland),
/// `gnome-screenshot`, `spectacle` (KDE), ImageMagick's `import -window root`, then `xwd -root` (X11; its dump read
/// by ``XWDImage``). A tool that writes only to a file gets one in a private 0700 folder (under `$XDG_RUNTIME_DIR`,
/// memory-backed, when there is one), overwritten and removed whatever happens. The XDG desktop portal is not used:
/// it answers on a D-Bus request object, to the calling connection only, which `gdbus call` cannot wait on.
public enum ScreenCapture {
    /// The largest capture read (an 8K screen as PNG is well under it).
    public static let maximumBytes = 128 << 20

    struct Tool: Sendable {
        let name: String
        /// Which session it works in.
        let needs: Session
        /// Its arguments: writing to `file` (when it cannot write to stdout) or to stdout.
        let arguments: @Sendable (_ select: Bool, _ file: String?) -> [String]
        let writesFile: Bool
        /// Whether its output is an X Window Dump (xwd), turned into PNG here.
        var writesXWD = false
    }

    enum Session: Sendable { case wayland, x11, either }

    static let tools: [Tool] = [
        Tool(name: "grim", needs: .wayland, arguments: { _, _ in ["-t", "png", "-"] }, writesFile: false),
        Tool(
            name: "gnome-screenshot", needs: .either,
            arguments: { select, file in (select ? ["-a"] : []) + ["-f", file ?? ""] }, writesFile: true),
        Tool(
            name: "spectacle", needs: .either,
            arguments: { select, file in ["-b", "-n", select ? "-r" : "-f", "-o", file ?? ""] }, writesFile: true),
        Tool(
            name: "import", needs: .x11,
            // Without -window, import lets the user click a window or drag a rectangle.
            arguments: { select, _ in (select ? [] : ["-window", "root"]) + ["png:-"] }, writesFile: false),
        // Without -root, xwd lets the user click a window.
        Tool(
            name: "xwd", needs: .x11, arguments: { select, _ in (select ? [] : ["-root"]) + ["-silent"] },
            writesFile: false, writesXWD: true),
    ]

    /// What each tool is in, for the "install one of" hint.
    static let packages =
        "grim (wlroots Wayland), gnome-screenshot (GNOME), spectacle (KDE), imagemagick or x11-apps (xwd; X11)"

    /// Captures the screen (`select`: a region or window the user picks, where the tool can).
    ///
    /// - Parameter note: Told which tool is tried and what it said (`--verbose`).
    public static func capture(
        select: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment,
        note: (String) -> Void = { _ in }
    ) throws(CaptureFailure) -> Captured {
        let wayland = !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        let x11 = !(environment["DISPLAY"] ?? "").isEmpty
        guard wayland || x11 else {
            throw CaptureFailure(
                "no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set (a screenshot needs the desktop; "
                    + "save one to a file and import that)")
        }
        var tried: [(tool: String, why: String)] = []
        for tool in tools {
            switch tool.needs {
            case .wayland where !wayland, .x11 where !x11: continue
            default: break
            }
            guard ChildProcess.find(tool.name) != nil else { continue }
            note("capturing the screen with \(tool.name)")
            do {
                let bytes = try run(tool, select: select)
                note("\(tool.name) gave \(bytes.count) bytes")
                return Captured(bytes: bytes, tool: tool.name, type: imageType(bytes) ?? "image")
            } catch {
                note("\(tool.name): \(error.description)")
                tried.append((tool.name, error.description))
            }
        }
        if tried.isEmpty {
            throw CaptureFailure("no screenshot tool found: install \(packages)")
        }
        let what = tried.map { "\($0.tool): \($0.why)" }.joined(separator: "; ")
        throw CaptureFailure("the screen could not be captured (\(what))", tried: tried)
    }

    /// `image/png`, `image/jpeg` or `image/webp` by the bytes' signature, else `nil`.
    static func imageType(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            return "image/webp"
        }
        return nil
    }

    private struct ToolError: Error, CustomStringConvertible {
        let description: String
    }

    private static func run(_ tool: Tool, select: Bool) throws(ToolError) -> [UInt8] {
        // A user picking a region takes time; a full-screen capture does not.
        let timeout: Double = select ? 120 : 20
        var folder: PrivateFolder?
        defer { folder?.remove() }
        var file: String?
        if tool.writesFile {
            do {
                folder = try PrivateFolder()
            } catch {
                throw ToolError(description: error.description)
            }
            file = folder.map { $0.path + "/screen.png" }
        }
        var arguments = tool.arguments(select, file)
        // grim picks no region itself: slurp (its companion) asks the user for one.
        if tool.name == "grim", select {
            guard let region = try? ChildProcess.run("slurp", [], timeout: timeout), region.status == 0 else {
                throw ToolError(description: "--select needs slurp beside grim (no region was picked)")
            }
            let geometry = String(decoding: region.output, as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            arguments = ["-g", geometry] + arguments
        }
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(tool.name, arguments, timeout: timeout, maximumOutput: maximumBytes)
        } catch {
            throw ToolError(description: error.description)
        }
        if outcome.overflowed { throw ToolError(description: "its capture is larger than \(maximumBytes >> 20) MiB") }
        guard outcome.status == 0 else {
            let said = outcome.errorText.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            throw ToolError(description: "exit \(outcome.status)\(said)")
        }
        var bytes = outcome.output
        if tool.writesXWD {
            do {
                bytes = try PNGEncoder.encode(try XWDImage.gray(bytes))
            } catch {
                throw ToolError(description: "its X Window Dump could not be read: \(error)")
            }
        }
        if let file {
            guard let read = folder?.read(file, limit: maximumBytes) else {
                throw ToolError(description: "it wrote no capture")
            }
            bytes = read
        }
        guard imageType(bytes) != nil else { throw ToolError(description: "its output is not a PNG or JPEG image") }
        return bytes
    }
}

/// A 0700 folder for one capture file, under `$XDG_RUNTIME_DIR` (memory-backed) when there is one: every file in it is
/// overwritten with zeros and removed, then the folder, by ``remove()``.
struct PrivateFolder {
    let path: String

    init() throws(CaptureFailure) {
        let environment = ProcessInfo.processInfo.environment
        var bases: [String] = []
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { bases.append(runtime) }
        bases.append(environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        for base in bases {
            var template = Array("\(base)/otp-capture-XXXXXX".utf8CString)
            if let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) {
                path = String(cString: made)
                return
            }
        }
        throw CaptureFailure("cannot make a private folder for the capture in \(bases.joined(separator: " or "))")
    }

    /// The file's bytes (at most `limit`), or `nil`.
    func read(_ file: String, limit: Int) -> [UInt8]? {
        let fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { pread(fd, $0 + offset, raw.count - offset, off_t(offset)) } ?? -1
            }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        return Array(bytes.prefix(offset))
    }

    /// Overwrites and removes every file in the folder, then the folder.
    func remove() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names {
            let file = path + "/" + name
            let fd = open(file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
            if fd >= 0 {
                var info = stat()
                if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
                    let zeros = [UInt8](repeating: 0, count: 65_536)
                    var offset = 0
                    while offset < Int(info.st_size) {
                        let n = zeros.withUnsafeBytes { raw in
                            raw.baseAddress.map {
                                pwrite(fd, $0, min(raw.count, Int(info.st_size) - offset), off_t(offset))
                            } ?? -1
                        }
                        if n <= 0 { break }
                        offset += n
                    }
                    fsync(fd)
                }
                close(fd)
            }
            unlink(file)
        }
        rmdir(path)
    }
}
