import OTPImport

/// Notes on stderr about what a folder held besides inputs.
enum InputNotes {
    /// A document or archive skipped in a folder, and a folder with no file, each get a line; neither fails the run.
    static func print(_ inputs: [String]) {
        for item in InputExpansion.expand(inputs) {
            if let kind = item.skipped {
                // An export that is a ZIP (Authenticator Plus, Raivo) asks for a password: read when named, not found.
                let hint = kind.contains("ZIP") ? " in a folder (name an export archive on the command line)" : ""
                Terminal.error("otp: skipped \(Terminal.escaped(item.input)): \(kind), not an input\(hint)")
            } else if item.emptyFolder {
                Terminal.error("otp: warning: the folder \(Terminal.escaped(item.input)) holds no file")
            }
        }
    }
}
