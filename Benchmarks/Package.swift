// swift-tools-version:6.1
import PackageDescription

// Stage benchmarks for swift-otp (ordo-one/package-benchmark). Run from this folder:
//   swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "OTPBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "swift-otp", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "OTPBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OTPScan", package: "swift-otp"),
                .product(name: "OTPCore", package: "swift-otp"),
                .product(name: "OTPCrypto", package: "swift-otp"),
                .product(name: "OTPVault", package: "swift-otp"),
            ],
            path: "Benchmarks/OTPBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
