/// The outcome of an import run: every input accounted for.
public struct ImportReport: Sendable {
    /// An empty report.
    public init(failed: [Failure] = [], warnings: [Warning] = []) {
        self.failed = failed
        self.warnings = warnings
    }

    /// An account with where it came from and its vault id.
    public struct Item: Sendable {
        public let source: String
        public let id: String
        public let account: OTPAccount
        /// For conflicts: the entries with the same issuer and name and other codes.
        public let conflictsWith: [String]
        /// For conflicts: whether those entries were replaced.
        public let replaced: Bool

        /// Creates an item.
        public init(source: String, id: String, account: OTPAccount, conflictsWith: [String], replaced: Bool) {
            self.source = source
            self.id = id
            self.account = account
            self.conflictsWith = conflictsWith
            self.replaced = replaced
        }
    }

    /// An input, payload or account that was not imported.
    public struct Failure: Sendable {
        public let source: String
        /// The contract's error code (`not-png`, `no-code`, `not-provisioning`, `incomplete-batch`, or a
        /// diagnostic's code).
        public let code: String
        public let message: String

        /// Creates a failure.
        public init(source: String, code: String, message: String) {
            self.source = source
            self.code = code
            self.message = message
        }
    }

    /// A warning about an imported account (weak secret, issuer mismatch, …).
    public struct Warning: Sendable {
        public let source: String
        public let diagnostic: Diagnostic

        /// Creates a warning.
        public init(source: String, diagnostic: Diagnostic) {
            self.source = source
            self.diagnostic = diagnostic
        }
    }

    public var imported: [Item] = []
    public var duplicates: [Item] = []
    public var conflicts: [Item] = []
    public var failed: [Failure] = []
    public var warnings: [Warning] = []
}

/// The accounts of an import run that may be written, and what may not: made without a vault (OTPImport's
/// `Importer.plan`), written by one (OTPVault's `Vault.commit`).
public struct ImportPlan: Sendable {
    /// What commits together: one input, or one whole transfer batch (whose parts may come from several inputs).
    public enum Group: Hashable, Sendable {
        case input(Int)
        case batch(Int32)
    }

    /// Accounts to import, with their source and their transaction group.
    public var accepted: [(source: String, account: OTPAccount, group: Group)] = []
    public var failed: [ImportReport.Failure] = []
    public var warnings: [ImportReport.Warning] = []

    /// For each transfer batch with accounts to import: its size and the parts this run holds (the vault remembers
    /// them, so the remaining parts can come in a later run).
    public var batchParts: [Int32: (size: Int32, parts: Set<Int32>)] = [:]

    /// An empty plan.
    public init() {}
}
