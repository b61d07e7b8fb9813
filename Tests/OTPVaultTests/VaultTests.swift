import Foundation
import GRDB
import OTPCore
import OTPCrypto
import Testing

@testable import OTPVault

/// Cheap scrypt for tests only (the library API allows it; the CLI always uses the default).
let testKDF = ScryptParameters(n: 1 << 10, r: 8, p: 1)
let passphrase = SecureBytes(Array("correct horse battery staple".utf8))

func temporaryVaultPath() -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("otp-vault-\(UUID().uuidString)")
    return directory.appendingPathComponent("vault.sqlite").path
}

func makeVault(_ path: String = temporaryVaultPath()) throws -> (Vault, String) {
    let storage = try SQLiteVaultStorage(path: path, create: true)
    return (try Vault.open(storage: storage, passphrase: passphrase, create: true, kdf: testKDF).vault, path)
}

func testAccount(
    _ issuer: String, _ name: String, secret: String = "12345678901234567890", kind: OTPAccount.Kind = .totp
) -> OTPAccount {
    OTPAccount(kind: kind, issuer: issuer, name: name, secret: SecureBytes(Array(secret.utf8)))
}

func vaultBytes(_ path: String) -> Data {
    var all = Data()
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let data = FileManager.default.contents(atPath: path + suffix) { all.append(data) }
    }
    return all
}

