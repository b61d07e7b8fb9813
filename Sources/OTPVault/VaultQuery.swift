public import OTPCore

/// Which accounts a command acts on: a case-insensitive match of the issuer, the account name or
/// "Issuer: name", or a prefix of the entry id.
///
/// An exact match (of the name, the issuer, or "Issuer: name", ignoring case) wins over substring matches, so
/// `bob` selects `bob` and not also `bob2`; an id prefix always counts as exact.
public struct VaultQuery: Sendable, Hashable, CustomStringConvertible {
    /// The text as given; `nil` or empty selects every account.
    public let text: String?
    /// An AWS MFA serial that must match exactly (``serial(_:)``).
    public let serial: String?

    /// A query for `text` (`nil` for all accounts).
    public init(_ text: String?) {
        self.text = text
        self.serial = nil
    }

    private init(serial: String) {
        self.text = nil
        self.serial = serial
    }

    /// The account whose AWS MFA serial is exactly `arn` (as aws-vault's configuration names the device).
    public static func serial(_ arn: String) -> VaultQuery { VaultQuery(serial: arn) }

    /// Whether the query selects every account (no text, no serial).
    public var selectsEverything: Bool { serial == nil && (text ?? "").isEmpty }

    /// Every account.
    public static let all = VaultQuery(nil)

    public var description: String {
        if let serial { return "serial " + UntrustedText.escaped(serial) }
        return text.map { UntrustedText.escaped($0) } ?? "(all accounts)"
    }

    /// How well an entry matches: `nil` for no match.
    public enum Strength: Int, Sendable, Comparable {
        /// A substring of the issuer or the name.
        case partial
        /// The whole name, issuer or "Issuer: name", or an id prefix.
        case exact

        public static func < (lhs: Strength, rhs: Strength) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// How well `entry` matches this query; every entry matches an empty query exactly.
    public func strength(of entry: VaultEntry) -> Strength? {
        if let serial {
            guard case .success(let account) = entry.account, account.awsSerial == serial else { return nil }
            return .exact
        }
        guard let text, !text.isEmpty else { return .exact }
        let needle = text.lowercased()
        if entry.id.hasPrefix(needle) { return .exact }
        guard case .success(let account) = entry.account else { return nil }
        let name = account.name.lowercased()
        let issuer = account.issuer?.lowercased()
        if name == needle || issuer == needle || account.displayName.lowercased() == needle { return .exact }
        if name.contains(needle) || (issuer?.contains(needle) ?? false) { return .partial }
        return nil
    }

    /// The entries this query selects: the exact matches when there are any, else the partial ones. Damaged
    /// entries match only by id.
    public func select(_ entries: [VaultEntry]) -> [VaultEntry] {
        let scored = entries.compactMap { entry in strength(of: entry).map { (entry, $0) } }
        guard let best = scored.map(\.1).max() else { return [] }
        return scored.filter { $0.1 == best }.map(\.0)
    }

    /// The one entry, that opens, this query selects.
    ///
    /// - Throws: ``VaultQueryError/noMatch(_:)`` or ``VaultQueryError/ambiguous(_:candidates:)`` listing every
    ///   candidate's id and name, for a command that acts on one account.
    public func single(_ entries: [VaultEntry]) throws(VaultQueryError) -> (entry: VaultEntry, account: OTPAccount) {
        let usable = select(entries).compactMap { entry -> (VaultEntry, OTPAccount)? in
            guard case .success(let account) = entry.account else { return nil }
            return (entry, account)
        }
        if usable.count == 1, let only = usable.first { return only }
        if usable.isEmpty { throw .noMatch(self) }
        throw .ambiguous(self, candidates: usable.map { .init(id: $0.0.id, displayName: $0.1.displayName) })
    }
}

/// Why a query did not select exactly one account.
public enum VaultQueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One account a query could mean.
    public struct Candidate: Sendable, Equatable {
        /// Its entry id.
        public let id: String
        /// "Issuer: name" (untrusted text: escape before printing).
        public let displayName: String
    }

    /// No account matches.
    case noMatch(VaultQuery)
    /// Several accounts match equally well.
    case ambiguous(VaultQuery, candidates: [Candidate])

    public var description: String {
        switch self {
        case .noMatch(let query): "no account matches '\(query)'"
        case .ambiguous(let query, let candidates):
            "'\(query)' matches \(candidates.count) accounts; use more of a name or an id prefix"
        }
    }
}
