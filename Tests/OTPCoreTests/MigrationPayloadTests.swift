import Foundation
import OTPCrypto
import TestSupport
import Testing

@testable import OTPCore

@Suite struct MigrationPayloadTests {
    static func sample() -> MigrationPayload {
        MigrationPayload(
            entries: [
                .init(
                    secret: SecureBytes(Array("12345678901234567890".utf8)), name: "Example:alice@example.com",
                    issuer: "Example"),
                .init(
                    secret: SecureBytes(Array("12345678901234567890123456789012".utf8)), name: "bob", issuer: "",
                    algorithm: 2,
                    digits: 2, type: 1, counter: 7),
                .init(secret: SecureBytes([0xFB, 0xFF, 0xBF]), name: "encoding: ¿äÄ", issuer: "Ünïcode"),
            ], version: 1, batchSize: 2, batchIndex: 1, batchID: -1_320_898_453)
    }

    @Test func roundTripThroughURI() throws {
        let payload = Self.sample()
        let uri = payload.uri()
        #expect(uri.hasPrefix("otpauth-migration://offline?data="))
        #expect(try MigrationPayload(uri: uri) == payload)
    }

    @Test func accountsFromEntries() throws {
        let checks = Self.sample().accounts()
        #expect(checks.count == 3)
        let first = try #require(checks[0].account)
        #expect(
            first.issuer == "Example" && first.name == "alice@example.com" && first.kind == .totp && first.period == 30)
        let second = try #require(checks[1].account)
        #expect(second.kind == .hotp && second.counter == 7 && second.digits == 8 && second.algorithm == .sha256)
        #expect(checks[1].diagnostics.map(\.code.rawValue) == ["issuer-missing"])
        #expect(checks[2].account?.name == "encoding: ¿äÄ")
        #expect(checks[2].diagnostics.map(\.code.rawValue) == ["weak-secret"])
    }

    @Test func plusStaysPlusAndPaddingIsOptional() throws {
        // Bytes chosen so the Base64 holds '+' and '/': 0xFB 0xFF 0xBF → "+/+/".
        let payload = MigrationPayload(entries: [
            .init(secret: SecureBytes([0xFB, 0xFF, 0xBF, 0xFB, 0xFF]), name: "a", issuer: "b")
        ])
        let base64 = MigrationPayload.encodeBase64(payload.protobuf())
        #expect(base64.contains("+") || base64.contains("/"))
        let raw = "otpauth-migration://offline?data=" + base64.filter { $0 != "=" }
        #expect(try MigrationPayload(uri: raw) == payload)
    }

    @Test func md5AndUnknownEnumsAreErrors() {
        let payload = MigrationPayload(entries: [
            .init(secret: SecureBytes(Array("12345678901234567890".utf8)), name: "a", issuer: "b", algorithm: 4),
            .init(secret: SecureBytes(Array("12345678901234567890".utf8)), name: "a", issuer: "b", digits: 9, type: 7),
            .init(secret: SecureBytes([]), name: "", issuer: "b"),
        ])
        let checks = payload.accounts()
        #expect(checks[0].diagnostics.map(\.code.rawValue) == ["unsupported-algorithm"])
        #expect(Set(checks[1].diagnostics.map(\.code.rawValue)) == ["digits-out-of-range", "unknown-type"])
        #expect(Set(checks[2].diagnostics.map(\.code.rawValue)) == ["account-empty", "secret-empty"])
        #expect(checks.allSatisfy { !$0.isValid })
    }

    @Test func damagedPayloadsAreErrorsNotCrashes() throws {
        let good = Self.sample().protobuf()
        #expect(throws: MigrationPayloadError.notMigrationURI) { try MigrationPayload(uri: "otpauth://totp/x") }
        #expect(throws: MigrationPayloadError.missingData) {
            try MigrationPayload(uri: "otpauth-migration://offline?x=1")
        }
        #expect(throws: MigrationPayloadError.self) {
            try MigrationPayload(uri: "otpauth-migration://offline?data=@@@")
        }
        #expect(throws: MigrationPayloadError.self) {
            try MigrationPayload(uri: "otpauth-migration://offline?data=%ZZ")
        }
        // Every truncation of a valid payload either decodes (at a field boundary) or throws.
        for length in 0..<good.count {
            _ = try? MigrationPayload(protobuf: Array(good.prefix(length)))
        }
        #expect(throws: MigrationPayloadError.self) { try MigrationPayload(protobuf: Array(good.dropLast(3))) }
        // A length prefix far past the end.
        #expect(throws: MigrationPayloadError.truncated(offset: 1)) {
            try MigrationPayload(protobuf: [0x0A, 0xFF, 0xFF, 0x03, 0x00])
        }
        // Wrong wire type for a known field, unsupported wire types, an over-long varint.
        #expect(throws: MigrationPayloadError.wrongWireType(field: "otp_parameters", wireType: 0)) {
            try MigrationPayload(protobuf: [0x08, 0x01])
        }
        #expect(throws: MigrationPayloadError.self) { try MigrationPayload(protobuf: [0x0B]) }
        #expect(throws: MigrationPayloadError.malformedVarint(offset: 1)) {
            try MigrationPayload(protobuf: [0x10] + [UInt8](repeating: 0xFF, count: 11) + [0x01])
        }
        // Random garbage never crashes.
        var rng = SplitMix64(seed: differentialSeed &+ 2)
        for _ in 0..<2000 {
            let garbage = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            _ = try? MigrationPayload(protobuf: garbage)
        }
    }

    @Test func unknownFieldsAreSkipped() throws {
        // field 15 varint, field 14 fixed64, field 13 length-delimited, field 12 fixed32, then version = 1.
        let bytes: [UInt8] =
            [0x78, 0x05, 0x71] + [UInt8](repeating: 0, count: 8) + [
                0x6A, 0x02, 0x41, 0x42, 0x65, 0, 0, 0, 0, 0x10, 0x01,
            ]
        #expect(try MigrationPayload(protobuf: bytes).version == 1)
    }

    @Test func provisioningPayloadClassifies() {
        if case .migration(let payload, let checks) = ProvisioningPayload(Self.sample().uri()) {
            #expect(payload.batchSize == 2 && checks.count == 3)
        } else {
            Issue.record("expected a migration payload")
        }
        if case .other = ProvisioningPayload("https://example.com") {} else { Issue.record("expected other") }
        if case .damagedMigration = ProvisioningPayload("otpauth-migration://offline?data=!!") {
        } else {
            Issue.record("expected damaged")
        }
    }
}

