import Foundation
import OTPCrypto
import OTPVault

/// What this member's client has seen of a team vault, kept on the client (never on the server): the highest key
/// epoch and log position it has verified. A server restored from an older dump, or one that serves an older
/// state, shows a lower epoch or a shorter log, and the client refuses it instead of silently going back (for
/// instance to an epoch whose key a removed member still holds).
///
/// Kept in `$XDG_STATE_HOME/otp/teams/` (else `~/.local/state/otp/teams/`), one `0600` file per team and member key,
/// written whole (``AtomicFile``). This is a high-water mark, not the signed membership chain DESIGN.md describes:
/// it detects a rollback on every client that saw the newer state, not on one that never did.
struct TeamHighWater: Codable, Equatable {
    var epoch: Int32 = 0
    var logSequence: Int64 = 0
    /// Per entry id, the SHA-256 (hex) of sealed rows this client replaced by its own writes (an HOTP counter that
    /// advanced, a `--once` step, an edit): the server serving one of them again is a replay. At most
    /// ``supersededPerEntry`` each, newest kept.
    var superseded: [String: [String]] = [:]

    static let supersededPerEntry = 256
    static let maximumFileBytes = 4 << 20

    /// The file for this team and member key.
    static func path(team: String, publicKey: [UInt8], environment: [String: String]) -> String {
        let base =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/state")
        let key = TeamVault.normalisedFingerprint(TeamVault.fingerprint(of: publicKey)).prefix(16)
        let safeTeam = team.filter { $0.isHexDigit }.prefix(32)
        return "\(base)/otp/teams/\(safeTeam)-\(key).json"
    }

    static func load(_ path: String) -> TeamHighWater {
        guard let data = FileManager.default.contents(atPath: path), data.count < maximumFileBytes,
            let state = try? JSONDecoder().decode(TeamHighWater.self, from: data)
        else { return TeamHighWater() }
        return state
    }

    /// Checks the server's state against what was seen, and remembers the newer of the two.
    ///
    /// - Throws: ``TeamError/rollback(_:)`` when the server shows an older epoch or a shorter log.
    static func check(epoch: Int32, logSequence: Int64, path: String, server: String) throws(TeamError) {
        let seen = load(path)
        if epoch < seen.epoch || logSequence < seen.logSequence {
            throw .rollback(
                "the team vault at \(server) went back: key epoch \(epoch) and log position \(logSequence), where "
                    + "this client already saw epoch \(seen.epoch) and position \(seen.logSequence) (restored from an "
                    + "older dump, or another server?); nothing was read or written. If the team restored it on "
                    + "purpose and agreed so out of band, remove \(path)")
        }
        var next = seen
        next.epoch = max(epoch, seen.epoch)
        next.logSequence = max(logSequence, seen.logSequence)
        if next != seen { next.save(path) }
    }

    /// The hex SHA-256 of a sealed row.
    static func digest(_ sealed: [UInt8]) -> String {
        let bytes = (try? Digest.sha256(SecureBytes(sealed)))?.withUnsafeBytes { Array($0) } ?? []
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Refuses a row this client has itself replaced before.
    static func checkNotReplayed(id: String, sealed: [UInt8], path: String, server: String) throws(VaultError) {
        guard load(path).superseded[id]?.contains(digest(sealed)) == true else { return }
        throw .server(
            "\(server) served entry \(id) in a state this client has already replaced (a replayed row: an HOTP "
                + "counter or --once step going back); nothing was handed out (\(path) holds what this client saw)")
    }

    /// Remembers that this client replaced `sealed` of entry `id`.
    static func remember(id: String, superseded sealed: [UInt8], path: String) {
        var state = load(path)
        var list = state.superseded[id] ?? []
        list.append(digest(sealed))
        state.superseded[id] = Array(list.suffix(supersededPerEntry))
        state.save(path)
    }

    private func save(_ path: String) {
        guard let data = try? JSONEncoder().encode(self) else { return }
        let folder = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try? data.withUnsafeBytes { try AtomicFile.write($0, to: path, replace: true) }
    }
}
