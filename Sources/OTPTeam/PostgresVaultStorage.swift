import Foundation
public import OTPVault
import Synchronization

/// The vault's storage on PostgreSQL: the same sealed entries, keyed fingerprints and times as the SQLite vault,
/// and nothing else; sealing stays on the client. Every operation is one transaction on one connection.
///
/// Concurrency across clients: entry writes take a transaction-scoped advisory lock (shared for an update of one
/// entry, which also locks its row; exclusive for inserts, deletes and key rotation), and check that the team key
/// this client holds is still the current one, so a client that unlocked before a rotation writes nothing under the
/// old key. HOTP counters and `--once` steps advance under the row lock: team-wide, no value is handed out twice.
///
/// The connection is libpq's (``PQConnection``), loaded on first use; calls are synchronous, as ``VaultStorage``
/// is, each with a client-side deadline and a size cap, and serialised by a lock.
public final class PostgresVaultStorage: VaultStorage, @unchecked Sendable {
    /// Where the vault is.
    public let url: PostgresURL
    /// Where libpq connected (`user@host:port/database`), for messages.
    public let server: String
    /// Whether the connection is encrypted.
    public let usesTLS: Bool
    /// Used under `lock` only.
    private let connection: PQConnection
    private let lock = NSLock()
    /// Set under `lock`.
    private var closed = false
    /// The member name written to the log, and the key epoch this client unlocked (set by ``TeamVault``); its own
    /// lock, since it is read inside transactions.
    private let identity = Mutex<(actor: String, epoch: Int32?, team: String?)>(("?", nil, nil))

    /// The schema this build reads and writes (2: the log notifies `otp_log` listeners; 3: the signed membership
    /// log, members' signing keys, entry revisions).
    public static let schemaVersion: Int32 = 3
    /// Advisory lock keys (an arbitrary constant pair: "otp" and what is locked).
    private static let schemaLockKey: Int64 = 0x6f74_7000_0001
    static let writeLockKey: Int64 = 0x6f74_7000_0002

    /// Connects. With `createSchema`, creates or migrates the tables (safe when several clients do it at once);
    /// without it, a database with no team vault is ``TeamError/noTeam``.
    ///
    /// - Parameters:
    ///   - answerTimeout: seconds one statement may take to answer, client side (the server's own
    ///     `statement_timeout` is 60 s and `lock_timeout` 30 s).
    ///   - maximumResultBytes: the most one answer may hold.
    public init(
        url: PostgresURL, createSchema: Bool = false, answerTimeout: Double = 90,
        maximumResultBytes: Int = 64 << 20,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TeamError) {
        self.url = url
        self.answerTimeout = answerTimeout
        do {
            connection = try PQConnection(
                parameters: url.connectionParameters(environment: environment),
                maximumResultBytes: maximumResultBytes)
        } catch {
            throw Self.describe(error, url: url, connecting: true)
        }
        server = connection.server ?? url.description
        usesTLS = connection.usesTLS
        do {
            // Nothing waits for ever: a lock held by another client (or a stuck server-side statement) ends in an
            // error and a rollback, not a hung command.
            _ = try withConnection { statements in
                try statements.run(
                    """
                    SELECT set_config('statement_timeout', '60s', false), set_config('lock_timeout', '30s', false),
                        set_config('idle_in_transaction_session_timeout', '60s', false)
                    """)
            }
            try prepareSchema(create: createSchema)
        } catch {
            connection.close()
            throw error
        }
    }

    // MARK: Statements and transactions

    /// Runs statements on the connection.
    struct Statements {
        let connection: PQConnection
        let deadline: Double

        /// Runs a statement and returns its rows, but never waits longer than `deadline` (a server that stops
        /// answering, or a connection that dies without libpq noticing, ends in an error).
        @discardableResult
        func run(_ query: PQQuery) throws -> [PQRow] {
            try connection.execute(query, timeout: deadline)
        }
    }

    /// How long one statement may take to answer (above the server's own lock and statement timeouts).
    private let answerTimeout: Double

