import OTPCore
import OTPImport

/// One provisioning result from the inputs of `check` or `code --from`: an account check with its source.
struct CheckedItem {
    let source: String
    let check: URICheck
    /// For accounts from a Google Authenticator export: which part of which export.
    let batch: (id: Int32, index: Int32, size: Int32)?
}

/// Reads inputs and turns every payload into checked provisioning items; inputs and payloads that are not
/// provisioning URIs become invalid items with a diagnostic naming the problem.
enum ProvisioningInputs {
    static func read(_ inputs: [String], standardInput: (@Sendable () -> [UInt8])? = nil) -> [CheckedItem] {
        let results = standardInput.map { InputReader.read(inputs, standardInput: $0) } ?? InputReader.read(inputs)
        var items: [CheckedItem] = []
        for (input, result) in zip(inputs, results) {
            switch result {
            case .failure(let error):
                let source = InputReader.isURI(input) ? "argument" : input
                items.append(invalid(source, Diagnostic(.error, .uri, error.code, error.message)))
            case .success(let payloads):
                for payload in payloads {
                    items += Self.items(for: payload)
                }
            }
        }
        return items
    }

    static func items(for payload: InputPayload) -> [CheckedItem] {
        switch ProvisioningPayload(payload.text) {
        case .otpauth(let check):
            return [CheckedItem(source: payload.source, check: check, batch: nil)]
        case .migration(let migration, let checks):
            let batch = (migration.batchID, migration.batchIndex, migration.batchSize)
            if checks.isEmpty {
                return [invalid(payload.source, Diagnostic(.error, .uri, "not-provisioning", "the Google Authenticator export holds no account"))]
            }
            return checks.enumerated().map { i, check in
                CheckedItem(source: "\(payload.source) (account \(i + 1) of \(checks.count))", check: check, batch: batch)
            }
        case .damagedMigration(let error):
            return [invalid(payload.source, Diagnostic(.error, .uri, "not-provisioning", error.description))]
        case .other:
            return [
                invalid(
                    payload.source,
                    Diagnostic(.error, .scheme, "not-provisioning", "this is not an otpauth:// or otpauth-migration:// URI"))
            ]
        }
    }

    private static func invalid(_ source: String, _ diagnostic: Diagnostic) -> CheckedItem {
        CheckedItem(source: source, check: URICheck(account: nil, diagnostics: [diagnostic], issuer: nil, name: nil), batch: nil)
    }
}
