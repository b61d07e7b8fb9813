public import OTPCore
public import OTPCrypto

/// One provisioning result from the inputs of a run: an account check with where it came from.
public struct CheckedItem: Sendable {
    /// `shot.png`, `uris.txt:4`, `export.png (account 2 of 10)`, `argument 1`. Never the payload.
    public let source: String
    /// The account, or why it is invalid.
    public let check: URICheck
    /// For accounts from a Google Authenticator export: which part of which export.
    public let batch: BatchInfo?
    /// The position of the command-line input it came from (imports commit one transaction per input).
    public let input: Int
    /// The file it was read from (a file named or found in a folder); nil for stdin, a URI argument or a vault.
    /// What `--shred` destroys is decided on this, never on positions in another walk of the inputs.
    public let path: String?

    /// Creates an item.
    public init(source: String, check: URICheck, batch: BatchInfo?, input: Int = 0, path: String? = nil) {
        self.source = source
        self.check = check
        self.batch = batch
        self.input = input
        self.path = path
    }

    /// The same item with another check (`--strict`).
    public func with(_ check: URICheck) -> CheckedItem {
        CheckedItem(source: source, check: check, batch: batch, input: input, path: path)
    }
}

/// Where an exported account sits in a Google Authenticator transfer batch.
public struct BatchInfo: Sendable, Hashable {
    /// The export's id (shared by all its QR codes).
    public let id: Int32
    /// 0-based index of this QR code.
    public let index: Int32
    /// Number of QR codes in the export.
    public let size: Int32
    /// The account's position within this QR code's payload (0-based).
    public let account: Int
}

/// Reads inputs and turns every payload into checked provisioning items; inputs and payloads that are not
/// provisioning URIs become invalid items with a diagnostic naming the problem (`field` `uri`, the input's error
/// code as `code`).
public enum ProvisioningInputs {
    /// Reads `inputs` (directories expanded, images on every core) and checks every payload, in input order.
    ///
    /// - Parameters:
    ///   - sourcePassphrase: The password of encrypted exports, asked for only when one is met.
    ///   - progress: Called after each input with (done, total).
    public static func read(
        _ inputs: [String], workers: Int? = nil, standardInput: (@Sendable () -> [UInt8])? = nil,
        sourcePassphrase: @escaping @Sendable () -> SecureBytes? = { nil },
        progress: (@Sendable (Int, Int) -> Void)? = nil, bareKey: BareKeyAccount? = nil,
        pathReader: PathReader? = nil, memory: [MemoryInput] = []
    ) -> [CheckedItem] {
        readCounting(
            inputs, workers: workers, standardInput: standardInput, sourcePassphrase: sourcePassphrase,
            progress: progress, bareKey: bareKey, pathReader: pathReader, memory: memory
        ).items
    }

    /// ``read(_:workers:standardInput:sourcePassphrase:progress:bareKey:pathReader:)``, with the number of export
    /// entries that held no one-time code (a password manager's notes, cards and logins without TOTP): skipped, never
    /// errors, and reported as a count.
    public static func readCounting(
        _ inputs: [String], workers: Int? = nil, standardInput: (@Sendable () -> [UInt8])? = nil,
        sourcePassphrase: @escaping @Sendable () -> SecureBytes? = { nil },
        progress: (@Sendable (Int, Int) -> Void)? = nil, bareKey: BareKeyAccount? = nil,
        pathReader: PathReader? = nil, memory: [MemoryInput] = []
    ) -> (items: [CheckedItem], skipped: Int) {
        let results =
            standardInput.map {
                InputReader.read(
                    inputs, workers: workers, standardInput: $0, sourcePassphrase: sourcePassphrase, progress: progress,
                    bareKey: bareKey, pathReader: pathReader, memory: memory)
            }
            ?? InputReader.read(
                inputs, workers: workers, sourcePassphrase: sourcePassphrase, progress: progress, bareKey: bareKey,
                pathReader: pathReader, memory: memory)
        var items: [CheckedItem] = []
        var skipped = 0
        for (index, entry) in results.enumerated() {
            let input = entry.input
            // Captured bytes (the screen, the clipboard) have no file: nothing to shred.
            let path = input == "-" || InputReader.isURI(input) || index >= results.count - memory.count ? nil : input
            switch entry.result {
            case .failure(let error):
                let source = InputReader.isURI(input) ? "argument" : error.source
                let code = Diagnostic.Code(rawValue: error.code) ?? .unreadable
                items.append(
                    invalid(source, Diagnostic(.error, .uri, code, error.message)).with(input: index, path: path))
            case .success(let payloads):
                for payload in payloads {
                    skipped += payload.skipped
                    items += Self.items(for: payload).map { $0.with(input: index, path: path) }
                }
            }
        }
        return (items, skipped)
    }

    /// The checked items of one payload (a migration payload gives one per account).
    public static func items(for payload: InputPayload) -> [CheckedItem] {
        if let check = payload.check { return [CheckedItem(source: payload.source, check: check, batch: nil)] }
        switch ProvisioningPayload(payload.text) {
        case .otpauth(let check):
            return [CheckedItem(source: payload.source, check: check, batch: nil)]
        case .migration(let migration, let checks):
            if checks.isEmpty {
                return [
                    invalid(
                        payload.source,
                        Diagnostic(.error, .uri, .notProvisioning, "the Google Authenticator export holds no account")
                    )
                ]
            }
            return checks.enumerated().map { i, check in
                CheckedItem(
                    source: "\(payload.source) (account \(i + 1) of \(checks.count))", check: check,
                    batch: BatchInfo(
                        id: migration.batchID, index: migration.batchIndex, size: migration.batchSize, account: i))
            }
        case .damagedMigration(let error):
            return [invalid(payload.source, Diagnostic(.error, .uri, .notProvisioning, error.description))]
        case .other:
            return [
                invalid(
                    payload.source,
                    Diagnostic(
                        .error, .scheme, .notProvisioning, "this is not an otpauth:// or otpauth-migration:// URI"))
            ]
        }
    }

    private static func invalid(_ source: String, _ diagnostic: Diagnostic) -> CheckedItem {
        CheckedItem(
            source: source, check: URICheck(account: nil, diagnostics: [diagnostic], issuer: nil, name: nil), batch: nil
        )
    }
}

extension CheckedItem {
    func with(input: Int, path: String?) -> CheckedItem {
        CheckedItem(source: source, check: check, batch: batch, input: input, path: path)
    }
}
