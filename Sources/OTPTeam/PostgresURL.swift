import Foundation

/// Where a team vault is: a libpq connection URL (`postgresql://…` or `postgres://…`), passed to libpq unchanged, so
/// every libpq parameter (`sslmode=verify-ca`, `sslcert`/`sslkey`, `target_session_attrs`, `service`,
/// `passfile`, several hosts, …), every `PG*` environment variable, `~/.pgpass` and the service file work as libpq
/// documents them. `postgresql://` alone takes everything from the environment.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    /// The URL as given.
    public let connectionString: String
    /// Parameters placed after the URL, which override it (a test's other user; `sslrootcert` for another CA).
    public var overrides: [String: String] = [:]
    /// What libpq reads from the URL itself (`PQconninfoParse`), the password included: never print these.
    let parsed: [String: String]

    /// Whether `text` names a PostgreSQL vault rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Parses a URL with libpq (loaded now).
    ///
    /// - Throws: ``TeamError/badURL(_:)`` with libpq's reason (which never repeats a password), or
    ///   ``TeamError/server(_:)`` when libpq cannot be loaded.
    public init(_ text: String) throws(TeamError) {
        guard Self.isPostgres(text) else { throw .badURL("expected postgresql://user@host:port/database?sslmode=…") }
        do {
            parsed = try LibPQ.parse(text)
        } catch {
            throw error.kind == .unavailable ? .server(error.message) : .badURL(error.message)
        }
        connectionString = text
    }

    /// The value of a libpq parameter as the URL or ``overrides`` set it (not the environment's).
    public subscript(parameter: String) -> String? { overrides[parameter] ?? parsed[parameter] }

    /// libpq's keyword/value arrays: defaults first (unless the environment sets them), then the URL (expanded by
    /// libpq), then ``overrides``.
    func connectionParameters(environment: [String: String]) -> [(String, String)] {
        var parameters: [(String, String)] = []
        // libpq's own default is to wait for ever; PGCONNECT_TIMEOUT, or the URL's connect_timeout, win over ours.
        if environment["PGCONNECT_TIMEOUT"] == nil { parameters.append(("connect_timeout", "4")) }
        if environment["PGAPPNAME"] == nil { parameters.append(("application_name", "otp")) }
        parameters.append(("dbname", connectionString))
        parameters += overrides.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        parameters.append(("client_encoding", "UTF8"))
        return parameters
    }

    /// The server, for messages, without the password: `user@host:port/database` from the URL and the `PG*`
    /// environment (`default` where neither says).
    public var description: String {
        let environment = ProcessInfo.processInfo.environment
        func value(_ key: String, _ variable: String) -> String? {
            self[key].flatMap { $0.isEmpty ? nil : $0 } ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        let user = value("user", "PGUSER") ?? environment["USER"] ?? "default"
        let host = value("host", "PGHOST") ?? "/var/run/postgresql"
        let port = value("port", "PGPORT") ?? "5432"
        let database = value("dbname", "PGDATABASE") ?? user
        if let service = value("service", "PGSERVICE") { return "service \(service)" }
        return "\(user)@\(host):\(port)/\(database)"
    }
}
