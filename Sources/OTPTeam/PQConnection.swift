internal import CPostgres
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure reported by libpq or the server: the server's primary message and SQLSTATE when it sent an error, else
/// libpq's own text (which names the server, never its password).
struct PQError: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// libpq cannot be loaded.
        case unavailable
        /// Connecting failed (libpq's message).
        case connect
        /// The server answered with an error (`sqlState` says which).
        case server
        /// The server sent nothing within the deadline; the connection was closed (the server rolls back).
        case timeout
        /// The answer is larger than the client reads; the connection was closed.
        case tooLarge
        /// The connection broke (the server stopped?) or was closed before.
        case connection
    }

    let kind: Kind
    let message: String
    var sqlState: String? = nil

    var description: String { message + (sqlState.map { " (SQLSTATE \($0))" } ?? "") }
}

/// Loads libpq on first use (``PQConnection`` and ``PostgresURL`` call it), so commands on a file vault never map it.
enum LibPQ {
    private static let loaded: Result<Void, PQError> = {
        var message = [CChar](repeating: 0, count: 256)
        if otp_pq_load(&message) == 1 { return .success(()) }
        let why = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .failure(
            PQError(
                kind: .unavailable,
                message: "PostgreSQL's client library libpq cannot be loaded (\(why)); install it: apt install libpq5"))
    }()

    static func load() throws(PQError) {
        try loaded.get()
    }

    /// libpq's version as `PQlibVersion` gives it (150010 is 15.10).
    static var version: Int { (try? load()).map { Int(otp_pq_lib_version()) } ?? 0 }

    /// Parses a connection string (URL or `key=value` list) as libpq will (`PQconninfoParse`): the parameters it
    /// sets, or libpq's message saying what is wrong.
    static func parse(_ conninfo: String) throws(PQError) -> [String: String] {
        try load()
        var error: UnsafeMutablePointer<CChar>? = nil
        guard let options = otp_pq_conninfo_parse(conninfo, &error) else {
            let message = error.map { String(cString: $0).trimmingCharacters(in: .whitespacesAndNewlines) }
            if let error { otp_pq_freemem(error) }
            throw PQError(kind: .connect, message: message ?? "libpq cannot parse the connection string")
        }
        defer { otp_pq_conninfo_free(options) }
        var result: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { result[String(cString: keyword)] = String(cString: value) }
            option += 1
        }
        return result
    }
}

/// One libpq connection (`PGconn`), its only owner: made by `PQconnectdbParams` in `init`, freed by `PQfinish` in
/// `deinit`. Statements go through libpq's asynchronous calls (`PQsendQueryParams`, `poll` on `PQsocket`,
/// `PQconsumeInput`, single-row mode) so that every answer has a client-side deadline and a size cap, whatever the
/// server does. Not thread-safe: ``PostgresVaultStorage`` serialises its calls.
final class PQConnection {
    private var handle: OpaquePointer?
    /// What one statement's result may hold at most, all rows' values together.
    let maximumResultBytes: Int

