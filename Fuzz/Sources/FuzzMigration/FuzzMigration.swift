import OTPCore

/// Protobuf bytes → `MigrationPayload` → checked accounts → encoded again → decoded again (the same entries).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    guard let payload = try? MigrationPayload(protobuf: bytes) else { return 0 }
    _ = payload.accounts()
    guard let again = try? MigrationPayload(uri: payload.uri()), again.entries.count == payload.entries.count,
        again.batchIndex == payload.batchIndex, again.batchSize == payload.batchSize
    else {
        fatalError("a decoded payload did not survive encoding")
    }
    return 0
}
