import Foundation

/// SplitMix64: a seeded generator, so a failing random test can be replayed from the seed it prints.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seed of this run's random test cases: `OTP_TEST_SEED` to replay a failure, else a new one, printed once.
public let testSeed: UInt64 = {
    let environment = ProcessInfo.processInfo.environment
    let seed = environment["OTP_TEST_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 0...UInt64.max)
    print("random test seed: \(seed) (replay with OTP_TEST_SEED=\(seed))")
    return seed
}()

/// Bytes from hexadecimal text (test vectors); a malformed pair becomes 0.
public func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex, hex.index(after: index) < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return out
}

/// Lower-case hexadecimal text of bytes.
public func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// The lines another program prints (an independent implementation such as oathtool).
public func outputLines(of executable: String, _ arguments: [String]) throws -> [String] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
}