    /// Turns a libpq error into a message naming the server (never its password) and what failed.
    static func describe(_ error: any Error, url: PostgresURL, connecting: Bool = false) -> TeamError {
        if let team = error as? TeamError { return team }
        if let vault = error as? VaultError { return .vault(vault) }
        if let pq = error as? PQError {
            switch pq.kind {
            case .unavailable: return .server(pq.message)
            // libpq's connection messages name the server and the reason (`connection to server on socket
            // "/x/.s.PGSQL.5432" failed: No such file or directory`).
            case .connect: return .server("cannot connect to \(url): \(pq.message)")
            case .server: return .server("\(url): \(pq.description)")
            case .timeout, .tooLarge: return .server("\(url): \(pq.message)")
            case .connection:
                return .server(
                    "\(url): the connection was closed (the server stopped?); nothing was written"
                        + (pq.message.isEmpty ? "" : " (\(pq.message))"))
            }
        }
        if let decoding = error as? PQRow.DecodeError {
            return .server("\(url): an answer does not decode (\(decoding.description))")
        }
        return .server("\(connecting ? "cannot connect to " : "")\(url): \(error)")
    }

    /// Runs `body` on the connection (outside a transaction), serialised with every other call.
    func withConnection<T>(_ body: (Statements) throws -> T) throws(TeamError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { throw .server("\(url): the storage was closed") }
        do {
            return try body(Statements(connection: connection, deadline: answerTimeout))
        } catch {
            throw Self.describe(error, url: url)
        }
    }

    /// What a transaction locks before it reads.
    enum WriteLock {
        /// Reads only.
        case none
        /// One entry's update (its row is locked too).
        case shared
        /// Inserts, deletes, members and key rotation.
        case exclusive
    }

    /// Runs `body` in one transaction; rolls back on any error. Write transactions lock (see ``WriteLock``) and
    /// then check that the key epoch this client unlocked is still the team's.
    @discardableResult
    func transaction<T>(_ writeLock: WriteLock, _ body: (Statements) throws -> T) throws(TeamError) -> T {
        let epoch = identity.withLock { $0.epoch }
        return try withConnection { statements in
            try statements.run("BEGIN")
            do {
                switch writeLock {
                case .none: break
                case .shared: try statements.run("SELECT pg_advisory_xact_lock_shared(\(Self.writeLockKey))")
                case .exclusive: try statements.run("SELECT pg_advisory_xact_lock(\(Self.writeLockKey))")
                }
                if writeLock != .none, let epoch {
                    let current = try statements.run("SELECT epoch FROM otp_team").first?.int32(0)
                    guard current == epoch else { throw TeamError.keyChanged }
                }
                let result = try body(statements)
                try statements.run("COMMIT")
                return result
            } catch {
                // A dead connection has nothing to roll back: the server dropped the transaction with it.
                if statements.connection.inTransaction { _ = try? statements.run("ROLLBACK") }
                throw error
            }
        }
    }

    /// As ``transaction(_:_:)``, for the ``VaultStorage`` methods, which throw vault errors.
    @discardableResult
    private func vaultTransaction<T>(_ writeLock: WriteLock, _ body: (Statements) throws -> T) throws(VaultError) -> T {
        do {
            return try transaction(writeLock, body)
        } catch {
            throw error.asVaultError
        }
    }

    /// One statement outside a transaction, for the ``VaultStorage`` methods.
    @discardableResult
    private func vaultStatement<T>(_ body: (Statements) throws -> T) throws(VaultError) -> T {
        do {
            return try withConnection(body)
        } catch {
            throw error.asVaultError
        }
    }

    /// Who is acting (for the log) and which key epoch they hold.
    func setActor(_ name: String, epoch: Int32?) {
        identity.withLock {
            $0.actor = name
            $0.epoch = epoch
        }
    }

    /// This member's state file (``TeamClientState``), set when a member opens the vault: reads and updates then
    /// refuse rows older than a revision this client has seen, and remember the newest they see.
    private let clientState = Mutex<String?>(nil)

    func setClientState(_ path: String) { clientState.withLock { $0 = path } }

    var actorName: String { identity.withLock { $0.actor } }

    /// The team's id as read when connecting (it never changes once the team is made).
    var knownTeamID: String? { identity.withLock { $0.team } }

