import Foundation
import OTPCrypto
import TestSupport
import Testing

@testable import OTPCore

let oathtoolPath: String? = ["/usr/bin/oathtool", "/usr/local/bin/oathtool"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// In CI (`CI` set) a missing oathtool is a failure, not a skipped suite: the differential test must run there.
@Suite struct OathtoolPresenceTests {
    @Test func oathtoolIsInstalledInCI() {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            #expect(oathtoolPath != nil, "CI is set but oathtool is missing: make test installs it")
        }
    }
}

/// The seed of this run's random cases (`TestSupport.testSeed`; `OTP_TEST_SEED` replays one).
var differentialSeed: UInt64 { testSeed }

/// Codes compared with an independent implementation, oathtool (Debian package `oathtool`, installed by
/// `make test`; without it these tests fail, they never skip), for random secrets, algorithms, digit counts,
/// periods, times and counters. Seeded: every expectation names the seed.
@Suite
struct OathtoolDifferentialTests {
    static var oathtool: String? { oathtoolPath }

    static func run(_ arguments: [String]) throws -> [String] {
        try outputLines(of: oathtool ?? "oathtool", arguments)
    }

    static func hexKey(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func totpMatchesOathtool() throws {
        var rng = SplitMix64(seed: differentialSeed)
        for round in 0..<45 {
            let algorithm = HashAlgorithm.allCases[round % 3]
            let key = (0..<Int.random(in: 10...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let digits = Int.random(in: 6...8, using: &rng)
            let period = [30, 60, 1, 15, 90, 3600][Int.random(in: 0..<6, using: &rng)]
            let time = Int64.random(in: 0...4_000_000_000, using: &rng)
            let account = OTPAccount(
                issuer: "x", name: "y", secret: SecureBytes(key), algorithm: algorithm, digits: digits, period: period)
            let ours = try OTPGenerator(account: account).totp(at: time, count: 3).map(\.value)
            // -w 2 prints the codes for the current period and the next two.
            let theirs = try Self.run([
                "--totp=\(algorithm.rawValue.lowercased())", "--digits=\(digits)", "--time-step-size=\(period)s",
                "--now=@\(time)", "-w", "2", Self.hexKey(key),
            ])
            let seed = differentialSeed
            #expect(
                ours == theirs,
                "\(algorithm) \(digits) digits, \(period) s, t=\(time), \(key.count)-byte key, seed \(seed)")
        }
    }

    @Test func hotpMatchesOathtool() throws {
        var rng = SplitMix64(seed: differentialSeed &+ 1)
        for _ in 0..<15 {
            let key = (0..<Int.random(in: 16...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let digits = Int.random(in: 6...8, using: &rng)
            let counter = UInt64.random(in: 0...UInt64(UInt32.max) * 4, using: &rng)
            let account = OTPAccount(
                kind: .hotp, issuer: "x", name: "y", secret: SecureBytes(key), digits: digits, counter: counter)
            let ours = try OTPGenerator(account: account).hotp(counter: counter, count: 4).map(\.value)
            let theirs = try Self.run([
                "--hotp", "--digits=\(digits)", "--counter=\(counter)", "-w", "3", Self.hexKey(key),
            ])
            #expect(ours == theirs, "\(digits) digits, counter \(counter), seed \(differentialSeed)")
        }
    }
}