@Suite struct VaultTests {
    @Test func nothingInTheClear() throws {
        let (vault, path) = try makeVault()
        let secret = "TestSecretSuperSecretX"
        _ = try vault.add([
            testAccount("Clearly Visible Issuer", "alice.cleartext@example.com", secret: secret),
            testAccount("Société Générale", "josé", secret: "AnotherSecret12345678"),
        ])
        let bytes = vaultBytes(path)
        #expect(!bytes.isEmpty)
        for needle in [
            secret, Base32.encode(Array(secret.utf8)), "Clearly Visible", "alice.cleartext", "Société", "josé",
            "AnotherSecret", Base32.encode(Array("AnotherSecret12345678".utf8)),
        ] {
            #expect(bytes.range(of: Data(needle.utf8)) == nil, "found \(needle) in the vault files")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: (path as NSString).deletingLastPathComponent)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
    }

    @Test func wrongPassphraseChangesNothing() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "a")])
        let before = FileManager.default.contents(atPath: path)
        let storage = try SQLiteVaultStorage(path: path, create: false)
        #expect(throws: VaultError.wrongPassphrase) {
            try Vault.open(storage: storage, passphrase: SecureBytes(Array("wrong".utf8)), create: true, kdf: testKDF)
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try storage.keySlots().count == 1)
    }

    @Test func reopenAndRoundTripEveryField() throws {
        let (vault, path) = try makeVault()
        var account = testAccount("Issuer", "name", kind: .hotp)
        account.algorithm = .sha512
        account.digits = 8
        account.counter = 41
        account.extraParameters = [.init(name: "image", value: "https://x.test/i.png")]
        var steam = testAccount("Steam", "gaben")
        steam.encoder = .steam
        steam.digits = 5
        steam.issuer = nil
        _ = try vault.add([account, steam])
        let reopened = try Vault.open(
            storage: try SQLiteVaultStorage(path: path, create: false), passphrase: passphrase, create: false
        ).vault
        let entries = try reopened.entries().map { try $0.account.get() }
        #expect(entries == [account, steam])
    }

    @Test func duplicatesConflictsAndReplace() throws {
        let (vault, _) = try makeVault()
        let first = try vault.add([testAccount("AWS", "root")])
        #expect(first.map(\.disposition) == [.inserted])
        let again = try vault.add([testAccount("AWS", "root")])
        #expect(again.map(\.disposition) == [.duplicate(existingID: first[0].id)])
        let reprovisioned = try vault.add([testAccount("AWS", "root", secret: "a brand new secret!!")])
        #expect(reprovisioned.map(\.disposition) == [.conflict(existingIDs: [first[0].id], replaced: false)])
        #expect(try vault.entries().count == 2)
        let replaced = try vault.add([testAccount("AWS", "root", secret: "the newest secret!!!")], replacing: true)
        #expect(
            replaced.first?.disposition == .conflict(existingIDs: [first[0].id, reprovisioned[0].id], replaced: true))
        #expect(try vault.entries().count == 1)
        // Within one batch the second copy is a duplicate of the first.
        let twice = try vault.add([testAccount("B", "b"), testAccount("B", "b")])
        #expect(twice[1].disposition == .duplicate(existingID: twice[0].id))
        // A dry run writes nothing.
        let dry = try vault.add([testAccount("C", "c")], dryRun: true)
        #expect(dry.map(\.disposition) == [.inserted])
        #expect(try vault.entries().count == 2)
    }

    @Test func tamperedEntryFailsAloneAndOthersOpen() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "a"), testAccount("B", "b"), testAccount("C", "c")])
        let victim = try vault.entries()[1].id
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            var blob = try [UInt8](
                Data.fetchOne(db, sql: "SELECT sealed FROM entry WHERE id = ?", arguments: [victim])!)
            blob[blob.count / 2] ^= 0x01
            try db.execute(sql: "UPDATE entry SET sealed = ? WHERE id = ?", arguments: [Data(blob), victim])
            try db.execute(
                sql: "UPDATE entry SET version = 99 WHERE id <> ? AND rowid = (SELECT MAX(rowid) FROM entry)",
                arguments: [victim])
        }
        try queue.close()
        let entries = try vault.entries()
        #expect(entries.count == 3)
        #expect((try? entries[0].account.get())?.name == "a")
        if case .failure(let damage) = entries[1].account {
            #expect(damage.description.contains("does not verify"))
        } else {
            Issue.record("the tampered entry opened")
        }
        if case .failure(let damage) = entries[2].account {
            #expect(damage.description.contains("version 99"))
        } else {
            Issue.record("the unknown-version entry opened")
        }
    }

    @Test func movingASealedBlobToAnotherIDFails() throws {
        // The id is associated data: a blob copied onto another row does not open there.
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "a"), testAccount("B", "b")])
        let ids = try vault.entries().map(\.id)
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: "UPDATE entry SET sealed = (SELECT sealed FROM entry WHERE id = ?) WHERE id = ?",
                arguments: [ids[0], ids[1]])
        }
        try queue.close()
        let entries = try vault.entries()
        #expect((try? entries[0].account.get()) != nil)
        #expect((try? entries[1].account.get()) == nil)
    }

    @Test func passphraseChange() throws {
        let (vault, path) = try makeVault()
        _ = try vault.add([testAccount("A", "a"), testAccount("B", "b")])
        let newPassphrase = SecureBytes(Array("a new passphrase".utf8))
        try vault.changePassphrase(to: newPassphrase, kdf: testKDF)
        let storage = try SQLiteVaultStorage(path: path, create: false)
        #expect(throws: VaultError.wrongPassphrase) {
            try Vault.open(storage: storage, passphrase: passphrase, create: false)
        }
        let reopened = try Vault.open(storage: storage, passphrase: newPassphrase, create: false).vault
        #expect(try reopened.entries().map { try $0.account.get().name } == ["a", "b"])
    }

    @Test func hotpCounterAdvancesInTheVault() throws {
        let (vault, _) = try makeVault()
        var account = testAccount("RFC", "4226", kind: .hotp)
        account.counter = 0
        let id = try vault.add([account])[0].id
        let (_, first) = try vault.nextHOTPCodes(id: id, count: 2)
        let (_, second) = try vault.nextHOTPCodes(id: id, count: 1)
        #expect(first.map(\.value) == ["755224", "287082"])  // RFC 4226 Appendix D
        #expect(second.map(\.value) == ["359152"])
        #expect((try vault.entries()[0].account.get()).counter == 3)
    }

    @Test func renameAndRemove() throws {
        let (vault, _) = try makeVault()
        let id = try vault.add([testAccount("Old", "name")])[0].id
        let renamed = try vault.rename(id: id, to: .init(issuer: .removed, name: "new name"))
        #expect(renamed.issuer == nil && renamed.name == "new name")
        #expect((try vault.entries()[0].account.get()).name == "new name")
        #expect(try vault.remove(ids: [id]) == 1)
        #expect(try vault.entries().isEmpty)
        #expect(throws: VaultError.noSuchEntry(id: id)) { try vault.rename(id: id, to: .init(name: "x")) }
    }

    @Test func notAVault() throws {
        let path = temporaryVaultPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("this is not a database, just text that is long enough to look like a header........".utf8).write(
            to: URL(fileURLWithPath: path))
        #expect(throws: VaultError.self) { try SQLiteVaultStorage(path: path, create: false) }
        #expect(throws: VaultError.notFound(path: path + ".missing")) {
            try SQLiteVaultStorage(path: path + ".missing", create: false)
        }
    }

    @Test func concurrentCreationAgreesOnOneMasterKey() async throws {
        let path = temporaryVaultPath()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                group.addTask {
                    let storage = try SQLiteVaultStorage(path: path, create: true)
                    let vault = try Vault.open(storage: storage, passphrase: passphrase, create: true, kdf: testKDF)
                        .vault
                    _ = try vault.add([testAccount("T", "task \(i)")])
                }
            }
            try await group.waitForAll()
        }
        let storage = try SQLiteVaultStorage(path: path, create: false)
        #expect(try storage.keySlots().count == 1)
        let vault = try Vault.open(storage: storage, passphrase: passphrase, create: false).vault
        #expect(try Set(vault.entries().map { try $0.account.get().name }).count == 4)
    }
}

