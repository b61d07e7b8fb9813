@_spi(Fuzzing) import OTPVault

/// A sealed entry's plaintext and a key slot's fields from arbitrary bytes: the decoders must refuse, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    _ = VaultRecordDecoding.decodeEntryPlaintext(bytes)
    if bytes.count >= 24 {
        func word(_ offset: Int) -> UInt64 { bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) } }
        let rest = Array(bytes[24...])
        _ = VaultRecordDecoding.openSlot(
            salt: Array(rest.prefix(32)), n: word(0), r: word(8), p: word(16), wrappedKey: Array(rest.dropFirst(32)))
    }
    return 0
}
