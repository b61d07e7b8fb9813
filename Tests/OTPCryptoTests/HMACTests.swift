import Foundation
import TestSupport
import Testing

@testable import OTPCrypto

/// RFC 4231 §4.2 and §4.3 (HMAC-SHA256/512), RFC 2202 §3 (HMAC-SHA1) test cases.
@Suite struct HMACTests {
    @Test func rfc2202SHA1() throws {
        let context = try HMACContext(key: SecureBytes([UInt8](repeating: 0x0B, count: 20)), algorithm: .sha1)
        #expect(
            hex(context.authenticationCode(for: Array("Hi There".utf8))) == "b617318655057264e28bc0b6fb378c8ef146be00")
        let jefe = try HMACContext(key: SecureBytes(Array("Jefe".utf8)), algorithm: .sha1)
        #expect(
            hex(jefe.authenticationCode(for: Array("what do ya want for nothing?".utf8)))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func rfc4231Case1And2() throws {
        let key = SecureBytes([UInt8](repeating: 0x0B, count: 20))
        #expect(
            hex(try HMACContext(key: key, algorithm: .sha256).authenticationCode(for: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(try HMACContext(key: key, algorithm: .sha512).authenticationCode(for: Array("Hi There".utf8)))
                == "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")
        let jefe = SecureBytes(Array("Jefe".utf8))
        #expect(
            hex(
                try HMACContext(key: jefe, algorithm: .sha256).authenticationCode(
                    for: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func contextIsReusable() throws {
        let context = try HMACContext(key: SecureBytes(Array("Jefe".utf8)), algorithm: .sha1)
        let first = context.authenticationCode(for: Array("a".utf8))
        _ = context.authenticationCode(for: Array("b".utf8))
        #expect(context.authenticationCode(for: Array("a".utf8)) == first)
    }

    @Test func keyLongerThanABlockAndEmptyKey() throws {
        // RFC 4231 §4.7: a 131-byte key is hashed first.
        let key = SecureBytes([UInt8](repeating: 0xAA, count: 131))
        #expect(
            hex(
                try HMACContext(key: key, algorithm: .sha256).authenticationCode(
                    for: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        _ = try HMACContext(key: SecureBytes([]), algorithm: .sha1).authenticationCode(for: [1, 2, 3])
    }
}

@Suite struct SecureBytesTests {
    @Test func neverShowsItsBytes() {
        let secret = SecureBytes(Array("TestSecretSuperSecret".utf8))
        for text in [String(describing: secret), String(reflecting: secret), "\(secret)"] {
            #expect(!text.contains("TestSecret"))
            #expect(text.contains("21 bytes"))
        }
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("Test"))
    }

    @Test func equalityIsByContent() {
        #expect(SecureBytes([1, 2, 3]) == SecureBytes([1, 2, 3]))
        #expect(SecureBytes([1, 2, 3]) != SecureBytes([1, 2, 4]))
        #expect(SecureBytes([1, 2]) != SecureBytes([1, 2, 3]))
    }

    @Test func randomKeysDiffer() throws {
        let a = try SecureRandom.key(32)
        let b = try SecureRandom.key(32)
        #expect(a.count == 32 && a != b)
        #expect(try SecureRandom.bytes(16).count == 16)
    }
}

/// Regression tests for issue 9, classes 3, 14 and 15: key-derivation costs, one owner per C resource, wiping
/// buffers.
@Suite struct CryptoHardeningTests {
    @Test func scryptCostsAreCheckedWithoutOverflow() {
        // r·p past UInt64 trapped before.
        #expect(ScryptParameters(n: 1 << 10, r: .max, p: .max).check(budget: .default) != nil)
        #expect(ScryptParameters(n: .max, r: .max, p: 2).memory == nil)
        #expect(ScryptParameters(n: 1 << 62, r: 1 << 40, p: 1).work == nil)
        #expect(!ScryptParameters(n: 3, r: 8, p: 1).isReasonable)
        #expect(!ScryptParameters(n: 1 << 15, r: 0, p: 1).isReasonable)
        // Legal but absurd: p = 2^23 is refused with what it would cost, never run.
        let absurd = ScryptParameters(n: 1 << 15, r: 8, p: 1 << 23)
        let refusal = absurd.check(budget: .default)
        #expect(refusal?.contains("asks for") == true)
        #expect(throws: CryptoError.self) {
            try KeyDerivation.scrypt(passphrase: SecureBytes([1]), salt: [], parameters: absurd)
        }
        // The apps' defaults are well inside the budget.
        #expect(ScryptParameters.default.isReasonable)
        #expect(ScryptParameters(n: 1 << 15, r: 8, p: 1).check(budget: .default) == nil)
        #expect(ScryptParameters(n: 1 << 17, r: 8, p: 1).check(budget: .default) == nil)
    }

    struct Failure: Error {}

    @Test func aThrowingInitialiserFreesOnce() throws {
        // Under AddressSanitizer (make sanitize) a double free here aborts the run.
        for _ in 0..<100 {
            #expect(throws: Failure.self) {
                _ = try SecureBytes(count: 32) { (raw: UnsafeMutableRawBufferPointer) throws(Failure) in
                    raw.storeBytes(of: 0xAB, as: UInt8.self)
                    throw Failure()
                }
            }
        }
        #expect(try SecureRandom.key(0).count == 0)
    }

    @Test func secureBufferGrowsAndKeepsItsBytes() {
        let buffer = SecureBuffer(capacity: 1)
        for i in 0..<1000 { buffer.append(UInt8(truncatingIfNeeded: i)) }
        buffer.append(bigEndian: UInt32(0xDEAD_BEEF))
        buffer.append(SecureBytes([1, 2, 3]))
        let bytes = buffer.finish()
        #expect(bytes.count == 1007)
        bytes.withUnsafeBytes { raw in
            #expect(raw[999] == UInt8(truncatingIfNeeded: 999))
            #expect(Array(raw[1000..<1007]) == [0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3])
        }
        #expect(bytes.prefix(3).count == 3)
    }

    @Test func hkdfRejectsImpossibleLengths() {
        #expect(throws: CryptoError.self) { try KeyDerivation.hkdf(key: SecureBytes([1]), info: [], length: 0) }
        #expect(throws: CryptoError.self) {
            try KeyDerivation.hkdf(key: SecureBytes([1]), info: [], length: 255 * 32 + 1)
        }
        #expect(throws: Never.self) { try KeyDerivation.hkdf(key: SecureBytes([]), info: [], length: 255 * 32) }
    }
}
