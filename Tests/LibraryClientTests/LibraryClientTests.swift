import Foundation
import OTPCore
import OTPCrypto
import OTPImport
import OTPVault
import Testing

/// A program that uses the libraries as another program would: only public API (no `@testable`), the way an ops
/// tool or a provisioning service would. It opens a vault, imports from a file, matches a query, and takes HOTP and
/// TOTP codes; HOTP counters advance in the vault, so no counter value is handed out twice.
@Suite struct LibraryClientTests {
    /// RFC 4226 Appendix D / RFC 6238 Appendix B key "12345678901234567890", in Base32.
    static let rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

    @Test func openImportQueryAndTakeCodesThroughPublicAPI() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputs = directory.appendingPathComponent("accounts.txt")
        try """
        otpauth://totp/Example:alice@example.com?secret=\(Self.rfcSecret)&issuer=Example&digits=8
        otpauth://hotp/Counter:bob@example.com?secret=\(Self.rfcSecret)&issuer=Counter&counter=0
        """.write(to: inputs, atomically: true, encoding: .utf8)

        // Read and plan without a vault (OTPImport), then write the plan (OTPVault).
        let plan = Importer.plan(ProvisioningInputs.read([inputs.path]))
        #expect(plan.failed.isEmpty && plan.accepted.count == 2)
        let path = directory.appendingPathComponent("vault/vault.sqlite").path
        let passphrase = SecureBytes(Array("library client".utf8))
        let cheap = ScryptParameters(n: 1 << 10, r: 8, p: 1)
        let opening = try Vault.open(path: path, passphrase: passphrase, create: true, kdf: cheap)
        #expect(opening.created)
        let report = try opening.vault.commit(plan)
        #expect(report.imported.count == 2)
        try opening.vault.close()

        // Reopen, as a later run would; a second open does not create.
        let vault = try Vault.open(path: path, passphrase: passphrase, create: false).vault
        defer { try? vault.close() }
        let (entry, account) = try VaultQuery("alice").single(try vault.entries())
        #expect(account.issuer == "Example" && entry.id.count == 16)

        // TOTP: RFC 6238 Appendix B, SHA1, T = 59 s → 94287082.
        let totp = try vault.codes(for: VaultQuery("example"), at: 59, count: 1)
        #expect(totp.codes.map { $0.codes.map(\.value) } == [["94287082"]])

        // HOTP: RFC 4226 Appendix D; each call takes the next counter values and advances the stored counter.
        let first = try vault.codes(for: VaultQuery("counter"), at: 0, count: 2)
        let second = try vault.codes(for: VaultQuery("counter"), at: 0, count: 2)
        #expect(first.codes.first?.codes.map(\.value) == ["755224", "287082"])
        #expect(second.codes.first?.codes.map(\.value) == ["359152", "969429"])
        #expect(second.codes.first?.codes.compactMap(\.counter) == [2, 3])
        let stored = try VaultQuery("counter").single(try vault.entries()).account
        #expect(stored.counter == 4)

        // Every account at once: HOTP is left out (taking its code would move the counter).
        let all = try vault.codes(for: .all, at: 59, count: 1)
        #expect(all.codes.map(\.account.name) == ["alice@example.com"])
        #expect(all.skippedHOTP.count == 1)

        // An ambiguous query is a typed error carrying the candidates.
        #expect(throws: VaultQueryError.self) { try VaultQuery("example.com").single(try vault.entries()) }
        do {
            _ = try VaultQuery("example.com").single(try vault.entries())
        } catch let error as VaultQueryError {
            guard case .ambiguous(_, let candidates) = error else { throw error }
            #expect(Set(candidates.map(\.displayName)) == ["Example: alice@example.com", "Counter: bob@example.com"])
        }
        // An exact name wins over substrings.
        #expect(
            try VaultQuery("Counter: bob@example.com").single(try vault.entries()).account.name == "bob@example.com")
    }
}
