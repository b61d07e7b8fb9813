/// What a QR payload or a line of text holds, from a provisioning point of view.
public enum ProvisioningPayload: Sendable {
    /// An `otpauth://` URI, checked.
    case otpauth(URICheck)
    /// A Google Authenticator export part, and each of its accounts checked.
    case migration(MigrationPayload, [URICheck])
    /// An `otpauth-migration://` URI whose data could not be decoded.
    case damagedMigration(MigrationPayloadError)
    /// Anything else (a web address, a vCard, text).
    case other

    /// Classifies and parses a payload.
    public init(_ text: String) {
        if OTPAuthURI.hasScheme(text) {
            self = .otpauth(OTPAuthURI.parse(text))
        } else if MigrationPayload.hasScheme(text) {
            do throws(MigrationPayloadError) {
                let payload = try MigrationPayload(uri: text)
                self = .migration(payload, payload.accounts())
            } catch {
                self = .damagedMigration(error)
            }
        } else {
            self = .other
        }
    }
}
