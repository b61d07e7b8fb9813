import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener on 127.0.0.1 that is not PostgreSQL: to every connection it sends `answer` (again and again with
/// `repeatForever`, until the peer goes away) and then holds the connection open without a word. For tests of
/// clients that must give up within their timeouts.
public final class FakeServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let stopped = NSLock()
    private var isStopped = false

    public init(answer: [UInt8], repeatForever: Bool = false) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        guard listener >= 0 else { throw PostgresServer.ServerError("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw PostgresServer.ServerError("bind: \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { [self] in
                    defer { close(client) }
                    repeat {
                        let sent = answer.withUnsafeBytes {
                            send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                        }
                        if sent < 0 || stopped.withLock({ isStopped }) { return }
                    } while repeatForever && !answer.isEmpty
                    // Then silence, until the client gives up (or the test ends).
                    var byte: UInt8 = 0
                    while recv(client, &byte, 1, 0) > 0 {}
                }
            }
        }
    }

    /// Stops accepting; open connections end when their clients close them.
    public func stop() {
        stopped.withLock { isStopped = true }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
