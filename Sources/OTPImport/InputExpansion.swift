import Foundation
import OTPScan

#if canImport(Glibc)
    import Glibc
#endif

/// Expands command-line inputs: a directory becomes the files under it, recursively, sorted by path, hidden
/// entries (`.name`) skipped, each directory visited once even through symbolic-link loops.
public enum InputExpansion {
    /// One input to read: a file path, `-`, a URI, or an error for a directory that could not be listed.
    public struct Item: Sendable, Equatable {
        /// The path or argument.
        public let input: String
        /// Set when the input cannot be expanded (unreadable directory).
        public let error: String?
        /// Set for a file found in a folder that is clearly not an input (a document, an archive): skipped with a
        /// note rather than failing the run. Files named on the command line are never skipped.
        public var skipped: String? = nil
        /// Set for a folder named on the command line that holds no file at all.
        public var emptyFolder = false
        /// Set for a file found in a folder rather than named: formats with no header (andOTP's old backup) are
        /// tried only on files named on the command line, so a folder walk never asks for a password for them.
        public var foundInFolder = false

        /// An item.
        public init(input: String, error: String?, skipped: String? = nil, emptyFolder: Bool = false) {
            self.input = input
            self.error = error
            self.skipped = skipped
            self.emptyFolder = emptyFolder
        }
    }

    /// The inputs with directories replaced by their files.
    public static func expand(_ inputs: [String]) -> [Item] {
        var out: [Item] = []
        for input in inputs {
            var info = stat()
            if input != "-", !InputReader.isURI(input), stat(input, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                var visited: Set<[UInt64]> = []
                let before = out.count
                walk(input, into: &out, visited: &visited)
                if out.count == before { out.append(Item(input: input, error: nil, emptyFolder: true)) }
            } else {
                out.append(Item(input: input, error: nil))
            }
        }
        return out
    }

    private static func walk(_ directory: String, into out: inout [Item], visited: inout Set<[UInt64]>) {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            out.append(Item(input: directory, error: String(cString: strerror(errno))))
            return
        }
        // Device and inode identify a directory however it is reached: a symlink loop ends here.
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            out.append(Item(input: directory, error: "cannot list the directory"))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var entry = stat()
            guard stat(path, &entry) == 0 else {
                out.append(Item(input: path, error: nil))  // a dangling link: reading it reports not-found
                continue
            }
            switch entry.st_mode & S_IFMT {
            case S_IFDIR: walk(path, into: &out, visited: &visited)
            case S_IFREG:
                var item = Item(input: path, error: nil, skipped: nonInput(path))
                item.foundInFolder = true
                out.append(item)
            default: continue  // sockets, fifos, devices: not inputs
            }
        }
    }

    /// What a folder's file is when its first bytes show it is no input (``FileSniffer/nonInputKind(_:)``).
    static func nonInput(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 512)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        return FileSniffer.nonInputKind(Array(head.prefix(n)))
    }
}
