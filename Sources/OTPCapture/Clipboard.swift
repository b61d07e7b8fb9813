import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The desktop clipboard through its command-line tools: `wl-paste`/`wl-copy` on Wayland, `xclip` (or `xsel`, text
/// only) on X11; OSC 52 on the terminal when no tool is there (copy only).
public enum Clipboard {
    /// The largest clipboard content read (an image).
    public static let maximumBytes = 128 << 20

    /// Image types read from the clipboard, in order of preference.
    static let imageTypes = ["image/png", "image/jpeg", "image/webp"]
    /// Text types, in order of preference.
    static let textTypes = ["text/plain;charset=utf-8", "UTF8_STRING", "text/plain", "STRING", "TEXT"]

    /// Which tools this session has, in the order tried.
    enum Backend: String, CaseIterable {
        case wayland = "wl-clipboard"
        case xclip
        case xsel

        var readTool: String {
            switch self {
            case .wayland: "wl-paste"
            case .xclip: "xclip"
            case .xsel: "xsel"
            }
        }

        var writeTool: String {
            switch self {
            case .wayland: "wl-copy"
            case .xclip: "xclip"
            case .xsel: "xsel"
            }
        }
    }

    static func backends(_ environment: [String: String], write: Bool) -> [Backend] {
        let wayland = !(environment["WAYLAND_DISPLAY"] ?? "").isEmpty
        let x11 = !(environment["DISPLAY"] ?? "").isEmpty
        var found: [Backend] = []
        if wayland { found.append(.wayland) }
        if x11 { found += [.xclip, .xsel] }
        return found.filter { ChildProcess.find(write ? $0.writeTool : $0.readTool, environment: environment) != nil }
    }

    static let install = "install wl-clipboard (Wayland) or xclip (X11)"

    /// The clipboard's content: an image when it offers one (PNG, JPEG, WebP), else its text.
    public static func read(
        environment: [String: String] = ProcessInfo.processInfo.environment, note: (String) -> Void = { _ in }
    ) throws(CaptureFailure) -> Captured {
        let available = backends(environment, write: false)
        guard let backend = available.first else {
            if (environment["WAYLAND_DISPLAY"] ?? "").isEmpty, (environment["DISPLAY"] ?? "").isEmpty {
                throw CaptureFailure("no graphical session: neither WAYLAND_DISPLAY nor DISPLAY is set")
            }
            throw CaptureFailure("no clipboard tool found: \(install)")
        }
        note("reading the clipboard with \(backend.readTool)")
        let types = try offeredTypes(backend)
        note("the clipboard offers: \(types.isEmpty ? "nothing" : types.joined(separator: ", "))")
        if let image = imageTypes.first(where: types.contains) {
            let bytes = try paste(backend, type: image)
            if !bytes.isEmpty { return Captured(bytes: bytes, tool: backend.readTool, type: image) }
        }
        if types.contains(where: { $0.hasPrefix("image/") }), !types.contains(where: textTypes.contains) {
            throw CaptureFailure(
                "the clipboard holds an image of a type not read here (\(types.joined(separator: ", "))); "
                    + "PNG, JPEG and WebP are")
        }
        let text = try paste(backend, type: textTypes.first(where: types.contains))
        guard !text.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            throw CaptureFailure("the clipboard is empty (\(backend.readTool))")
        }
        return Captured(bytes: text, tool: backend.readTool, type: "text/plain")
    }

    /// The types the clipboard's owner offers (empty when nobody owns it).
    static func offeredTypes(_ backend: Backend) throws(CaptureFailure) -> [String] {
        let arguments: [String]
        switch backend {
        case .wayland: arguments = ["--list-types"]
        case .xclip: arguments = ["-selection", "clipboard", "-t", "TARGETS", "-o"]
        case .xsel: return textTypes  // xsel reads text only
        }
        let outcome = try run(backend.readTool, arguments, maximumOutput: 65_536)
        guard outcome.status == 0 else { return [] }
        return String(decoding: outcome.output, as: UTF8.self).split(whereSeparator: \.isNewline).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// The clipboard's content of `type` (its default text when `nil`).
    static func paste(_ backend: Backend, type: String?) throws(CaptureFailure) -> [UInt8] {
        var arguments: [String]
        switch backend {
        case .wayland: arguments = ["--no-newline"] + (type.map { ["--type", $0] } ?? [])
        case .xclip: arguments = ["-selection", "clipboard", "-o"] + (type.map { ["-t", $0] } ?? [])
        case .xsel: arguments = ["--clipboard", "--output"]
        }
        let outcome = try run(backend.readTool, arguments, maximumOutput: maximumBytes)
        if outcome.overflowed {
            throw CaptureFailure("the clipboard holds more than \(maximumBytes >> 20) MiB; it was not read")
        }
        guard outcome.status == 0 else {
            throw CaptureFailure("the clipboard is empty (\(backend.readTool) exit \(outcome.status))")
        }
        return outcome.output
    }

    private static func run(
        _ tool: String, _ arguments: [String], input: [UInt8]? = nil, maximumOutput: Int = 0,
        detached: Bool = false
    ) throws(CaptureFailure) -> ChildProcess.Outcome {
        do {
            return try ChildProcess.run(
                tool, arguments, input: input, timeout: 10, maximumOutput: maximumOutput, detached: detached)
        } catch {
            throw CaptureFailure(error.description)
        }
    }

    // MARK: Copying

    /// Where a copy went: the tool (`xclip`, `wl-copy`, `xsel`) or `osc52` (the terminal).
    public enum Destination: String, Sendable {
        case wayland = "wl-copy"
        case xclip
        case xsel
        case osc52 = "OSC 52"
    }

    /// Puts `text` on the clipboard, marked as a password where the tool can (`wl-copy --sensitive` where that
    /// option exists); with no tool, asks the terminal (OSC 52) when standard error is one.
    public static func copy(
        _ text: [UInt8], environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CaptureFailure) -> Destination {
        if let backend = backends(environment, write: true).first {
            let arguments: [String]
            switch backend {
            case .wayland:
                let help = (try? ChildProcess.run("wl-copy", ["--help"], timeout: 5)).map {
                    String(decoding: $0.output, as: UTF8.self) + $0.errorText
                }
                arguments = ["--type", "text/plain"] + (help?.contains("--sensitive") == true ? ["--sensitive"] : [])
            case .xclip: arguments = ["-selection", "clipboard", "-t", "UTF8_STRING", "-i"]
            case .xsel: arguments = ["--clipboard", "--input"]
            }
            // The tool forks a server that owns the selection: its output is not waited for.
            let outcome = try run(backend.writeTool, arguments, input: text, detached: true)
            guard outcome.status == 0 else {
                throw CaptureFailure("\(backend.writeTool) could not set the clipboard (exit \(outcome.status))")
            }
            return Destination(rawValue: backend.writeTool) ?? .xclip
        }
        guard isatty(STDERR_FILENO) == 1 else {
            throw CaptureFailure("no clipboard tool found (\(install)) and no terminal to ask (OSC 52)")
        }
        osc52(text)
        return .osc52
    }

    /// Sets the terminal's clipboard (OSC 52), written to standard error's terminal.
    static func osc52(_ text: [UInt8]) {
        let sequence = "\u{1B}]52;c;" + Data(text).base64EncodedString() + "\u{07}"
        _ = sequence.utf8CString.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { write(STDERR_FILENO, $0, buffer.count - 1) }
        }
    }

    /// Clears the clipboard if it still holds `text` (read back through the same tool); leaves it alone when
    /// someone copied something else since. Returns whether it was cleared.
    @discardableResult
    public static func clear(
        ifHolding text: [UInt8], destination: Destination,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        let backend: Backend
        switch destination {
        case .wayland: backend = .wayland
        case .xclip: backend = .xclip
        case .xsel: backend = .xsel
        case .osc52:
            // A terminal cannot be asked what its clipboard holds; it is set to nothing.
            osc52([])
            return true
        }
        guard let held = try? paste(backend, type: backend == .xclip ? "UTF8_STRING" : nil), held == text else {
            return false
        }
        switch backend {
        case .wayland: _ = try? run("wl-copy", ["--clear"], detached: true)
        case .xclip: _ = try? run("xclip", ["-selection", "clipboard", "-i"], input: [], detached: true)
        case .xsel: _ = try? run("xsel", ["--clipboard", "--clear"], detached: true)
        }
        return true
    }
}
