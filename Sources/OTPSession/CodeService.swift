public import OTPCore
public import OTPVault

/// What a code request asks of a vault: the accounts a query (or an AWS serial) selects, `count` consecutive codes
/// from `at`, fresh enough (`minRemaining`), never handed out twice (`once`), from exactly one account when a script
/// or the clipboard takes them (`oneAccount`). The command line and the agent send the same request.
public struct CodeRequest: Codable, Sendable, Equatable {
    public var query: String?
    public var serial: String?
    /// Unix seconds.
    public var at: Int64
    public var count: Int
    public var once: Bool
    public var minRemaining: Int?
    public var oneAccount: Bool

    public init(
        query: String? = nil, serial: String? = nil, at: Int64, count: Int = 1, once: Bool = false,
        minRemaining: Int? = nil, oneAccount: Bool = false
    ) {
        self.query = query
        self.serial = serial
        self.at = at
        self.count = count
        self.once = once
        self.minRemaining = minRemaining
        self.oneAccount = oneAccount
    }

    /// The latest time a request may name (the end of year 9999).
    public static let latestTime: Int64 = 253_402_300_799

    /// What is wrong with a request that came from another process (the agent's clients are any process of the
    /// user): nil for a valid one.
    public var problem: String? {
        guard (query?.utf8.count ?? 0) <= 1024, (serial?.utf8.count ?? 0) <= 2048 else { return "a field is too long" }
        guard (1...100).contains(count) else { return "count must be between 1 and 100" }
        guard (0...Self.latestTime).contains(at) else { return "the time is out of range" }
        if let minRemaining, !(0...86_400).contains(minRemaining) { return "min-remaining is out of range" }
        return nil
    }

    /// The accounts asked for.
    public var selector: VaultQuery { serial.map(VaultQuery.serial) ?? VaultQuery(query) }
}

/// One account's codes as printed, with the time they were made for (names only: no secret).
public struct PrintedCodes: Codable, Sendable {
    public let id: String?
    public let issuer: String?
    public let name: String
    public let codes: [WireCode]
    public var now: Int64

    public init(id: String?, account: OTPAccount, codes: [OTPCode], now: Int64) {
        self.id = id
        self.issuer = account.issuer
        self.name = account.name
        self.codes = codes.map(WireCode.init)
        self.now = now
    }

    public init(_ entry: EntryCodes, now: Int64) {
        self.init(id: entry.id, account: entry.account, codes: entry.codes, now: now)
    }

    /// `Issuer: name`, or the name alone.
    public var displayName: String {
        if let issuer, !issuer.isEmpty { return "\(issuer): \(name)" }
        return name
    }

    public var otpCodes: [OTPCode] { codes.map(\.code) }
}

/// A code in a form that crosses the agent's socket.
public struct WireCode: Codable, Sendable {
    public let value: String
    public let validFrom: Int64?
    public let validUntil: Int64?
    public let counter: UInt64?

    public init(_ code: OTPCode) {
        value = code.value
        validFrom = code.validFrom
        validUntil = code.validUntil
        counter = code.counter
    }

    public var code: OTPCode { OTPCode(value: value, validFrom: validFrom, validUntil: validUntil, counter: counter) }
}

/// The codes a request got, with what was left out and why.
public struct CodesAnswer: Codable, Sendable {
    public struct Damaged: Codable, Sendable, Equatable {
        public let id: String
        public let damage: String
    }

    public var codes: [PrintedCodes] = []
    /// Selected entries that are damaged (they never hide the others).
    public var damaged: [Damaged] = []
    /// HOTP accounts left out because the request selected every account.
    public var skippedHOTP = 0

    public init(codes: [PrintedCodes] = [], damaged: [Damaged] = [], skippedHOTP: Int = 0) {
        self.codes = codes
        self.damaged = damaged
        self.skippedHOTP = skippedHOTP
    }

    /// When the codes begin to be valid, if that is after `now` (a fresh pair of the next step): the caller prints
    /// them then.
    public func startsAfter(_ now: Int64) -> Int64? {
        guard let from = codes.first?.codes.first?.validFrom, from > now else { return nil }
        return from
    }
}

/// What a code request gets: codes, or (`once`) the time when the next step not yet handed out begins.
public enum CodeAnswer: Sendable {
    case codes(CodesAnswer)
    case due(Int64)
}

/// Why a code request got nothing.
public enum CodeServiceError: Error, Sendable, CustomStringConvertible {
    /// The request itself cannot be met (a `--once` time that is not now, a `minRemaining` as long as a step).
    case usage(String)
    /// The query selected nothing, or more than one account where one was needed.
    case query(VaultQueryError)
    case vault(VaultError)

    public var description: String {
        switch self {
        case .usage(let message): message
        case .query(let error): error.description
        case .vault(let error): error.description
        }
    }

    /// The exit status the command line uses, and the agent sends: 64 usage, 1 no single match, 2 the vault.
    public var status: Int32 {
        switch self {
        case .usage: 64
        case .query: 1
        case .vault: 2
        }
    }
}

/// Codes for a request, decided once for the command line and the agent: one account where one is needed (before
/// any HOTP counter moves), the step fresh enough, `--once` steps remembered in the vault. It never waits: a fresh
/// pair of the next step comes back with codes valid from then (``CodesAnswer/startsAfter(_:)``), and a step already
/// handed out as ``CodeAnswer/due(_:)``; the caller waits and asks again.
public enum CodeService {
    public static func answer(
        _ request: CodeRequest, vault: Vault, clock: Int64
    ) throws(CodeServiceError) -> CodeAnswer {
        let selector = request.selector
        var at = request.at
        do {
            if request.once { try CodePlanner.checkOnce(at: at, clock: clock) }
            var single: VaultEntry?
            if request.oneAccount || request.once { single = try selector.single(try entries(vault)).entry }
            if let minRemaining = request.minRemaining, minRemaining > 0 {
                let accounts = selector.select(try entries(vault)).compactMap { try? $0.account.get() }
                at = try CodePlanner.freshTime(for: accounts, at: at, minRemaining: minRemaining)
            }
            if request.once, let single {
                switch try taken(vault, id: single.id, at: at, count: request.count) {
                case .codes(let codes): return .codes(CodesAnswer(codes: [PrintedCodes(codes, now: at)]))
                case .alreadyTaken(let availableAt): return .due(availableAt)
                }
            }
            let report = try vault.codes(for: selector, at: at, count: request.count)
            return .codes(
                CodesAnswer(
                    codes: report.codes.map { PrintedCodes($0, now: at) },
                    damaged: report.damaged.map { .init(id: $0.id, damage: $0.damage.description) },
                    skippedHOTP: report.skippedHOTP.count))
        } catch let error as CodePlanError {
            throw .usage(error.description)
        } catch let error as VaultQueryError {
            throw .query(error)
        } catch let error as VaultCodesError {
            switch error {
            case .query(let error): throw .query(error)
            case .vault(let error): throw .vault(error)
            }
        } catch let error as CodeServiceError {
            throw error
        } catch {
            throw .vault(.storage(StorageFailure("\(error)")))
        }
    }

    private static func entries(_ vault: Vault) throws(CodeServiceError) -> [VaultEntry] {
        do { return try vault.entries() } catch { throw .vault(error) }
    }

    private static func taken(
        _ vault: Vault, id: String, at: Int64, count: Int
    ) throws(CodeServiceError) -> OnceOutcome {
        do { return try vault.takeOnce(id: id, at: at, count: count) } catch { throw .vault(error) }
    }
}
