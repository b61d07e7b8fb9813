import Foundation
import OTPCrypto
import OTPVault

#if canImport(Glibc)
    import Glibc
#endif

/// What this member's client has verified of a team vault, kept on the client (never on the server): the team it
/// pinned (the first membership record's hash), the newest membership record it verified (sequence number, hash,
/// key epoch), the audit log's position, and the highest revision it has seen of each entry.
///
/// A server restored from an older dump shows a shorter membership log, an older epoch or older entry revisions; a
/// server that shows this client another history than before shows another record at a position this client already
/// verified. Both are refused before any key is used, instead of silently going back (for instance to an epoch whose
/// key a removed member still holds) or handing out an HOTP counter or `--once` step a second time.
///
/// Kept in `$XDG_STATE_HOME/otp/teams/` (else `~/.local/state/otp/teams/`), one `0600` file per team and member key,
/// written whole (``AtomicFile``).
struct TeamClientState: Codable, Equatable {
    /// Hex SHA-256 of the team's first membership record: the team this client joined.
    var genesis: String?
    /// The newest membership record verified.
    var headSeq: Int64 = 0
    var headHash: String = ""
    var epoch: Int32 = 0
    var logSequence: Int64 = 0
    /// Per entry id, the highest revision seen (authenticated by the entry's seal).
    var revisions: [String: Int64] = [:]

    static let maximumFileBytes = 8 << 20

    private enum CodingKeys: String, CodingKey {
        case genesis, headSeq, headHash, epoch, logSequence, revisions
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        genesis = try values.decodeIfPresent(String.self, forKey: .genesis)
        headSeq = try values.decodeIfPresent(Int64.self, forKey: .headSeq) ?? 0
        headHash = try values.decodeIfPresent(String.self, forKey: .headHash) ?? ""
        epoch = try values.decodeIfPresent(Int32.self, forKey: .epoch) ?? 0
        logSequence = try values.decodeIfPresent(Int64.self, forKey: .logSequence) ?? 0
        revisions = try values.decodeIfPresent([String: Int64].self, forKey: .revisions) ?? [:]
    }

    /// The file for this team and member key.
    static func path(team: String, publicKey: [UInt8], environment: [String: String]) -> String {
        let base =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/state")
        let key = TeamVault.normalisedFingerprint(TeamVault.fingerprint(of: publicKey)).prefix(16)
        let safeTeam = team.filter { $0.isHexDigit }.prefix(32)
        return "\(base)/otp/teams/\(safeTeam)-\(key).json"
    }

    static func load(_ path: String) -> TeamClientState {
        guard let data = FileManager.default.contents(atPath: path), data.count < maximumFileBytes,
            let state = try? JSONDecoder().decode(TeamClientState.self, from: data)
        else { return TeamClientState() }
        return state
    }

    /// The pinned team, as bytes.
    var pinnedGenesis: [UInt8]? { genesis.flatMap(Self.bytes) }

    private static func bytes(_ hex: String) -> [UInt8]? {
        guard hex.count == 64 else { return nil }
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }

    /// Checks a verified membership log and the audit log's position against what this client verified before, and
    /// remembers the newer state (pinning the team if it was not pinned).
    ///
    /// - Throws: ``TeamError/rollback(_:)`` when the server shows fewer membership records, an older epoch or a
    ///   shorter audit log; ``TeamError/forked(_:)`` when a record this client verified is not there any more.
    static func check(
        _ verified: TeamChain.Verified, logSequence: Int64, path: String, server: String
    ) throws(TeamError) {
        try update(path) { (next) throws(TeamError) in
            try check(verified, logSequence: logSequence, state: &next, path: path, server: server)
        }
    }

