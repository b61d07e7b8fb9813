import OTPCrypto
import Synchronization

/// The password of encrypted exports (Aegis): from `--source-passphrase-file`, else asked once on the terminal
/// when the first encrypted export is met; shared by the worker threads.
final class SourcePassphrase: Sendable {
    private let file: String?
    private let cached = Mutex<SecureBytes??>(nil)

    init(file: String?) {
        self.file = file
    }

    func get() -> SecureBytes? {
        cached.withLock { value in
            if let known = value { return known }
            var found: SecureBytes?
            if let file {
                found = try? VaultOptions.readPassphraseFile(file)
            } else {
                found = try? Passphrase.prompt("Password of the encrypted export: ")
            }
            value = .some(found)
            return found
        }
    }
}
