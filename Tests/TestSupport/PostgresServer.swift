import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL server for tests: `initdb` into a temporary folder, a Unix socket in it (and, with `tls`,
/// TCP on 127.0.0.1 with a self-signed certificate), stopped and removed when the test process exits. PostgreSQL
/// refuses to run as root, so as root the server runs as the `postgres` user (the Debian package makes it), else
/// as `nobody`. A real server, never a mock; `.ci/run` installs the Debian `postgresql` package.
public final class PostgresServer: @unchecked Sendable {
    /// The folder of `initdb`, `pg_ctl` and `postgres` (Debian: /usr/lib/postgresql/VERSION/bin), if installed.
    public static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb") { return bin }
        }
        return nil
    }()

    /// Whether a server can be started here.
    public static var available: Bool { binaries != nil }

    /// One server shared by the tests that only need a database each (``makeDatabase()``), or why it did not start
    /// (tests that need it fail with that reason: they never skip).
    public static let started = Result { try PostgresServer() }
    private static let startedTLS = Result { try PostgresServer(tls: true) }

    /// The shared server with TLS on 127.0.0.1 (a test CA, client certificates, a password role).
    public static func tls() throws -> PostgresServer { try startedTLS.get() }

    public let directory: URL
    public let port: Int
    public let tlsPort: Int?
    private let runAs: String?
    private let bin: String
    private let lock = NSLock()
    private var databases = 0

    /// The socket folder.
    public var socketDirectory: String { directory.appendingPathComponent("socket").path }

    /// A `postgresql://` URL for a database over the socket.
    public func url(database: String = "postgres") -> String {
        "postgresql://otp@/\(database)?host=\(socketDirectory)&port=\(port)&sslmode=disable"
    }

    /// A URL over TCP with TLS (`require`, `verify-ca` or `verify-full`), for a server started with `tls`: the
    /// server's certificate is signed by the test CA (``caCertificate``).
    public func tlsURL(database: String, mode: String, user: String = "otp") -> String {
        "postgresql://\(user)@localhost:\(tlsPort ?? 0)/\(database)?sslmode=\(mode)&sslrootcert=\(caCertificate)"
    }

    /// The test CA's certificate (a server started with `tls`).
    public var caCertificate: String { directory.appendingPathComponent("ca.crt").path }
    /// A client certificate and key signed by the test CA for the role ``certificateUser``, which logs in over TCP
    /// only with it (pg_hba `cert`).
    public var clientCertificate: String { directory.appendingPathComponent("client.crt").path }
    public var clientKey: String { directory.appendingPathComponent("client.key").path }
    public static let certificateUser = "certuser"
    /// A role that logs in over TCP only with its password (pg_hba `scram-sha-256`): ``passwordUserPassword``.
    public static let passwordUser = "pwuser"
    public static let passwordUserPassword = "pw-0f3a-not-a-real-one"

    /// Starts a server. Throws when PostgreSQL is not installed or does not start.
    public init(tls: Bool = false) throws {
        guard let bin = Self.binaries else { throw ServerError("PostgreSQL is not installed (apt install postgresql)") }
        self.bin = bin
        directory = URL(fileURLWithPath: "/tmp/otp-pg-\(UUID().uuidString.prefix(8))")
        port = tls ? Int.random(in: 20_000..<60_000) : 5432
        tlsPort = tls ? port : nil
        let isRoot = getuid() == 0
        runAs = isRoot ? (Self.userExists("postgres") ? "postgres" : "nobody") : nil
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("socket"), withIntermediateDirectories: true)
        if let runAs { try Self.run("/bin/chown", ["-R", runAs, directory.path]) }
        try command("initdb", ["-D", dataDirectory, "-A", "trust", "-U", "otp", "--no-sync", "-E", "UTF8"])
        var settings = [
            "listen_addresses = '\(tls ? "127.0.0.1" : "")'", "unix_socket_directories = '\(socketDirectory)'",
            "port = \(port)", "fsync = off", "max_connections = 40",
        ]
        if tls {
            try makeCertificates()
            if let runAs { try Self.run("/bin/chown", ["-R", runAs, dataDirectory]) }
            try Self.run("/bin/chmod", ["600", "\(dataDirectory)/server.key"])
            settings += [
                "ssl = on", "ssl_cert_file = 'server.crt'", "ssl_key_file = 'server.key'", "ssl_ca_file = 'ca.crt'",
            ]
            // Sockets trust everyone (the harness); over TCP the certificate role needs its certificate and the
            // password role its password (scram), everyone else is trusted.
            try """
            local all all trust
            hostssl all \(Self.certificateUser) 127.0.0.1/32 cert
            hostssl all \(Self.passwordUser) 127.0.0.1/32 scram-sha-256
            host all all 127.0.0.1/32 trust

            """.write(toFile: "\(dataDirectory)/pg_hba.conf", atomically: false, encoding: .utf8)
        }
        try (settings.joined(separator: "\n") + "\n").write(
            toFile: "\(dataDirectory)/postgresql.auto.conf", atomically: false, encoding: .utf8)
        try start()
        PostgresServer.register(self)
        if tls {
            try psql(
                "CREATE ROLE \(Self.certificateUser) LOGIN SUPERUSER; "
                    + "CREATE ROLE \(Self.passwordUser) LOGIN SUPERUSER PASSWORD '\(Self.passwordUserPassword)'")
        }
    }

    /// A test CA, the server's certificate for `localhost` and a client certificate for ``certificateUser``, signed
    /// by it (openssl, as PostgreSQL's documentation "Creating Certificates" shows).
    private func makeCertificates() throws {
        let dir = directory.path
        let openssl = "/usr/bin/openssl"
        try Self.run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=otp test CA",
                "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.crt",
            ])
        try "subjectAltName=DNS:localhost\n".write(toFile: "\(dir)/server.ext", atomically: false, encoding: .utf8)
        for (name, subject, extensions) in [
            ("server", "/CN=localhost", ["-extfile", "\(dir)/server.ext"]),
            ("client", "/CN=\(Self.certificateUser)", []),
        ] {
            try Self.run(
                openssl,
                [
                    "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "\(dir)/\(name).key",
                    "-out", "\(dir)/\(name).csr",
                ])
            try Self.run(
                openssl,
                [
                    "x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
                    "-CAcreateserial", "-days", "2", "-out", "\(dir)/\(name).crt",
                ] + extensions)
        }
        try Self.run("/bin/chmod", ["600", "\(dir)/client.key"])
        for file in ["server.crt", "server.key", "ca.crt"] {
            try FileManager.default.copyItem(atPath: "\(dir)/\(file)", toPath: "\(dataDirectory)/\(file)")
        }
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// Starts (or restarts) the server and waits until it accepts connections.
    public func start() throws {
        try command("pg_ctl", ["-D", dataDirectory, "-l", directory.appendingPathComponent("log").path, "-w", "start"])
    }

    /// Stops the server: `fast` ends sessions and rolls their transactions back; `immediate` kills it.
    public func stop(mode: String = "fast") throws {
        try command("pg_ctl", ["-D", dataDirectory, "-m", mode, "-w", "stop"])
    }

    /// A new empty database; returns its name.
    public func makeDatabase() throws -> String {
        let name = lock.withLock {
            databases += 1
            return "t\(databases)_\(UUID().uuidString.prefix(6).lowercased())"
        }
        _ = try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through `psql` (unaligned, tuples only) and returns what it printed.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", user: String = "otp") throws -> String {
        try Self.run(
            "\(bin)/psql",
            [
                "-h", socketDirectory, "-p", "\(port)", "-U", user, "-d", database, "-X", "-A", "-t", "-v",
                "ON_ERROR_STOP=1", "-c", sql,
            ])
    }

    /// Starts `psql` running `sql` in its own session and returns without waiting (a session that holds a lock while
    /// the test does something else). Its output is discarded.
    public func holdInSession(_ sql: String, database: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(bin)/psql")
        process.arguments = ["-h", socketDirectory, "-p", "\(port)", "-U", "otp", "-d", database, "-X", "-c", sql]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Replaces a database with a dump made earlier (`dump(database:)`): what a database administrator restoring
    /// an old backup does. Connections to it are ended first.
    public func restore(database: String, from dump: String) throws {
        _ = try psql("DROP DATABASE \(database) WITH (FORCE)")
        _ = try psql("CREATE DATABASE \(database)")
        let file = directory.appendingPathComponent("restore-\(UUID().uuidString).sql").path
        try dump.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Self.run(
            "\(bin)/psql",
            [
                "-h", socketDirectory, "-p", "\(port)", "-U", "otp", "-d", database, "-X", "-q", "-v",
                "ON_ERROR_STOP=1",
                "-f", file,
            ])
    }

    /// `pg_dump` of a database, as text.
    public func dump(database: String) throws -> String {
        try Self.run("\(bin)/pg_dump", ["-h", socketDirectory, "-p", "\(port)", "-U", "otp", database])
    }

    private func command(_ name: String, _ arguments: [String]) throws {
        if let runAs {
            try Self.run("/usr/sbin/runuser", ["-u", runAs, "--", "\(bin)/\(name)"] + arguments)
        } else {
            try Self.run("\(bin)/\(name)", arguments)
        }
    }

    private static func userExists(_ name: String) -> Bool {
        (try? run("/usr/bin/id", ["-u", name])) != nil
    }

    /// Runs a program; throws with its output when it fails.
    ///
    /// Spawned with every descriptor above 2 closed (`posix_spawn_file_actions_addclosefrom_np`), output to a file:
    /// the server `pg_ctl start` leaves running must not inherit a pipe, or the descriptor Foundation's `Process`
    /// watches to learn that another test's child exited (it would never see that child end).
    @discardableResult
    static func run(_ path: String, _ arguments: [String]) throws -> String {
        let output = "/tmp/otp-pg-out-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        guard closeFrom(&actions, 3) == 0 else { throw ServerError("cannot close descriptors for \(path)") }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ServerError("cannot start \(path): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw ServerError("\(path) \(arguments.joined(separator: " ")) failed (\(status)): \(text)")
        }
        return text
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module leaves out (it is under
    /// `_GNU_SOURCE`).
    private static let closeFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        else { fatalError("glibc 2.34 or later is needed (posix_spawn_file_actions_addclosefrom_np)") }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    public struct ServerError: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    // Servers are stopped and removed when the test process exits.
    nonisolated(unsafe) private static var running: [PostgresServer] = []
    private static let registry = NSLock()
    private static let installExitHandler: Void = { atexit { PostgresServer.stopAll() } }()

    private static func register(_ server: PostgresServer) {
        registry.withLock {
            _ = installExitHandler
            running.append(server)
        }
    }

    private static func stopAll() {
        let servers = registry.withLock { running }
        for server in servers {
            try? server.stop(mode: "immediate")
            try? FileManager.default.removeItem(at: server.directory)
        }
    }
}
