import CSodium
import Foundation
import TestSupport
import Testing

@testable import OTPCrypto

private func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}

/// RFC 8032 §7.1 test vectors, and libsodium (an independent implementation) checking what OpenSSL signs.
@Suite struct Ed25519Tests {
    static let vectors: [(seed: String, publicKey: String, message: String, signature: String)] = [
        (
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
        (
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
        (
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
                + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ]

    @Test(arguments: 0..<3) func rfc8032Vectors(index: Int) throws {
        let vector = Self.vectors[index]
        let seed = SecureBytes(bytes(vector.seed))
        #expect(hex(try Ed25519.publicKey(seed: seed)) == vector.publicKey)
        let signature = try Ed25519.sign(bytes(vector.message), seed: seed)
        #expect(hex(signature) == vector.signature)
        #expect(Ed25519.verify(signature, of: bytes(vector.message), publicKey: bytes(vector.publicKey)))
    }

    @Test func libsodiumAgrees() throws {
        let seed = try SecureRandom.key(32)
        let message = Array("membership entry 7".utf8)
        let publicKey = try Ed25519.publicKey(seed: seed)
        let signature = try Ed25519.sign(message, seed: seed)
        #expect(sodium_init() >= 0)
        #expect(crypto_sign_verify_detached(signature, message, UInt64(message.count), publicKey) == 0)
        // And the other way: libsodium's key pair from the same seed is the same, its signature verifies here.
        var sodiumPublic = [UInt8](repeating: 0, count: 32)
        var sodiumSecret = [UInt8](repeating: 0, count: 64)
        let seedBytes = seed.withUnsafeBytes { Array($0) }
        _ = crypto_sign_seed_keypair(&sodiumPublic, &sodiumSecret, seedBytes)
        #expect(sodiumPublic == publicKey)
        var sodiumSignature = [UInt8](repeating: 0, count: 64)
        _ = crypto_sign_detached(&sodiumSignature, nil, message, UInt64(message.count), sodiumSecret)
        #expect(Ed25519.verify(sodiumSignature, of: message, publicKey: publicKey))
    }

    @Test func alteredOrMalformedInputsDoNotVerify() throws {
        let seed = try SecureRandom.key(32)
        let message = Array("approve bob".utf8)
        let publicKey = try Ed25519.publicKey(seed: seed)
        var signature = try Ed25519.sign(message, seed: seed)
        #expect(!Ed25519.verify(signature, of: Array("approve eve".utf8), publicKey: publicKey))
        #expect(!Ed25519.verify(Array(signature.prefix(63)), of: message, publicKey: publicKey))
        #expect(!Ed25519.verify(signature, of: message, publicKey: Array(publicKey.prefix(31))))
        #expect(!Ed25519.verify(signature, of: message, publicKey: [UInt8](repeating: 0, count: 32)))
        signature[10] ^= 1
        #expect(!Ed25519.verify(signature, of: message, publicKey: publicKey))
        #expect(throws: CryptoError.self) { try Ed25519.sign(message, seed: SecureBytes([1, 2, 3])) }
    }
}
