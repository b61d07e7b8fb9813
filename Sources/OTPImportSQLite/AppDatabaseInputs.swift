import Foundation
import GRDB
public import OTPCore
public import OTPImport
import OTPVault

/// Imports of an authenticator app's own SQLite database (Google Authenticator, Microsoft Authenticator,
/// Authenticator Pro): OTPImport reads no database, so the rows are read here, read-only, and OTPImport maps them
/// (`AppExports.AppDatabase`). A library: `otp` and any other client pass ``pathReader`` to `InputReader`.
///
/// The file is untrusted: it is opened read-only with `trusted_schema` off, only real tables are read (a view could
/// loop), at most 10 000 rows, and only files of at most 64 MiB.
public enum AppDatabaseInputs {
    static let maximumRows = 10_000
    static let maximumBytes = 64 << 20

    /// Whether a regular file starts as an SQLite database does.
    static func isSQLite(_ path: String) -> Bool {
        VaultFileInputs.header(of: path, count: 16) == Array("SQLite format 3\u{0}".utf8)
    }

    /// For ``OTPImport/InputReader``: the accounts of a file that is an app database (not an otp vault), named or
    /// found in a folder, so it is listed in input order; `nil` for any other file.
    public static let pathReader: PathReader = { path in
        guard isSQLite(path), !VaultFileInputs.isVault(path) else { return nil }
        return accounts(path)
    }

    /// The size of a file, 0 when there is none.
    private static func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    public static func accounts(_ path: String) -> Result<[(source: String, check: URICheck)], AppExports.Failure> {
        let wal = size(path + "-wal")
        guard size(path) + wal <= maximumBytes else {
            return .failure(.init(code: "too-large", message: "an SQLite database of more than 64 MiB"))
        }
        // Rows an app committed may still be in its write-ahead log: read the pair, from a private copy (the app's
        // files are never written to, and a read-only open would need to write the -shm beside them).
        guard wal > 0 else { return accounts(opening: path, immutable: true) }
        let copy: URL
        do {
            copy = try privateCopy(of: path)
        } catch {
            return .failure(.init(code: "unreadable", message: "an SQLite database that cannot be copied: \(error)"))
        }
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        return accounts(opening: copy.path, immutable: false, source: path)
    }

    /// The database and its `-wal` copied into a new `0700` folder.
    private static func privateCopy(of path: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("otp-appdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let copy = folder.appendingPathComponent("app.db")
        try FileManager.default.copyItem(atPath: path, toPath: copy.path)
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy.path + "-wal")
        return copy
    }

    private static func accounts(
        opening path: String, immutable: Bool, source: String? = nil
    )
        -> Result<[(source: String, check: URICheck)], AppExports.Failure>
    {
        let source = source ?? path
        var configuration = Configuration()
        configuration.readonly = immutable
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA trusted_schema = OFF") }
        do {
            // `immutable=1`: SQLite takes no lock and writes nothing beside the file (no -wal or -shm next to a
            // database in WAL mode, which a read-only open would otherwise make). A private copy is opened as it
            // is, so SQLite reads its write-ahead log.
            let absolute = URL(fileURLWithPath: path).path
            guard let encoded = absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) else {
                return .failure(.init(code: "unreadable", message: "a path SQLite cannot be given"))
            }
            let queue = try DatabaseQueue(
                path: immutable ? "file:\(encoded)?immutable=1" : absolute, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                var tables: [String: Set<String>] = [:]
                for name in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                    let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
                    tables[name] = Set(columns.compactMap { $0["name"] as String? })
                }
                guard let kind = AppExports.AppDatabase.recognise(tables) else {
                    return .failure(
                        .init(
                            code: "not-provisioning",
                            message: "an SQLite database of no known authenticator app (and not an otp vault)"))
                }
                let (table, columns) = kind.table
                let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                let rows = try Row.fetchAll(
                    db, sql: "SELECT \(quoted) FROM \"\(table)\" LIMIT \(maximumRows + 1)")
                guard rows.count <= maximumRows else {
                    return .failure(.init(code: "too-large", message: "\(kind.rawValue) with more than 10 000 rows"))
                }
                let texts = rows.map { row in
                    Dictionary(
                        uniqueKeysWithValues: columns.map { column -> (String, String?) in
                            let value: DatabaseValue = row[column]
                            switch value.storage {
                            case .null: return (column, nil)
                            case .int64(let number): return (column, String(number))
                            case .double(let number): return (column, String(number))
                            case .string(let text): return (column, text)
                            case .blob(let data): return (column, String(decoding: data, as: UTF8.self))
                            }
                        })
                }
                return kind.accounts(rows: texts, source: source)
            }
        } catch {
            return .failure(.init(code: "unreadable", message: "an SQLite database that cannot be read: \(error)"))
        }
    }
}
