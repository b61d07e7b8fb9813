import OTPCrypto

/// A team vault member's wrapped key as the server returns it (anyone with the database can write it): opening an
/// arbitrary box, or deriving with an arbitrary peer key, must refuse, never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let privateKey = SecureBytes([UInt8](repeating: 7, count: 32))
    _ = try? X25519.SealedBox.open(bytes, privateKey: privateKey, authenticating: Array(bytes.prefix(8)))
    _ = try? X25519.sharedSecret(privateKey: privateKey, peerPublicKey: Array(bytes.prefix(32)))
    return 0
}
