import Dispatch
import Foundation
public import OTPCrypto
public import OTPVault
import Synchronization

extension TeamVault {
    /// Why ``withMember(url:personalPath:passphrase:createSchema:_:)`` failed: the server's side or the personal
    /// vault's.
    public enum MemberFailure: Error, Sendable {
        case team(TeamError)
        case personal(VaultError)
    }

    /// Connects to the team vault's server and unlocks the member's personal vault, runs `body` with both, and
    /// closes both. The connection is made on another thread while scrypt unlocks the personal vault: its round
    /// trips cost no wall time.
    ///
    /// - Throws: ``MemberFailure``, or what `body` throws.
    public static func withMember<T>(
        url: PostgresURL, personalPath: String, passphrase: SecureBytes, createSchema: Bool = false,
        _ body: (PostgresVaultStorage, Vault) throws -> T
    ) throws -> T {
        let connecting = Mutex<Result<PostgresVaultStorage, TeamError>?>(nil)
        let connected = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result { () throws(TeamError) in try PostgresVaultStorage(url: url, createSchema: createSchema)
            }
            connecting.withLock { $0 = result }
            connected.signal()
        }
        func storage() throws(MemberFailure) -> PostgresVaultStorage {
            connected.wait()
            connected.signal()
            guard let result = connecting.withLock({ $0 }) else { throw .team(.server("no connection")) }
            do { return try result.get() } catch { throw .team(error) }
        }
        defer { if let made = try? storage() { try? made.close() } }
        do {
            return try Vault.withVault(path: personalPath, passphrase: passphrase, create: false) { opening in
                try body(try storage(), opening.vault)
            }
        } catch let error as VaultError {
            throw MemberFailure.personal(error)
        }
    }
}
