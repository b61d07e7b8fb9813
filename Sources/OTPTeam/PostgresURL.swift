import Foundation

/// A `postgresql://` connection URL as libpq reads it: `postgresql://[user[:password]@][host][:port][/database]
/// [?sslmode=…&host=/socket/dir&sslrootcert=FILE]`. A host that is a directory (`%2Frun%2Fpostgresql` or
/// `?host=/run/postgresql`) means the Unix socket `DIR/.s.PGSQL.PORT`; no host at all means `/var/run/postgresql`.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// How TLS is used, as libpq's `sslmode` (`allow` is read as `prefer`, `verify-ca` as `verify-full`).
    public enum TLSMode: String, Sendable, Equatable {
        /// Never.
        case disable
        /// When the server offers it, without verification (libpq's default).
        case prefer
        /// Always, without verifying the certificate (libpq's meaning: encryption against a passive listener).
        case require
        /// Always, with the certificate verified against `sslrootcert` (or the system's roots) and the host name.
        case verifyFull = "verify-full"
    }

    /// The user (`$PGUSER`, else `$USER`, when the URL has none).
    public var user: String
    /// The password (`$PGPASSWORD` when the URL has none). Never printed.
    public var password: String?
    /// A TCP host, when not a socket.
    public var host: String?
    /// The Unix socket directory, when not TCP.
    public var socketDirectory: String?
    /// The port (5432).
    public var port: Int
    /// The database (the user's name when none is given).
    public var database: String
    /// TLS.
    public var tls: TLSMode
    /// A CA bundle for `verify-full`.
    public var rootCertificate: String?

    /// Whether `text` names a PostgreSQL vault rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses a URL.
    ///
    /// - Throws: ``TeamError/badURL(_:)`` naming what is wrong (never repeating a password).
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(TeamError) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw .badURL("expected postgresql://user@host:port/database?sslmode=…")
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard let value = item.value else { throw .badURL("the parameter \(item.name) has no value") }
            query[item.name] = value
        }
        let known: Set = ["sslmode", "host", "port", "user", "password", "dbname", "sslrootcert", "connect_timeout"]
        if let unknown = query.keys.sorted().first(where: { !known.contains($0) }) {
            throw .badURL("unknown parameter \(unknown)")
        }
        let envUser = environment["PGUSER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"]
        guard let user = query["user"] ?? components.user.flatMap({ $0.isEmpty ? nil : $0 }) ?? envUser else {
            throw .badURL("no user (give postgresql://USER@… or set PGUSER)")
        }
        self.user = user
        password = query["password"] ?? components.password ?? environment["PGPASSWORD"]
        let portText = query["port"] ?? components.port.map(String.init)
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else { throw .badURL("port \(portText)") }
            self.port = port
        } else {
            port = 5432
        }
        let hostText = query["host"] ?? components.percentEncodedHost.flatMap { $0.removingPercentEncoding }
        if let hostText, !hostText.isEmpty, !hostText.hasPrefix("/") {
            host = hostText
            socketDirectory = nil
        } else {
            host = nil
            socketDirectory = hostText.flatMap { $0.isEmpty ? nil : $0 } ?? "/var/run/postgresql"
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = query["dbname"] ?? (path.isEmpty ? user : path)
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer
        case "require": tls = .require
        case "verify-ca", "verify-full": tls = .verifyFull
        case let other: throw .badURL("sslmode \(other) (use disable, prefer, require or verify-full)")
        }
        rootCertificate = query["sslrootcert"]
        if socketDirectory != nil, tls == .require || tls == .verifyFull {
            throw .badURL("sslmode=\(tls.rawValue) needs a TCP host: a Unix socket has no TLS")
        }
    }

    /// The server, for messages: `user@host:port/database` or `user@/socket/dir/database`, without the password.
    public var description: String {
        if let host { return "\(user)@\(host):\(port)/\(database)" }
        return "\(user)@\(socketDirectory ?? "")/.s.PGSQL.\(port) database \(database)"
    }

    /// The socket file.
    var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }
}