@Suite struct CryptoPrimitiveTests {
    @Test func aesGCMRoundTripAndTamper() throws {
        let key = try SecureRandom.key(32)
        let sealed = try AESGCM.seal(SecureBytes(Array("hello".utf8)), key: key, authenticating: Array("aad".utf8))
        #expect(try AESGCM.open(sealed, key: key, authenticating: Array("aad".utf8)).copiedBytes == Array("hello".utf8))
        #expect(throws: AESGCM.authenticationFailure) {
            try AESGCM.open(sealed, key: key, authenticating: Array("other".utf8))
        }
        var flipped = sealed
        flipped[13] ^= 1
        #expect(throws: AESGCM.authenticationFailure) {
            try AESGCM.open(flipped, key: key, authenticating: Array("aad".utf8))
        }
        #expect(try AESGCM.seal(SecureBytes([]), key: key, authenticating: []).count == 28)
        // Fresh nonce each time.
        #expect(
            try AESGCM.seal(SecureBytes([1]), key: key, authenticating: [])
                != AESGCM.seal(SecureBytes([1]), key: key, authenticating: []))
    }

    /// RFC 7914 §12, second vector: scrypt("password", "NaCl", N=1024, r=8, p=16, 64).
    @Test func scryptRFC7914() throws {
        let key = try KeyDerivation.scrypt(
            passphrase: SecureBytes(Array("password".utf8)), salt: Array("NaCl".utf8),
            parameters: .init(n: 1024, r: 8, p: 16),
            length: 64)
        let hex = key.copiedBytes.map { String(format: "%02x", $0) }.joined()
        #expect(hex.hasPrefix("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"))
    }

    /// RFC 5869 Appendix A.1.
    @Test func hkdfRFC5869() throws {
        let ikm = SecureBytes([UInt8](repeating: 0x0B, count: 22))
        let salt: [UInt8] = Array(0x00...0x0C)
        let info: [UInt8] = Array(0xF0...0xF9)
        let okm = try KeyDerivation.hkdf(key: ikm, salt: salt, info: info, length: 42)
        #expect(
            okm.copiedBytes.map { String(format: "%02x", $0) }.joined()
                == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }
}

extension SecureBytes {
    /// The bytes as an array, for comparing test vectors (test secrets only).
    var copiedBytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

/// Issue 29: the entry layout's version 3 (retired, a cached AWS session) is written only for entries that have
/// either, so every other entry stays in version 2, which older versions read.
@Suite struct AccountCodecVersionTests {
    func account() -> OTPAccount {
        OTPAccount(issuer: "Amazon Web Services", name: "alice", secret: SecureBytes(Array(repeating: 7, count: 20)))
    }

    @Test func plainEntriesStayInVersionTwo() throws {
        let plain = AccountCodec.encode(account())
        #expect(plain.withUnsafeBytes { $0.first } == 2)
        let decoded = try AccountCodec.decodeWithState(plain)
        #expect(!decoded.account.retired && decoded.state.sessionCache == nil)
    }

    @Test func retiredAndACachedSessionRoundTripInVersionThree() throws {
        var retired = account()
        retired.retired = true
        let cache = SecureBytes(Array("{\"AccessKeyId\":\"A\"}".utf8))
        let encoded = AccountCodec.encode(retired, state: AccountCodec.State(lastOnceStep: 9, sessionCache: cache))
        #expect(encoded.withUnsafeBytes { $0.first } == 3)
        let decoded = try AccountCodec.decodeWithState(encoded)
        #expect(decoded.account.retired && decoded.state.lastOnceStep == 9 && decoded.state.sessionCache == cache)
        // Unknown flags and an oversized cache are refused by name, not read.
        var bytes = encoded.withUnsafeBytes { Array($0) }
        let flags = bytes.count - 1 - 1 - 4 - cache.count
        bytes[flags] = 0x82
        #expect(throws: AccountCodec.DecodingError.self) { try AccountCodec.decodeWithState(SecureBytes(bytes)) }
        #expect(throws: AccountCodec.DecodingError.self) {
            try AccountCodec.decodeWithState(SecureBytes([4] + Array(bytes.dropFirst())))
        }
    }
}
