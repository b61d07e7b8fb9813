public import OTPCore

/// Which accounts a command acts on: a case-insensitive match of the issuer, the account name or
/// "Issuer: name", a well-known issuer alias (`aws` is Amazon Web Services), or an entry id.
///
/// An exact match (of the name, the issuer, or "Issuer: name", ignoring case) wins over substring and alias
/// matches, so `bob` selects `bob` and not also `bob2`. An id selects by prefix only when the prefix has at least
/// ``minimumIDPrefix`` characters, or is written `id:PREFIX` (any length): a short word that happens to begin an id
/// (`ace`, `bad`) never picks that entry. A query that matches names and also an id prefix selects both, so a
/// command that acts on one account reports it as ambiguous, naming both.
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

    /// How many characters of an id select by prefix without `id:` (ids are 16 hex digits).
    public static let minimumIDPrefix = 8

    /// Issuer aliases a query also matches (as partial matches, below an exact one): what people type for the
    /// issuers services put into their QR codes.
    public static let issuerAliases: [String: [String]] = [
        "aws": ["amazon web services", "amazon"], "amazon": ["amazon web services"], "gh": ["github"],
        "google": ["google", "gmail"], "ms": ["microsoft"], "msft": ["microsoft"], "azure": ["microsoft"],
        "gl": ["gitlab"], "cf": ["cloudflare"], "do": ["digitalocean"], "fb": ["facebook", "meta"],
    ]

    /// How well an entry matches: `nil` for no match.
    public enum Strength: Int, Sendable, Comparable {
        /// A substring of the issuer or the name, or an issuer alias.
        case partial
        /// The whole name, issuer or "Issuer: name".
        case exact

        public static func < (lhs: Strength, rhs: Strength) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The id prefix the query gives: `id:PREFIX`, or the whole text when it is long enough to be one.
    private var idPrefix: (prefix: String, explicit: Bool)? {
        guard let text, !text.isEmpty else { return nil }
        let lowered = text.lowercased()
        if lowered.hasPrefix("id:") { return (String(lowered.dropFirst(3)), true) }
        return lowered.count >= Self.minimumIDPrefix ? (lowered, false) : nil
    }

    /// How well `entry`'s account matches this query by name, issuer or alias; every entry matches an empty query
    /// exactly. Ids are not considered here (``select(_:)`` adds id matches).
    public func strength(of entry: VaultEntry) -> Strength? {
        if let serial {
            guard case .success(let account) = entry.account, account.awsSerial == serial else { return nil }
            return .exact
        }
        guard let text, !text.isEmpty else { return .exact }
        if idPrefix?.explicit == true { return nil }
        let needle = text.lowercased()
        guard case .success(let account) = entry.account else { return nil }
        let name = account.name.lowercased()
        let issuer = account.issuer?.lowercased()
        if name == needle || issuer == needle || account.displayName.lowercased() == needle { return .exact }
        if name.contains(needle) || (issuer?.contains(needle) ?? false) { return .partial }
        if let issuer, let aliases = Self.issuerAliases[needle], aliases.contains(where: { issuer.contains($0) }) {
            return .partial
        }
        return nil
    }

    /// The entries this query selects, in vault order: the best name matches (exact ones when there are any, else
    /// the partial ones) together with the entries whose id begins with the query's id prefix. Damaged entries
    /// match only by id.
    public func select(_ entries: [VaultEntry]) -> [VaultEntry] {
        let scored = entries.compactMap { entry in strength(of: entry).map { (entry.id, $0) } }
        let best = scored.map(\.1).max()
        var chosen = Set(scored.filter { $0.1 == best }.map(\.0))
        if let (prefix, _) = idPrefix, !prefix.isEmpty {
            chosen.formUnion(entries.lazy.filter { $0.id.lowercased().hasPrefix(prefix) }.map(\.id))
        }
        return entries.filter { chosen.contains($0.id) }
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
        throw .ambiguous(
            self, candidates: usable.map { .init(id: $0.0.id, displayName: $0.1.displayName, serial: $0.1.awsSerial) })
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
        /// Its AWS MFA serial, when it has one (untrusted text).
        public var serial: String? = nil
    }

    /// No account matches.
    case noMatch(VaultQuery)
    /// Several accounts match equally well.
    case ambiguous(VaultQuery, candidates: [Candidate])

    public var description: String {
        switch self {
        case .noMatch(let query) where query.selectsEverything:
            "the vault holds no account yet (otp import or otp add puts one in)"
        case .noMatch(let query): "no account matches '\(query)'"
        case .ambiguous(let query, let candidates) where query.serial != nil:
            "'\(query)' matches \(candidates.count) accounts; a serial should name one account (give each its own "
                + "with otp edit id:ID --serial ARN)"
        case .ambiguous(let query, let candidates):
            "'\(query)' matches \(candidates.count) accounts; use more of a name, or id:PREFIX"
        }
    }
}