    private static func check(
        _ verified: TeamChain.Verified, logSequence: Int64, state next: inout TeamClientState, path: String,
        server: String
    ) throws(TeamError) {
        let seen = next
        let advice =
            "nothing was read or written. If the team restored it on purpose and agreed so out of band, remove \(path)"
        if let genesis = seen.genesis, genesis != TeamChain.hex(verified.genesis) {
            throw .forked(
                "the team vault at \(server) is not the team this client joined (another first membership entry); "
                    + advice)
        }
        let count = Int64(verified.records.count)
        // A different record where this client verified one is a fork, whatever else went back.
        if seen.headSeq > 0, seen.headSeq <= count,
            TeamChain.hex(verified.records[Int(seen.headSeq) - 1].hash) != seen.headHash
        {
            throw .forked(
                "the team vault at \(server) shows another membership history than this client verified before: "
                    + "change \(seen.headSeq) differs (a forked history: compare otp team verify with the other "
                    + "members); " + advice)
        }
        if count < seen.headSeq || verified.epoch < seen.epoch || logSequence < seen.logSequence {
            throw .rollback(
                "the team vault at \(server) went back: it shows \(count) membership changes, key epoch "
                    + "\(verified.epoch) and log position \(logSequence), where this client already verified "
                    + "\(seen.headSeq) changes, epoch \(seen.epoch) and position \(seen.logSequence) (restored from "
                    + "an older dump, or another server?); " + advice)
        }
        next.genesis = TeamChain.hex(verified.genesis)
        next.headSeq = count
        next.headHash = TeamChain.hex(verified.head.hash)
        next.epoch = verified.epoch
        next.logSequence = max(logSequence, seen.logSequence)
    }

    /// Records a membership record this client itself appended (so the next check expects it).
    static func advance(to verified: TeamChain.Verified, path: String) {
        update(path) { state in
            guard Int64(verified.records.count) > state.headSeq else { return }
            state.headSeq = Int64(verified.records.count)
            state.headHash = TeamChain.hex(verified.head.hash)
            state.epoch = max(state.epoch, verified.epoch)
        }
    }

    /// The revisions this client saw that `rows` go back from: entry id → (served, seen). `seen` must be read
    /// before the rows were (``load(_:)`` then the query): another process of this client may commit a newer
    /// revision, and remember it, between the query and the check.
    static func replayed(
        _ rows: [(id: String, revision: Int64)], seen: [String: Int64]
    ) -> [String: (Int64, Int64)] {
        var found: [String: (Int64, Int64)] = [:]
        for row in rows {
            if let highest = seen[row.id], row.revision < highest { found[row.id] = (row.revision, highest) }
        }
        return found
    }

    /// The replay error for one entry.
    static func replayError(id: String, served: Int64, seen: Int64, path: String, server: String) -> VaultError {
        .server(
            "\(server) served entry \(id) at revision \(served), where this client already saw revision \(seen) "
                + "(a replayed row: an HOTP counter or --once step going back); nothing was handed out (\(path) "
                + "holds what this client saw)")
    }

    /// Remembers the revisions of rows that opened (the seal authenticates the revision).
    static func observe(_ rows: [(id: String, revision: Int64)], path: String) {
        update(path) { state in
            for row in rows where row.revision > (state.revisions[row.id] ?? 0) {
                state.revisions[row.id] = row.revision
            }
        }
    }

    /// Reads, changes and writes the file under an exclusive `flock` on `PATH.lock`, so that the `otp` processes
    /// of one client (eight scripts taking codes at once) never lose each other's revisions; saved only if changed.
    static func update<T, E: Error>(
        _ path: String, _ change: (inout TeamClientState) throws(E) -> T
    ) throws(E) -> T {
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let descriptor = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if descriptor >= 0 { _ = flock(descriptor, LOCK_EX) }
        defer { if descriptor >= 0 { close(descriptor) } }
        let seen = load(path)
        var next = seen
        let result = try change(&next)
        if next != seen { next.save(path) }
        return result
    }

    private func save(_ path: String) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? data.withUnsafeBytes { try AtomicFile.write($0, to: path, replace: true) }
    }
}
