import OTPCore

/// Text → provisioning payload (otpauth:// parse and check, otpauth-migration:// decode) → canonical URI → parse
/// again. A valid account must survive the round trip with the same codes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    switch ProvisioningPayload(text) {
    case .otpauth(let check):
        _ = check.strict()
        if let account = check.account {
            let again = OTPAuthURI.parse(OTPAuthURI.string(for: account))
            guard let reparsed = again.account, reparsed.generatesSameCodes(as: account) else {
                fatalError("a valid account did not survive its canonical URI")
            }
            _ = UntrustedText.escaped(account.displayName)
        }
    case .migration(_, let checks):
        for check in checks { _ = check.account.map(OTPAuthURI.string(for:)) }
    case .damagedMigration, .other:
        break
    }
    return 0
}