    /// Connects with libpq's keyword/value arrays (`expand_dbname` 1: a `dbname` holding a URL or conninfo string
    /// is expanded in place, so parameters placed after it override it and those before it are defaults).
    init(parameters: [(String, String)], maximumResultBytes: Int = 64 << 20) throws(PQError) {
        try LibPQ.load()
        self.maximumResultBytes = maximumResultBytes
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer { (keywords + values).forEach { free($0) } }
        var keywordArray: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valueArray: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        let connection = keywordArray.withUnsafeMutableBufferPointer { k in
            valueArray.withUnsafeMutableBufferPointer { v in
                otp_pq_connectdb_params(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let connection else { throw PQError(kind: .connect, message: "libpq is out of memory") }
        guard otp_pq_status(connection) == CONNECTION_OK else {
            let message = Self.text(otp_pq_error_message(connection))
            otp_pq_finish(connection)
            throw PQError(kind: .connect, message: message.isEmpty ? "the connection failed" : message)
        }
        otp_pq_quiet_notices(connection)
        handle = connection
    }

    deinit {
        if let handle { otp_pq_finish(handle) }
    }

    /// libpq's messages end in a newline and may hold several lines; one line each, joined.
    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Whether the connection is gone (closed after a timeout, or broken).
    var isClosed: Bool {
        guard let handle else { return true }
        return otp_pq_status(handle) != CONNECTION_OK
    }

    /// Whether a transaction is open (or failed and awaiting ROLLBACK).
    var inTransaction: Bool {
        guard let handle else { return false }
        let status = otp_pq_transaction_status(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Where the connection went, as libpq resolved it: `user@host:port/database` (a socket directory as host).
    var server: String? {
        guard let handle else { return nil }
        func field(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        return "\(field(otp_pq_user(handle)))@\(field(otp_pq_host(handle))):\(field(otp_pq_port(handle)))/"
            + field(otp_pq_db(handle))
    }

    /// Whether the connection is encrypted (`PQsslInUse`).
    var usesTLS: Bool { handle.map { otp_pq_ssl_in_use($0) == 1 } ?? false }

    /// Closes the connection now (the server rolls back an open transaction).
    func close() {
        if let handle { otp_pq_finish(handle) }
        handle = nil
    }

    /// Runs one statement and returns its rows (text format), waiting at most `timeout` seconds for the whole
    /// answer. A timeout, an answer over ``maximumResultBytes`` or a broken connection closes the connection.
    @discardableResult
    func execute(_ query: PQQuery, timeout: Double) throws(PQError) -> [PQRow] {
        guard let handle, otp_pq_status(handle) == CONNECTION_OK else {
            throw PQError(kind: .connection, message: "the connection was closed")
        }
        try send(query, on: handle)
        let deadline = Date().addingTimeInterval(timeout)
        var rows: [PQRow] = []
        var bytes = 0
        var failure: PQError? = nil
        while true {
            try wait(handle, until: deadline, timeout: timeout)
            guard let result = otp_pq_get_result(handle) else { break }
            defer { otp_pq_clear(result) }
            switch otp_pq_result_status(result) {
            case PGRES_SINGLE_TUPLE, PGRES_TUPLES_OK:
                let columns = Int(otp_pq_nfields(result))
                for row in 0..<otp_pq_ntuples(result) {
                    var values: [[UInt8]?] = []
                    values.reserveCapacity(columns)
                    for column in 0..<Int32(columns) {
                        if otp_pq_getisnull(result, row, column) == 1 {
                            values.append(nil)
                            continue
                        }
                        let length = Int(otp_pq_getlength(result, row, column))
                        bytes += length
                        guard bytes <= maximumResultBytes else {
                            close()
                            throw PQError(
                                kind: .tooLarge,
                                message: "the answer is larger than \(maximumResultBytes >> 20) MiB; "
                                    + "the connection was closed")
                        }
                        let pointer = otp_pq_getvalue(result, row, column)
                        values.append(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? [])
                    }
                    rows.append(PQRow(values: values))
                }
            case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                break
            default:
                let state = otp_pq_result_error_field(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                let primary = otp_pq_result_error_field(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                let message = primary ?? Self.text(otp_pq_result_error_message(result))
                // The first error is the one to report; libpq may add a second result before NULL.
                if failure == nil {
                    failure = PQError(kind: state == nil ? .connection : .server, message: message, sqlState: state)
                }
            }
        }
        if let failure { throw failure }
        if otp_pq_status(handle) != CONNECTION_OK {
            throw PQError(kind: .connection, message: Self.text(otp_pq_error_message(handle)))
        }
        return rows
    }

    private func send(_ query: PQQuery, on handle: OpaquePointer) throws(PQError) {
        let parameters = query.parameters
        let buffers: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
            guard let bytes = parameter.bytes else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) {
                    if let base = $0.baseAddress { buffer.update(from: base, count: bytes.count) }
                }
            }
            buffer[bytes.count] = 0
            return buffer
        }
        defer { buffers.forEach { $0?.deallocate() } }
        let types = parameters.map { Oid($0.oid) }
        let lengths = parameters.map { Int32($0.bytes?.count ?? 0) }
        let formats = parameters.map { Int32($0.binary ? 1 : 0) }
        let values: [UnsafePointer<CChar>?] = buffers.map { $0.map { UnsafePointer($0) } }
        let sent = otp_pq_send_query_params(
            handle, query.sql, Int32(parameters.count), types, values, lengths, formats, 0)
        guard sent == 1 else {
            throw PQError(kind: .connection, message: Self.text(otp_pq_error_message(handle)))
        }
        _ = otp_pq_set_single_row_mode(handle)
    }

    /// Reads from the socket until libpq has a whole result, or the deadline passes (then the connection closes).
    private func wait(_ handle: OpaquePointer, until deadline: Date, timeout: Double) throws(PQError) {
        // libpq keeps a whole message in memory before it hands it over (a DataRow may declare a gigabyte): what
        // arrives is counted here (the kernel's count of bytes received on a TCP socket; on a Unix socket, the bytes
        // waiting before each read), and an answer past twice the cap is stopped while it streams in.
        let socket = otp_pq_socket(handle)
        let startTotal = otp_pq_bytes_received(socket)
        var received = 0
        while otp_pq_is_busy(handle) == 1 {
            let remaining = deadline.timeIntervalSinceNow
            var descriptor = pollfd(fd: otp_pq_socket(handle), events: Int16(POLLIN), revents: 0)
            let ready = remaining > 0 ? poll(&descriptor, 1, Int32(min(remaining * 1000, 60_000)) + 1) : 0
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 && deadline.timeIntervalSinceNow <= 0 {
                close()
                throw PQError(
                    kind: .timeout, message: "no answer within \(Int(timeout.rounded())) s; nothing was written")
            }
            if ready > 0 {
                if startTotal >= 0 {
                    received = Int(clamping: otp_pq_bytes_received(socket) - startTotal)
                } else {
                    received += otp_pq_pending_bytes(socket)
                }
                guard received <= 2 * maximumResultBytes else {
                    close()
                    throw PQError(
                        kind: .tooLarge,
                        message: "the server sent more than \(2 * maximumResultBytes >> 20) MiB for one answer; "
                            + "the connection was closed")
                }
                if otp_pq_consume_input(handle) != 1 {
                    throw PQError(kind: .connection, message: Self.text(otp_pq_error_message(handle)))
                }
            }
        }
    }

    /// Waits up to `timeout` seconds for notifications (`LISTEN`), and returns their channels' payloads.
    func notifications(timeout: Double) throws(PQError) -> [String] {
        guard let handle, otp_pq_status(handle) == CONNECTION_OK else {
            throw PQError(kind: .connection, message: "the connection was closed")
        }
        var descriptor = pollfd(fd: otp_pq_socket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, min(timeout, 3600)) * 1000))
        if ready > 0 && otp_pq_consume_input(handle) != 1 {
            throw PQError(kind: .connection, message: Self.text(otp_pq_error_message(handle)))
        }
        var payloads: [String] = []
        while let notification = otp_pq_notifies(handle) {
            payloads.append(notification.pointee.extra.map { String(cString: $0) } ?? "")
            otp_pq_freemem(notification)
        }
        return payloads
    }
}

@available(*, unavailable)
extension PQConnection: Sendable {}
