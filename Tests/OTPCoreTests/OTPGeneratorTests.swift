import OTPCrypto
import Testing

@testable import OTPCore

func account(
    _ secret: String, _ algorithm: HashAlgorithm = .sha1, digits: Int = 6, period: Int = 30,
    kind: OTPAccount.Kind = .totp,
    counter: UInt64 = 0, encoder: OTPAccount.Encoder = .decimal
) -> OTPAccount {
    OTPAccount(
        kind: kind, issuer: "Test", name: "test", secret: SecureBytes(Array(secret.utf8)), algorithm: algorithm,
        digits: digits,
        period: period, counter: counter, encoder: encoder)
}

/// RFC 4226 Appendix D: secret "12345678901234567890", counters 0–9, 6 digits.
@Suite struct HOTPTests {
    static let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489",
    ]
    static let truncated: [UInt32] = [
        1_284_755_224, 1_094_287_082, 137_359_152, 1_726_969_429, 1_640_338_314, 868_254_676, 1_918_287_922,
        82_162_583, 673_399_871, 645_520_489,
    ]

    @Test func rfc4226AppendixD() throws {
        let generator = try OTPGenerator(account: account("12345678901234567890", kind: .hotp))
        #expect(generator.hotp(counter: 0, count: 10).map(\.value) == Self.expected)
        #expect((0..<10).map { generator.truncatedValue(counter: UInt64($0)) } == Self.truncated)
        #expect(generator.hotp(counter: 3, count: 2).map(\.counter) == [3, 4])
    }

    @Test func sevenAndTenDigits() throws {
        // Truncated value for counter 1 is 1094287082: 7 digits → 4287082, 10 digits → 1094287082.
        #expect(
            try OTPGenerator(account: account("12345678901234567890", digits: 7, kind: .hotp)).value(counter: 1)
                == "4287082")
        #expect(
            try OTPGenerator(account: account("12345678901234567890", digits: 10, kind: .hotp)).value(counter: 1)
                == "1094287082")
        // Counter 7 truncates to 82162583: ten digits are zero-padded.
        #expect(
            try OTPGenerator(account: account("12345678901234567890", digits: 10, kind: .hotp)).value(counter: 7)
                == "0082162583")
    }

    @Test func counterOverflowStops() throws {
        let generator = try OTPGenerator(account: account("12345678901234567890", kind: .hotp))
        #expect(generator.hotp(counter: .max, count: 3).count == 1)
    }
}

/// RFC 6238 Appendix B: 8 digits, seeds of 20, 32 and 64 bytes for SHA1, SHA256, SHA512.
@Suite struct TOTPTests {
    static let seeds: [HashAlgorithm: String] = [
        .sha1: "12345678901234567890",
        .sha256: "12345678901234567890123456789012",
        .sha512: "1234567890123456789012345678901234567890123456789012345678901234",
    ]

    static let vectors: [(Int64, HashAlgorithm, String)] = [
        (59, .sha1, "94287082"), (59, .sha256, "46119246"), (59, .sha512, "90693936"),
        (1_111_111_109, .sha1, "07081804"), (1_111_111_109, .sha256, "68084774"), (1_111_111_109, .sha512, "25091201"),
        (1_111_111_111, .sha1, "14050471"), (1_111_111_111, .sha256, "67062674"), (1_111_111_111, .sha512, "99943326"),
        (1_234_567_890, .sha1, "89005924"), (1_234_567_890, .sha256, "91819424"), (1_234_567_890, .sha512, "93441116"),
        (2_000_000_000, .sha1, "69279037"), (2_000_000_000, .sha256, "90698825"), (2_000_000_000, .sha512, "38618901"),
        (20_000_000_000, .sha1, "65353130"), (20_000_000_000, .sha256, "77737706"),
        (20_000_000_000, .sha512, "47863826"),
    ]

    @Test(arguments: vectors.indices)
    func rfc6238AppendixB(_ index: Int) throws {
        let (time, algorithm, code) = Self.vectors[index]
        let generator = try OTPGenerator(account: account(Self.seeds[algorithm]!, algorithm, digits: 8))
        let result = try #require(generator.totp(at: time).first)
        #expect(result.value == code)
        #expect(result.validFrom == time / 30 * 30 && result.validUntil == time / 30 * 30 + 30)
    }

    @Test func sixDigitsAndConsecutiveCodes() throws {
        // The same truncated values mod 10^6 (pyotp's and KeePassXC's tests assert these).
        let generator = try OTPGenerator(account: account(Self.seeds[.sha1]!))
        #expect(generator.totp(at: 1_111_111_111).first?.value == "050471")
        let two = generator.totp(at: 1_111_111_109, count: 2)
        #expect(two.map(\.value) == ["081804", "050471"])  // 1111111109 and 1111111111 are consecutive periods
        #expect(two[1].validFrom == two[0].validUntil)
    }

    @Test func periodSixty() throws {
        let generator = try OTPGenerator(account: account(Self.seeds[.sha1]!, period: 60))
        #expect(generator.totp(at: 119).first?.validFrom == 60)
        #expect(generator.totp(at: 119).first?.value == HOTPTests.expected[1])
    }

    @Test func steamGuard() throws {
        // Independent computation (Python hmac + Steam's 26-character alphabet).
        let generator = try OTPGenerator(account: account(Self.seeds[.sha1]!, digits: 5, encoder: .steam))
        #expect(generator.totp(at: 59).first?.value == "PV9M4")
        #expect(generator.totp(at: 1_111_111_109).first?.value == "PY4YB")
        #expect(generator.totp(at: 2_000_000_000).first?.value == "9N776")
    }
}
