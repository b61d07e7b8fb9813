import OTPTeam

/// A membership record as a hostile team-vault server could store it: the decoder, then the chain rules (the last
/// 64 bytes as its signature), must refuse it cleanly or accept it, never crash or allocate without bound.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let team = "00112233445566778899aabbccddeeff"
    _ = try? TeamLogRecord.decode(bytes, team: team)
    let split = max(0, bytes.count - 64)
    _ = try? TeamChain.verify(
        [(Array(bytes[..<split]), Array(bytes[split...]))], team: team, pinnedGenesis: nil, server: "fuzz")
    return 0
}