    /// Starts listening on the log's channel (`LISTEN otp_log`): lines committed from now on are announced.
    func listenToLog() throws(TeamError) {
        _ = try withConnection { statements in try statements.run("LISTEN otp_log") }
    }

    /// Waits up to `timeout` seconds for log announcements; returns how many arrived (0 on a timeout).
    func waitForLog(timeout: Double) throws(TeamError) -> Int {
        try withConnection { statements in try statements.connection.notifications(timeout: timeout).count }
    }

    // MARK: Schema

    private func prepareSchema(create: Bool) throws(TeamError) {
        // One round trip on every command; a missing table (SQLSTATE 42P01) means no schema yet.
        let (version, team) = try withConnection { statements -> (Int32?, String?) in
            do {
                let row = try statements.run(
                    "SELECT (SELECT max(version) FROM otp_schema), (SELECT team_id FROM otp_team)"
                ).first
                return (try row?.optionalInt32(0), try row?.optionalString(1))
            } catch let error as PQError where error.sqlState == "42P01" {
                return (nil, nil)
            }
        }
        identity.withLock { $0.team = team }
        if let version, version > Self.schemaVersion {
            throw .server("\(url): the team vault's schema is version \(version), newer than this otp reads")
        }
        if version == Self.schemaVersion { return }
        guard create || version != nil else { throw .noTeam }
        do {
            try migrate()
        } catch  where version != nil {
            // An older schema that this role may not change (README's application role has no DDL rights): it
            // still works; only `team log --follow` then polls instead of being notified.
        }
    }

    private func migrate() throws(TeamError) {
        try transaction(.none) { statements in
            // Two clients creating at once: the second waits here, then finds the tables made.
            try statements.run("SELECT pg_advisory_xact_lock(\(Self.schemaLockKey))")
            for statement in Self.schema { try statements.run(PQQuery(unsafeSQL: statement)) }
            let current = try statements.run("SELECT max(version) FROM otp_schema").first?.optionalInt32(0)
            if current != Self.schemaVersion {
                try statements.run("INSERT INTO otp_schema (version) VALUES (\(Self.schemaVersion))")
            }
        }
    }