/// The codec against an independent implementation: 60 messages encoded by Python's `protobuf` package from the
/// published schema (`Tests/Fixtures/migration/protobuf-vectors.json`, made by `Scripts/make-migration-vectors.py`).
@Suite struct MigrationProtobufVectorTests {
    struct Vectors: Decodable {
        struct Vector: Decodable {
            struct Entry: Decodable {
                let secret: String
                let name: String
                let issuer: String
                let algorithm: Int
                let digits: Int
                let type: Int
                let counter: Int64
            }
            let protobuf: String
            let base64: String
            let version: Int32
            let batchSize: Int32
            let batchIndex: Int32
            let batchID: Int32
            let entries: [Entry]
        }
        let vectors: [Vector]
    }

    static let vectors: [Vectors.Vector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/migration/protobuf-vectors.json")
        guard let data = try? Data(contentsOf: url), let decoded = try? JSONDecoder().decode(Vectors.self, from: data)
        else {
            return []
        }
        return decoded.vectors
    }()

    @Test func vectorsArePresent() {
        #expect(Self.vectors.count == 60)
    }

    @Test(arguments: 0..<60)
    func decodesAndEncodesLikePythonProtobuf(index: Int) throws {
        guard index < Self.vectors.count else { return }
        let vector = Self.vectors[index]
        let wire = bytes(hex: vector.protobuf)
        let payload = try MigrationPayload(protobuf: wire)
        #expect(payload.version == vector.version)
        #expect(
            payload.batchSize == vector.batchSize && payload.batchIndex == vector.batchIndex
                && payload.batchID == vector.batchID)
        #expect(payload.entries.count == vector.entries.count)
        for (ours, theirs) in zip(payload.entries, vector.entries) {
            #expect(ours.secret.withUnsafeBytes { Array($0) } == bytes(hex: theirs.secret))
            #expect(ours.name == theirs.name && ours.issuer == theirs.issuer)
            #expect(ours.algorithm == theirs.algorithm && ours.digits == theirs.digits && ours.type == theirs.type)
            #expect(ours.counter == theirs.counter)
        }
        // Encoding the same fields gives Python's bytes exactly (field order, omitted defaults, negative varints).
        #expect(payload.protobuf() == wire)
        // Through the URI: the Base64 Python wrote decodes to the same message.
        let uri =
            "otpauth-migration://offline?data="
            + vector.base64.replacingOccurrences(of: "+", with: "%2B")
            .replacingOccurrences(of: "/", with: "%2F").replacingOccurrences(of: "=", with: "%3D")
        #expect(try MigrationPayload(uri: uri) == payload)
    }
}
