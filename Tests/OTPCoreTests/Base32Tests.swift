import TestSupport
import Testing

@testable import OTPCore

/// RFC 4648 §10 test vectors, and the leniencies of DESIGN.md's secret rule.
@Suite struct Base32Tests {
    static let vectors = [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ]

    @Test func rfc4648Vectors() throws {
        for (plain, encoded) in Self.vectors {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(try Base32.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base32.encode(Array("foob".utf8), padding: true) == "MZXW6YQ=")
    }

    @Test func lenientInput() throws {
        #expect(try Base32.decode("mzxw6ytboi") == Array("foobar".utf8))
        #expect(try Base32.decode("MZXW 6YTB OI") == Array("foobar".utf8))
        #expect(try Base32.decode("MZXW6YQ=") == Array("foob".utf8))
        #expect(try Base32.decode("JBSWY3DPEHPK3PXP").count == 10)
    }

    @Test func errors() {
        #expect(throws: Base32.DecodingError.invalidCharacter(position: 3)) { try Base32.decode("MZ1W") }
        #expect(throws: Base32.DecodingError.invalidLength(3)) { try Base32.decode("MZX") }
        #expect(throws: Base32.DecodingError.misplacedPadding(position: 3)) { try Base32.decode("MZ=XW6YQ") }
    }

    @Test func roundTripsRandomBytes() throws {
        var generator = SplitMix64(seed: differentialSeed &+ 3)
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(try Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }
}
