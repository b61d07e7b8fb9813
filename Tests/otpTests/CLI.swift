import Dispatch
import Foundation

/// Runs the built `otp` binary, as swift-argument-parser's `AssertExecuteCommand` does.
enum CLI {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func png(_ name: String) -> String { fixtures.appendingPathComponent("png/\(name)").path }

    /// The `otp` executable next to the test bundle.
    static let binary: URL = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            directory = bundle.bundleURL.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("otp")
    }()

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) }
    }

    /// Starts the binary without waiting (for concurrency and crash tests). Standard error goes to `stderr` when
    /// given (a file the caller reads after the exit, to say why a process failed), else nowhere.
    static func start(_ arguments: [String], environment: [String: String], stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }

    /// A fresh temporary folder, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], executable: URL? = nil,
        wrapped: Bool = true
    ) throws -> Output {
        // `executable` is a wrapper (setsid) that runs the binary; it gets `--wait` so its status is the binary's.
        // With `wrapped: false` it is another program, given `arguments` as they are.
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = executable == nil || !wrapped ? arguments : ["--wait", binary.path] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        // Both pipes are drained at once (and stdin written beside them): a child that fills one pipe while the
        // test reads the other would otherwise deadlock above 64 KiB.
        let group = DispatchGroup()
        let collected = Collected()
        DispatchQueue.global().async(group: group) {
            collected.set(err: err.fileHandleForReading.readDataToEndOfFile())
        }
        DispatchQueue.global().async(group: group) {
            if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
            try? input.fileHandleForWriting.close()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let errData = collected.err
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// What a background reader collected.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(err: Data) { lock.withLock { data = err } }
    var err: Data { lock.withLock { data } }
}
