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

    /// A conversation instead of a fixed answer: `send` returns false once the peer is gone, `receive` gives what
    /// one read got (empty at the end).
    public typealias Script = @Sendable (_ send: ([UInt8]) -> Bool, _ receive: () -> [UInt8]) -> Void

    public init(answer: [UInt8], repeatForever: Bool = false, script: Script? = nil) throws {
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
                    if let script {
                        script(
                            { bytes in
                                bytes.withUnsafeBytes {
                                    send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) == $0.count
                                }
                            },
                            {
                                var buffer = [UInt8](repeating: 0, count: 65_536)
                                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                                return n > 0 ? Array(buffer.prefix(n)) : []
                            })
                        return
                    }
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

/// A server that speaks just enough of PostgreSQL's protocol to let a client in (AuthenticationOk, ReadyForQuery)
/// and then answers the first statement with a data row that declares 256 MiB and streams zeros for ever: the
/// hostile server that made the previous client use gigabytes.
public final class FakePostgres: @unchecked Sendable {
    public let port: Int
    private let server: FakeServer

    public init() throws {
        // The byte sequence is sent to every connection after its startup packet (read and ignored).
        func message(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
            let length = UInt32(body.count + 4)
            return [type] + withUnsafeBytes(of: length.bigEndian, Array.init) + body
        }
        func int16(_ value: Int16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
        func int32(_ value: Int32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }
        let greeting = message(UInt8(ascii: "R"), int32(0)) + message(UInt8(ascii: "Z"), [UInt8(ascii: "I")])
        let field = Array("x".utf8) + [0] + int32(0) + int16(0) + int32(25) + int16(-1) + int32(-1) + int16(0)
        let answer =
            message(UInt8(ascii: "1"), []) + message(UInt8(ascii: "2"), [])
            + message(UInt8(ascii: "T"), int16(1) + field)
            // DataRow: one column of 256 MiB declared (libpq itself refuses near 2 GiB), streamed without end.
            + [UInt8(ascii: "D")] + int32(0x1000_0000) + int16(1) + int32(0x1000_0000 - 10)
        server = try FakeServer(
            answer: [], repeatForever: false,
            script: { send, receive in
                _ = receive()  // the startup packet
                guard send(greeting) else { return }
                _ = receive()  // Parse, Bind, Describe, Execute, Sync
                guard send(answer) else { return }
                let zeros = [UInt8](repeating: 0, count: 1 << 16)
                while send(zeros) {}
            })
        port = server.port
    }

    public func stop() { server.stop() }
}