    /// Version 1. The log is append-only by trigger (for its owner too, unless they drop the trigger); README gives
    /// the grants that make it so for an application role.
    static let schema = [
        "CREATE TABLE IF NOT EXISTS otp_schema (version integer NOT NULL)",
        """
        CREATE TABLE IF NOT EXISTS otp_team (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            team_id text NOT NULL, epoch integer NOT NULL, created_at bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS otp_members (
            name text PRIMARY KEY, public_key bytea NOT NULL UNIQUE, wrapped_key bytea, epoch integer,
            status text NOT NULL CHECK (status IN ('pending', 'active')),
            requested_at bigint NOT NULL, approved_by text, approved_at bigint)
        """,
        """
        CREATE TABLE IF NOT EXISTS otp_entries (
            id text PRIMARY KEY, seq bigserial NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL,
            identity_tag bytea NOT NULL, duplicate_tag bytea NOT NULL, version integer NOT NULL, sealed bytea NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS otp_entries_duplicate ON otp_entries (duplicate_tag)",
        "CREATE INDEX IF NOT EXISTS otp_entries_identity ON otp_entries (identity_tag)",
        """
        CREATE TABLE IF NOT EXISTS otp_batches (
            tag bytea PRIMARY KEY, size integer NOT NULL, parts integer[] NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS otp_log (
            seq bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), member text NOT NULL,
            action text NOT NULL, entry_id text, detail text)
        """,
        """
        CREATE OR REPLACE FUNCTION otp_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'otp_log is append-only'; END $$
        """,
        "DROP TRIGGER IF EXISTS otp_log_no_change ON otp_log",
        """
        CREATE TRIGGER otp_log_no_change BEFORE UPDATE OR DELETE ON otp_log
        FOR EACH ROW EXECUTE FUNCTION otp_log_append_only()
        """,
        "DROP TRIGGER IF EXISTS otp_log_no_truncate ON otp_log",
        """
        CREATE TRIGGER otp_log_no_truncate BEFORE TRUNCATE ON otp_log
        FOR EACH STATEMENT EXECUTE FUNCTION otp_log_append_only()
        """,
        // Version 2: every log line is announced on the channel otp_log (delivered at commit), for `team log --follow`.
        """
        CREATE OR REPLACE FUNCTION otp_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_notify('otp_log', NEW.seq::text); RETURN NULL; END $$
        """,
        "DROP TRIGGER IF EXISTS otp_log_announce ON otp_log",
        "CREATE TRIGGER otp_log_announce AFTER INSERT ON otp_log FOR EACH ROW EXECUTE FUNCTION otp_log_notify()",
        // Version 3: the membership log (``TeamChain``), signing keys, entry revisions (authenticated in each seal).
        """
        CREATE TABLE IF NOT EXISTS otp_chain (
            seq bigint PRIMARY KEY CHECK (seq > 0), record bytea NOT NULL, signature bytea NOT NULL)
        """,
        "ALTER TABLE otp_members ADD COLUMN IF NOT EXISTS signing_key bytea",
        "ALTER TABLE otp_entries ADD COLUMN IF NOT EXISTS revision bigint NOT NULL DEFAULT 0",
    ]

    // MARK: VaultStorage

    /// A team vault has no passphrase slots: members' keys open it (``TeamVault``).
    public func keySlots() throws(VaultError) -> [KeySlotRecord] { [] }

    public func createSlotIfEmpty(_ slot: KeySlotRecord) throws(VaultError) -> [KeySlotRecord] {
        throw .damaged("a team vault is opened by its members' keys, not a passphrase (otp team create makes one)")
    }

    public func replaceSlots(_ slots: [KeySlotRecord]) throws(VaultError) {
        throw .damaged("a team vault has no passphrase to change (each member's personal vault has its own)")
    }

    private static let entryColumns =
        "id, created_at, updated_at, identity_tag, duplicate_tag, version, sealed, revision"

    /// A row as a record; a row that does not decode is an entry reported as damaged, never hiding the others.
    private static func entry(_ row: PQRow) -> SealedEntryRecord {
        do {
            return SealedEntryRecord(
                id: try row.string(0), createdAt: try row.int64(1), updatedAt: try row.int64(2),
                identityTag: try row.bytes(3), duplicateTag: try row.bytes(4), version: Int(try row.int32(5)),
                sealed: try row.bytes(6), revision: try row.int64(7))
        } catch {
            let id = (try? row.string(0)) ?? "?"
            var record = SealedEntryRecord(
                id: id, createdAt: 0, updatedAt: 0, identityTag: [], duplicateTag: [], version: 0, sealed: [])
            record.damage = "its row does not decode"
            return record
        }
    }

    /// One statement, so one consistent snapshot without a transaction around it. A row older than a revision this
    /// client has seen is reported as damaged (a replay), never hiding the others.
    public func entries() throws(VaultError) -> [SealedEntryRecord] {
        let memory = clientState.withLock { $0 }
        // Read before the rows: a revision another process of this client commits meanwhile is not a replay.
        let seen = memory.map { TeamClientState.load($0).revisions } ?? [:]
        var records = try vaultStatement { statements in
            try statements.run(
                PQQuery(unsafeSQL: "SELECT \(Self.entryColumns) FROM otp_entries ORDER BY created_at, seq")
            ).map(Self.entry)
        }
        guard let memory else { return records }
        let replayed = TeamClientState.replayed(records.map { ($0.id, $0.revision) }, seen: seen)
        for index in records.indices {
            guard let (served, seen) = replayed[records[index].id] else { continue }
            records[index].damage =
                TeamClientState.replayError(
                    id: records[index].id, served: served, seen: seen, path: memory, server: "\(url)"
                ).description
        }
        return records
    }

    public func entriesOpened(_ revisions: [(id: String, revision: Int64)]) {
        guard let memory = clientState.withLock({ $0 }) else { return }
        TeamClientState.observe(revisions, path: memory)
    }

    /// The entries inside a transaction (key rotation).
    func entries(_ statements: Statements) throws -> [SealedEntryRecord] {
        try statements.run(
            PQQuery(unsafeSQL: "SELECT \(Self.entryColumns) FROM otp_entries ORDER BY created_at, seq FOR UPDATE")
        ).map(Self.entry)
    }

    func log(_ statements: Statements, _ event: VaultAuditEvent) throws {
        try statements.run(
            """
            INSERT INTO otp_log (member, action, entry_id, detail)
            VALUES (\(actorName), \(event.action), \(event.entryID), \(event.detail))
            """)
    }

    /// ``InsertPlan`` decides, as for every storage: under the exclusive lock the tags of every entry are read
    /// once, and the deletions and insertions are one statement each (a thousand accounts are not four thousand
    /// round trips).
    public func insert(_ records: [SealedEntryRecord], replacing: Bool) throws(VaultError) -> [InsertDisposition] {
        try vaultTransaction(.exclusive) { statements in
            let stored = try statements.run(
                "SELECT id, identity_tag, duplicate_tag FROM otp_entries ORDER BY created_at, seq"
            ).map { row in
                InsertPlan.Stored(id: try row.string(0), identityTag: try row.bytes(1), duplicateTag: try row.bytes(2))
            }
            let plan = InsertPlan(stored: stored, records: records, replacing: replacing)
            let inserted = plan.inserted
            let dispositions = plan.dispositions
            if !plan.deleted.isEmpty {
                try statements.run("DELETE FROM otp_entries WHERE id = ANY(\(plan.deleted))")
            }
            if !inserted.isEmpty {
                let c = EntryColumns(inserted)
                // WITH ORDINALITY keeps the batch's order in `seq`, as row-by-row inserts would.
                try statements.run(
                    """
                    INSERT INTO otp_entries (
                        id, created_at, updated_at, identity_tag, duplicate_tag, version, sealed, revision)
                    SELECT id, created_at, updated_at, identity_tag, duplicate_tag, version, sealed, revision
                    FROM unnest(\(c.ids)::text[], \(c.created)::bigint[], \(c.updated)::bigint[],
                                \(c.identities)::bytea[], \(c.duplicates)::bytea[], \(c.versions)::integer[],
                                \(c.sealed)::bytea[], \(c.revisions)::bigint[])
                        WITH ORDINALITY AS batch(id, created_at, updated_at, identity_tag, duplicate_tag, version,
                                                 sealed, revision, position)
                    ORDER BY position
                    """)
                try log(statements, VaultAuditEvent(action: "import", detail: "\(inserted.count) accounts"))
            }
            return dispositions
        }
    }

    /// Records as column arrays, for one `unnest` statement instead of a statement per row.
    private struct EntryColumns {
        let ids: [String]
        let created: [Int64]
        let updated: [Int64]
        let identities: [[UInt8]]
        let duplicates: [[UInt8]]
        let versions: [Int32]
        let sealed: [[UInt8]]
        let revisions: [Int64]

        init(_ records: [SealedEntryRecord]) {
            revisions = records.map(\.revision)
            ids = records.map(\.id)
            created = records.map(\.createdAt)
            updated = records.map(\.updatedAt)
            identities = records.map(\.identityTag)
            duplicates = records.map(\.duplicateTag)
            versions = records.map { Int32($0.version) }
            sealed = records.map(\.sealed)
        }
    }

    /// Writes re-sealed entries (key rotation) in one statement.
    func rewrite(_ statements: Statements, _ records: [SealedEntryRecord]) throws {
        guard !records.isEmpty else { return }
        let c = EntryColumns(records)
        try statements.run(
            """
            UPDATE otp_entries SET identity_tag = batch.identity_tag, duplicate_tag = batch.duplicate_tag,
                version = batch.version, sealed = batch.sealed, revision = batch.revision
            FROM unnest(\(c.ids)::text[], \(c.identities)::bytea[], \(c.duplicates)::bytea[],
                        \(c.versions)::integer[], \(c.sealed)::bytea[], \(c.revisions)::bigint[])
                AS batch(id, identity_tag, duplicate_tag, version, sealed, revision)
            WHERE otp_entries.id = batch.id
            """)
    }

    public func update<T: Sendable>(
        id: String, _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T {
        try update(id: id, audit: VaultAuditEvent(action: "update", entryID: id), transform)
    }

    public func update<T: Sendable>(
        id: String, audit event: VaultAuditEvent,
        _ transform: @Sendable (SealedEntryRecord) throws(VaultError) -> (SealedEntryRecord, T)
    ) throws(VaultError) -> T {
        let memory = clientState.withLock { $0 }
        let seen = memory.map { TeamClientState.load($0).revisions } ?? [:]
        let (result, written) = try vaultTransaction(.shared) { statements -> (T, Int64?) in
            guard
                let row = try statements.run(
                    "SELECT \(unsafe: Self.entryColumns) FROM otp_entries WHERE id = \(id) FOR UPDATE"
                ).first
            else { throw VaultError.noSuchEntry(id: id) }
            let original = Self.entry(row)
            if let memory,
                let (served, seen) = TeamClientState.replayed([(id, original.revision)], seen: seen)[id]
            {
                throw TeamClientState.replayError(id: id, served: served, seen: seen, path: memory, server: "\(url)")
            }
            let (updated, result) = try transform(original)
            // Nothing changed (a `--once` step already taken): nothing is written or logged.
            if updated == original { return (result, nil) }
            try statements.run(
                """
                UPDATE otp_entries SET updated_at = \(updated.updatedAt), identity_tag = \(updated.identityTag),
                    duplicate_tag = \(updated.duplicateTag), version = \(Int32(updated.version)),
                    sealed = \(updated.sealed), revision = \(updated.revision)
                WHERE id = \(id)
                """)
            try log(statements, event)
            return (result, updated.revision)
        }
        // Remembered once committed: a failed commit must not mark the row the server still holds as replaced
        // (that would lock this client out of the entry). A commit whose answer was lost prints no code either.
        if let memory, let written { TeamClientState.observe([(id, written)], path: memory) }
        return result
    }

    /// One multi-row insert (a code for each of a thousand accounts is one statement).
    public func audit(_ events: [VaultAuditEvent]) throws(VaultError) {
        guard !events.isEmpty else { return }
        let actor = actorName
        try vaultStatement { statements in
            try statements.run(
                """
                INSERT INTO otp_log (member, action, entry_id, detail)
                SELECT \(actor), action, NULLIF(entry_id, ''), NULLIF(detail, '')
                FROM unnest(\(events.map(\.action))::text[], \(events.map { $0.entryID ?? "" })::text[],
                            \(events.map { $0.detail ?? "" })::text[]) WITH ORDINALITY AS e(action, entry_id, detail, n)
                ORDER BY n
                """)
        }
    }

    public func batchParts(tag: [UInt8]) throws(VaultError) -> (size: Int32, parts: Set<Int32>)? {
        try vaultStatement { statements in
            guard
                let row = try statements.run("SELECT size, parts FROM otp_batches WHERE tag = \(tag)").first
            else { return nil }
            let (size, parts) = (try row.int32(0), try row.int32Array(1))
            return (size, Set(parts))
        }
    }

    public func recordBatchParts(tag: [UInt8], size: Int32, parts: Set<Int32>) throws(VaultError) {
        try vaultTransaction(.exclusive) { statements in
            try statements.run(
                """
                INSERT INTO otp_batches (tag, size, parts) VALUES (\(tag), \(size), \(parts.sorted()))
                ON CONFLICT (tag) DO UPDATE SET size = EXCLUDED.size,
                    parts = ARRAY(SELECT DISTINCT unnest(otp_batches.parts || EXCLUDED.parts) ORDER BY 1)
                """)
        }
    }

    public func delete(ids: [String]) throws(VaultError) -> Int {
        try vaultTransaction(.exclusive) { statements in
            let deleted = try statements.run("DELETE FROM otp_entries WHERE id = ANY(\(ids)) RETURNING id")
                .map { try $0.string(0) }
            for id in deleted { try log(statements, VaultAuditEvent(action: "remove", entryID: id)) }
            return deleted.count
        }
    }

    public func close() throws(VaultError) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        connection.close()
    }
}
