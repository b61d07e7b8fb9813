// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-otp",
    products: [
        .executable(name: "otp", targets: ["otp"]),
        .library(name: "OTPCrypto", targets: ["OTPCrypto"]),
        .library(name: "OTPCore", targets: ["OTPCore"]),
        .library(name: "OTPScan", targets: ["OTPScan"]),
        .library(name: "OTPVault", targets: ["OTPVault"]),
        .library(name: "OTPImport", targets: ["OTPImport"]),
        .library(name: "OTPQRCode", targets: ["OTPQRCode"]),
        .library(name: "OTPTeam", targets: ["OTPTeam"]),
        .library(name: "OTPSession", targets: ["OTPSession"]),
        .library(name: "OTPImportSQLite", targets: ["OTPImportSQLite"]),
        .library(name: "OTPCapture", targets: ["OTPCapture"]),
        .library(name: "OTPAWS", targets: ["OTPAWS"]),
        .library(name: "OTPAgent", targets: ["OTPAgent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CPNG", pkgConfig: "libpng16", providers: [.apt(["libpng-dev"])]),
        // zbar, opened with dlopen on the first scan: Debian's libzbar0 links X11, D-Bus and video4linux, which every
        // `otp code` would map. Headers from libzbar-dev.
        .target(name: "CZBar", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // JPEG (libjpeg-turbo) behind a small C file: libjpeg reports errors with longjmp, which Swift cannot catch.
        .target(name: "CJPEG", linkerSettings: [.linkedLibrary("jpeg")]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        // HEIF (libheif), opened with dlopen on the first HEIC file: linking it would load x265, libaom and dav1d into
        // every process (about 7 ms of start-up for each `otp code`). Headers from libheif-dev.
        .target(name: "CHeif", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Linux calls Swift cannot import (prctl, SO_PEERCRED's struct ucred need _GNU_SOURCE): the agent's process
        // hardening and peer check.
        .target(name: "CSystemShims"),
        // Argon2id (libargon2, the reference implementation): OpenSSL 3.0 has none; Authenticator Pro's backups use it.
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        // XChaCha20-Poly1305 (libsodium): OpenSSL 3.0 has no 24-byte-nonce ChaCha; Ente Auth's exports use it.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(name: "CZip", pkgConfig: "libzip", providers: [.apt(["libzip-dev"])]),
        // libpq (PostgreSQL's own client), opened with dlopen on the first postgresql:// vault: linking it would map
        // libpq, GSSAPI, LDAP and Kerberos into every otp process. Headers from libpq-dev.
        .target(name: "CPostgres", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "OTPCrypto", dependencies: ["COpenSSL", "CArgon2", "CSodium"]),
        .target(name: "OTPCore", dependencies: ["OTPCrypto"]),
        .target(name: "OTPScan", dependencies: ["CPNG", "CJPEG", "CWebP", "CHeif", "CZBar"]),
        // QR codes drawn (libqrencode): show --qr/--png and the Google transfer export.
        .target(name: "OTPQRCode", dependencies: ["CQRencode"]),
        .target(
            name: "OTPVault",
            dependencies: ["OTPCore", "OTPCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "OTPImport", dependencies: ["OTPScan", "OTPCore", "OTPCrypto", "CZip"]),
        // The team vault: the same sealed entries on PostgreSQL (libpq), members holding X25519 keys.
        .target(name: "OTPTeam", dependencies: ["OTPVault", "OTPCrypto", "OTPCore", "CPostgres"]),
        // Imports that are SQLite files: other apps' databases and otp vaults (restore), apart from OTPImport so that
        // `check` and `code --from` on other inputs link no database.
        .target(
            name: "OTPImportSQLite",
            dependencies: [
                "OTPImport", "OTPVault", "OTPCore", "OTPCrypto", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The application's rules, once, for the command line, the agent and library clients: where the vault is,
        // passphrase sources, opening and discarding, import runs, the code planner.
        .target(name: "OTPSession", dependencies: ["OTPCore", "OTPCrypto", "OTPVault", "OTPImport"]),
        // The screen and the clipboard, through the desktop's own command-line tools (grim, gnome-screenshot,
        // spectacle, ImageMagick's import; wl-clipboard, xclip, xsel), run with deadlines and output caps.
        .target(name: "OTPCapture", dependencies: ["OTPScan"]),
        // A virtual MFA device's life through the IAM API, over the user's own `aws` command line.
        .target(name: "OTPAWS", dependencies: ["OTPCore", "OTPCrypto", "OTPCapture", "OTPVault"]),
        // The unlocked agent: one vault held open, codes (CodeService's) over a Unix socket for this user only.
        .target(name: "OTPAgent", dependencies: ["OTPSession", "OTPVault", "OTPCore", "CSystemShims"]),
        .executableTarget(
            name: "otp",
            dependencies: [
                "OTPCore", "OTPScan", "OTPImport", "OTPVault", "OTPQRCode", "OTPTeam", "OTPSession", "OTPImportSQLite",
                "OTPCapture", "OTPAWS", "OTPAgent", "CSystemShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // Seeded random numbers and hex helpers shared by the test targets (not a product).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // CSodium: libsodium checks the Ed25519 signatures OpenSSL makes (an independent implementation).
        .testTarget(name: "OTPCryptoTests", dependencies: ["OTPCrypto", "TestSupport", "CSodium"]),
        .testTarget(name: "OTPCoreTests", dependencies: ["OTPCore", "TestSupport"]),
        .testTarget(name: "OTPScanTests", dependencies: ["OTPScan", "OTPQRCode"]),
        .testTarget(
            name: "OTPVaultTests",
            dependencies: ["OTPVault", "OTPCore", "OTPCrypto", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "OTPImportTests", dependencies: ["OTPImport", "TestSupport"]),
        // The agent in process: its server loop on a thread, the client over a real socket, an injected clock.
        .testTarget(
            name: "OTPAgentTests", dependencies: ["OTPAgent", "OTPSession", "OTPVault", "OTPCore", "OTPCrypto"]),
        .testTarget(
            name: "OTPTeamTests", dependencies: ["OTPTeam", "OTPVault", "OTPCore", "OTPCrypto", "TestSupport"]),
        // A client of the library products only (no @testable): what another program can do with them.
        .testTarget(name: "LibraryClientTests", dependencies: ["OTPCore", "OTPCrypto", "OTPImport", "OTPVault"]),
        .testTarget(
            name: "otpTests",
            dependencies: [
                "otp", "OTPScan", "OTPVault", "OTPCrypto", "OTPCore", "OTPCapture", "OTPAWS", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
