import ArgumentParser
import OTPVault

extension ParsableCommand {
    /// Runs `body`; a query that selects no account, or several, is reported on stderr with the candidates' ids
    /// (exit 1).
    func withQueryErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as VaultQueryError {
            Terminal.error("otp: \(error.description)" + (error.candidates.isEmpty ? "" : ":"))
            for candidate in error.candidates {
                let serial = candidate.serial.map { "  serial \(Terminal.escaped($0))" } ?? ""
                Terminal.error("  \(candidate.id)  \(Terminal.escaped(candidate.displayName))\(serial)")
            }
            if Terminal.jsonMode, !Terminal.wroteJSON {
                Terminal.errorDocument(
                    code: error.candidates.isEmpty ? "no-match" : "ambiguous", message: error.description,
                    candidates: error.candidates.isEmpty
                        ? nil : error.candidates.map { .init(id: $0.id, name: $0.displayName) })
            }
            throw ExitCode(1)
        }
    }
}

extension VaultQueryError {
    var candidates: [Candidate] {
        if case .ambiguous(_, let candidates) = self { return candidates }
        return []
    }
}
