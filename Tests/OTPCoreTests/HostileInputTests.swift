import OTPCrypto
import Testing

@testable import OTPCore

/// Regression tests for issue 9, classes 2, 6, 7 and 8.
@Suite struct HostileInputTests {
    static func payload(index: Int32, size: Int32) -> MigrationPayload {
        MigrationPayload(
            entries: [.init(secret: SecureBytes(Array("12345678901234567890".utf8)), name: "a", issuer: "b")],
            batchSize: size, batchIndex: index, batchID: 7)
    }

    static let impossibleBatches: [(Int32, Int32)] = [
        (Int32.max, Int32.max), (Int32.max - 1, Int32.max), (5, 2), (2, 2), (-1, 3), (0, -5), (0, Int32.min), (3, 0),
        (0, MigrationPayload.maximumBatchSize + 1),
    ]

    @Test(arguments: impossibleBatches)
    func impossibleBatchFieldsAreErrors(index: Int32, size: Int32) {
        let bytes = Self.payload(index: index, size: size).protobuf()
        #expect(throws: MigrationPayloadError.invalidBatch(index: index, size: size)) {
            try MigrationPayload(protobuf: bytes)
        }
        #expect(
            MigrationPayloadError.invalidBatch(index: index, size: size).description.contains(
                "part \(Int64(index) + 1) of \(size)"))
    }

    @Test func possibleBatchFieldsDecode() throws {
        #expect(try MigrationPayload(protobuf: Self.payload(index: 1, size: 2).protobuf()).batchIndex == 1)
        #expect(try MigrationPayload(protobuf: Self.payload(index: 999, size: 1000).protobuf()).batchSize == 1000)
        // proto3 leaves zero fields out: no batch fields at all is one whole part.
        #expect(try MigrationPayload(protobuf: Self.payload(index: 0, size: 0).protobuf()).batchSize == 1)
    }

    @Test func aSecondDataParameterAndStrayBitsAreErrors() throws {
        let good = Self.payload(index: 0, size: 1).uri()
        let data = String(good.split(separator: "=", maxSplits: 1)[1])
        #expect(throws: MigrationPayloadError.duplicateData) { try MigrationPayload(uri: good + "&data=" + data) }
        #expect(throws: MigrationPayloadError.duplicateData) { try MigrationPayload(uri: good + "&DATA=AAAA") }
        // "QQ" is 12 bits: one byte and four pad bits that must be zero; "QR" sets one of them.
        #expect(try MigrationPayload.decodeBase64(Array("QQ".utf8)) == [0x41])
        #expect(throws: MigrationPayloadError.strayBits) { try MigrationPayload.decodeBase64(Array("QR".utf8)) }
        #expect(try MigrationPayload.decodeBase64(Array("QUI".utf8)) == [0x41, 0x42])
        #expect(throws: MigrationPayloadError.strayBits) { try MigrationPayload.decodeBase64(Array("QUJ".utf8)) }
    }

    @Test func totpNearTheEndOfTimeNeverTraps() throws {
        let account = OTPAccount(
            issuer: "I", name: "n", secret: SecureBytes(Array("12345678901234567890".utf8)), period: 86_400)
        let generator = try OTPGenerator(account: account)
        #expect(generator.totp(at: .max, count: 3).isEmpty)
        let last = generator.totp(at: .max - 200_000, count: 5)
        #expect(!last.isEmpty && last.count < 5)
        #expect(last.allSatisfy { ($0.validUntil ?? 0) > ($0.validFrom ?? 0) })
        #expect(generator.hotp(counter: .max, count: 3).count == 1)
    }

    @Test(arguments: [
        "Goo\u{200B}gle", "Goo\u{2028}gle", "Goo\u{2029}gle", "\u{202E}elgooG", "Goo\u{AD}gle", "\u{FEFF}Google",
    ])
    func lookAlikeNamesWarnAndPrintEscaped(name: String) throws {
        let encoded = PercentEncoding.encode(name)
        let check = OTPAuthURI.parse(
            "otpauth://totp/\(encoded):alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=\(encoded)")
        #expect(check.isValid)
        #expect(check.diagnostics.filter { $0.code.rawValue == "invisible-characters" }.map(\.field) == [.issuer])
        let escaped = UntrustedText.escaped(name)
        #expect(escaped.contains("\\u{"))
        #expect(!escaped.unicodeScalars.contains(where: UntrustedText.isInvisible))
        // The same rule for Google transfer accounts (one validation path).
        let migration = MigrationPayload(entries: [
            .init(secret: SecureBytes(Array("12345678901234567890".utf8)), name: name, issuer: "Issuer")
        ])
        #expect(
            migration.accounts()[0].diagnostics.contains {
                $0.code.rawValue == "invisible-characters" && $0.field == .label
            })
    }

    @Test func controlCharactersStayErrors() {
        #expect(UntrustedText.hasControlCharacters("a\u{1B}[2Jb"))
        #expect(UntrustedText.escaped("a\u{1B}b\nc\u{85}") == "a\\u{1B}b\\nc\\u{85}")
        #expect(UntrustedText.escaped("abcdef", limit: 3) == "abc…")
    }

    @Test(arguments: [
        " otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", "otpauth:/totp/A:b?secret=JBSWY3DPEHPK3PXP",
        "https://example.com/?secret=JBSWY3DPEHPK3PXP", "\u{01}otpauth://totp/a?secret=JBSWY3DPEHPK3PXP",
        "OTPAUTH-MIGRATION:/offline?data=CjMK",
    ])
    func almostURIsAreNeverEchoed(argument: String) {
        #expect(UntrustedText.mayCarrySecret(argument))
        let label = UntrustedText.argumentLabel(argument, number: 3)
        #expect(label.hasPrefix("argument 3"))
        #expect(!label.contains("JBSWY3DP") && !label.contains("CjMK"))
    }

    @Test func ordinaryPathsAreShownAsGiven() {
        #expect(UntrustedText.argumentLabel("shots/aws mfa.png", number: 1) == "shots/aws mfa.png")
    }
}

/// Findings of the fuzz targets, each kept as a test (and as a file under `Fuzz/Regressions/`).
@Suite struct FuzzFindingTests {
    /// `0a 00`: one all-default entry. Encoding dropped it, so a payload did not survive a round trip.
    @Test func anEmptyEntrySurvivesEncoding() throws {
        let payload = try MigrationPayload(protobuf: [0x0A, 0x00])
        #expect(payload.entries.count == 1)
        #expect(try MigrationPayload(protobuf: payload.protobuf()).entries.count == 1)
        #expect(try MigrationPayload(uri: payload.uri()).entries.count == 1)
    }
}
