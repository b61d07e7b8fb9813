// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for every parser that reads hostile bytes. Build from this folder:
//   swift build -c release --sanitize=fuzzer --sanitize=address
// Run one:    .build/release/FuzzScan Corpus/FuzzScan -max_total_time=600
// `make fuzz` runs each for FUZZ_SECONDS; `make fuzz-replay` (run by CI) replays Corpus/ and Regressions/ only.
let package = Package(
    name: "OTPFuzz",
    dependencies: [.package(name: "swift-otp", path: "..")],
    targets: [
        .executableTarget(name: "FuzzScan", dependencies: [.product(name: "OTPScan", package: "swift-otp")]),
        .executableTarget(name: "FuzzJPEG", dependencies: [.product(name: "OTPScan", package: "swift-otp")]),
        .executableTarget(name: "FuzzWebP", dependencies: [.product(name: "OTPScan", package: "swift-otp")]),
        .executableTarget(name: "FuzzHEIF", dependencies: [.product(name: "OTPScan", package: "swift-otp")]),
        .executableTarget(name: "FuzzURI", dependencies: [.product(name: "OTPCore", package: "swift-otp")]),
        .executableTarget(name: "FuzzMigration", dependencies: [.product(name: "OTPCore", package: "swift-otp")]),
        .executableTarget(
            name: "FuzzTextInputs",
            dependencies: [
                .product(name: "OTPImport", package: "swift-otp"), .product(name: "OTPCrypto", package: "swift-otp"),
            ]),
        .executableTarget(name: "FuzzVaultRecords", dependencies: [.product(name: "OTPVault", package: "swift-otp")]),
        .executableTarget(name: "FuzzSealedBox", dependencies: [.product(name: "OTPCrypto", package: "swift-otp")]),
        .executableTarget(
            name: "FuzzPostgresAnswers", dependencies: [.product(name: "OTPTeam", package: "swift-otp")]),
        .executableTarget(name: "FuzzXWD", dependencies: [.product(name: "OTPCapture", package: "swift-otp")]),
        .executableTarget(name: "FuzzTeamRecord", dependencies: [.product(name: "OTPTeam", package: "swift-otp")]),
    ],
    swiftLanguageModes: [.v6]
)
