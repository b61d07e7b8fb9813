import OTPCrypto

/// Entry points for fuzzing the vault's record decoders with arbitrary bytes (the `Fuzz/` package). Not API.
@_spi(Fuzzing)
public enum VaultRecordDecoding {
    /// Decodes a sealed entry's plaintext (what AES-GCM yields) into an account; `false` when it is refused.
    public static func decodeEntryPlaintext(_ bytes: [UInt8]) -> Bool {
        (try? AccountCodec.decode(SecureBytes(bytes))) != nil
    }

    /// Opens a key slot built from arbitrary fields with a fixed passphrase; `false` when it is refused or does not
    /// open. Costs above the budget are refused before any key derivation runs.
    public static func openSlot(salt: [UInt8], n: UInt64, r: UInt64, p: UInt64, wrappedKey: [UInt8]) -> Bool {
        // The default budget's check must never trap, whatever the values; the fuzzer then runs derivations of at
        // most 1 MiB so it keeps its pace.
        let parameters = ScryptParameters(n: n, r: r, p: p)
        _ = parameters.check(budget: .default)
        guard parameters.check(budget: .init(memory: 1 << 20, work: 1 << 14)) == nil else { return false }
        let slot = KeySlotRecord(id: "fuzz", salt: salt, n: n, r: r, p: p, wrappedKey: wrappedKey, createdAt: 0)
        return (try? Vault.unwrap(slot, passphrase: SecureBytes(Array("fuzz".utf8)))) != nil
    }
}
