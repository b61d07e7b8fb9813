import OTPCrypto
@_spi(Fuzzing) import OTPImport

/// A file's bytes as an input: sniffing, text lines, other apps' JSON exports (encrypted ones opened with the
/// password `test`, their key-derivation costs checked first), then every payload checked.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    // PNG bytes go to the FuzzScan target; here a PNG signature is only sniffed.
    let result = InputReader.payloads(
        in: bytes, source: "fuzz", reader: nil, passphrase: { SecureBytes(Array("test".utf8)) })
    if case .success(let payloads) = result {
        for payload in payloads { _ = ProvisioningInputs.items(for: payload) }
    }
    return 0
}
