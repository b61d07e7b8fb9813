import Benchmark
import Foundation
import OTPCore
import OTPCrypto
@_spi(Benchmarks) import OTPScan
import OTPVault

// Stage benchmarks: where the time of `otp scan` and `otp code` goes. Fixtures come from the root package.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/png").path

func load(_ name: String) -> [UInt8] {
    (try? FileLoader.read(fixtures + "/" + name)) ?? []
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal], maxDuration: .seconds(3),
        maxIterations: 200)

    let png4K = load("console-4k-rgba.png")
    let png1080 = load("console-1080p.png")
    let pngDark = load("console-1080p-dark.png")
    let pngNoCode = load("no-code.png")
    let pngNoCode4K = load("no-code-4k.png")
    let gray4K = (try? PNGDecoder.decode(png4K).image) ?? GrayImage(width: 1, height: 1, fill: 0)
    let gray1080 = (try? PNGDecoder.decode(png1080).image) ?? GrayImage(width: 1, height: 1, fill: 0)
    let grayDark = (try? PNGDecoder.decode(pngDark).image) ?? GrayImage(width: 1, height: 1, fill: 0)

    // Decoding (libpng, colour → gray, alpha composited).
    Benchmark("PNG decode 1080p RGB") { _ in blackHole(try PNGDecoder.decode(png1080)) }
    Benchmark("PNG decode 4K RGBA") { _ in blackHole(try PNGDecoder.decode(png4K)) }

    // Image operations.
    Benchmark("downscale ÷2 4K") { _ in blackHole(gray4K.downscaled(by: 2)) }
    Benchmark("invert 1080p") { _ in blackHole(gray1080.inverted()) }
    Benchmark("binarize 1080p") { _ in blackHole(gray1080.binarized()) }

    // Single passes (zbar included).
    Benchmark("pass as-is 1080p") { _ in
        let reader = try QRReader()
        blackHole(reader.run(.asIs, on: gray1080))
    }
    Benchmark("pass inverted 1080p dark") { _ in
        let reader = try QRReader()
        blackHole(reader.run(.inverted, on: grayDark))
    }
    Benchmark("pass downscaled ÷2 4K") { _ in
        let reader = try QRReader()
        blackHole(reader.run(.downscaled(2), on: gray4K))
    }
    Benchmark("pass binarized 1080p") { _ in
        let reader = try QRReader()
        blackHole(reader.run(.binarized, on: gray1080))
    }

    // The other passes, on a 0.5-megapixel photo-sized image (where they run) and on 1080p.
    let photo = gray1080.downscaled(by: 2)
    for pass in [ScanPass.upscaled(2), .binarizedInverted] {
        Benchmark("pass \(pass) 1080p") { _ in
            let reader = try QRReader()
            blackHole(reader.run(pass, on: gray1080))
        }
    }
    for pass in [ScanPass.smoothed, .scaled(200), .reduced(3), .rotated45] {
        Benchmark("pass \(pass) 960×540") { _ in
            let reader = try QRReader()
            blackHole(reader.run(pass, on: photo))
        }
    }
    let thumbnail = photo.downscaled(by: 3)
    Benchmark("pass \(ScanPass.paddedEnlarged) 320×180") { _ in
        let reader = try QRReader()
        blackHole(reader.run(.paddedEnlarged, on: thumbnail))
    }

    // Whole scans from PNG bytes.
    Benchmark("scan 4K RGBA screenshot") { _ in blackHole(try QRReader().read(png: png4K)) }
    Benchmark("scan 1080p screenshot") { _ in blackHole(try QRReader().read(png: png1080)) }
    Benchmark("scan 1080p dark screenshot") { _ in blackHole(try QRReader().read(png: pngDark)) }
    Benchmark("scan 720p without code") { _ in blackHole(try? QRReader().read(png: pngNoCode)) }
    Benchmark("PNG decode 4K RGBA without code") { _ in blackHole(try PNGDecoder.decode(pngNoCode4K)) }
    Benchmark("scan 4K RGBA without code") { _ in blackHole(try? QRReader().read(png: pngNoCode4K)) }
    Benchmark("finder-pattern check 4K") { _ in blackHole(FinderPatternDetector.mightContainCode(gray4K)) }

    // Provisioning URIs and codes.
    let uri =
        "otpauth://totp/Amazon%20Web%20Services:alice@123456789012"
        + "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Amazon%20Web%20Services"
    Benchmark("URI parse ×1000", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(OTPAuthURI.parse(uri)) }
    }
    let account = OTPAccount(
        kind: .hotp, issuer: "RFC", name: "4226", secret: SecureBytes(Array("12345678901234567890".utf8)))
    Benchmark("HOTP-SHA1 code ×1000", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let generator = try OTPGenerator(account: account)
        for i in benchmark.scaledIterations { blackHole(generator.value(counter: UInt64(i))) }
    }
    // Vault: unlocking is scrypt at the default cost; listing decrypts every entry.
    Benchmark("scrypt N=2^15 r=8 p=1 (vault unlock)", configuration: .init(maxIterations: 20)) { _ in
        blackHole(
            try KeyDerivation.scrypt(
                passphrase: SecureBytes(Array("benchmark passphrase".utf8)), salt: [UInt8](repeating: 7, count: 32),
                parameters: .default))
    }
    let vaultPath = FileManager.default.temporaryDirectory.appendingPathComponent("otp-bench-\(getpid())/vault.sqlite")
        .path
    Benchmark("vault entries() with 1000 accounts", configuration: .init(maxIterations: 50)) { benchmark in
        let storage = try SQLiteVaultStorage(path: vaultPath, create: true)
        let vault = try Vault.open(
            storage: storage, passphrase: SecureBytes(Array("p".utf8)), create: true, kdf: .init(n: 1 << 10, r: 8, p: 1)
        ).vault
        if try vault.entries().isEmpty {
            _ = try vault.add(
                (0..<1000).map { i in
                    OTPAccount(
                        issuer: "Bench", name: "user\(i)", secret: SecureBytes(Array("secret number \(i) padded".utf8)))
                })
        }
        benchmark.startMeasurement()
        blackHole(try vault.entries())
        benchmark.stopMeasurement()
        try vault.close()
    }
    Benchmark("HOTP-SHA1 code, new generator each ×1000", configuration: .init(scalingFactor: .kilo)) { benchmark in
        for i in benchmark.scaledIterations { blackHole(try OTPGenerator(account: account).value(counter: UInt64(i))) }
    }
}
