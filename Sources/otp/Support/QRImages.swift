import ArgumentParser
import Foundation
import OTPCore
import OTPCrypto
import OTPQRCode
import OTPScan

#if canImport(Glibc)
    import Glibc
#endif

/// QR codes out: on the terminal, and as PNG files.
enum QRImages {
    /// A QR code of `text` as a PNG image sized to be read from a screen (about 600 pixels, at least 4 per module).
    static func png(_ text: String, pixels target: Int = 640) throws -> [UInt8] {
        let matrix = try QRCodeMatrix(encoding: text)
        let scale = max(4, target / (matrix.size + 8))
        let drawn = matrix.pixels(scale: scale)
        return try PNGEncoder.encode(GrayImage(width: drawn.width, height: drawn.width, pixels: drawn.pixels))
    }

    /// The accounts whose URI fits a QR code, and the others (an issuer or name of thousands of characters).
    static func drawable(_ accounts: [OTPAccount]) -> (fit: [OTPAccount], tooLong: [OTPAccount]) {
        var fit: [OTPAccount] = []
        var tooLong: [OTPAccount] = []
        for account in accounts {
            if (try? QRCodeMatrix(encoding: OTPAuthURI.string(for: account))) != nil {
                fit.append(account)
            } else {
                tooLong.append(account)
            }
        }
        return (fit, tooLong)
    }

    /// `otp show --qr` / `--png FILE`.
    static func show(_ uri: String, png path: String?) throws {
        if let path {
            try SecretOutput.write(SecureBytes(try png(uri)), to: path, force: false)
            Terminal.error("otp: wrote \(path): it holds the secret; delete it once the phone has it")
            return
        }
        let terminal = isatty(STDOUT_FILENO) == 1
        if terminal { Terminal.error("otp: warning: this QR code holds the secret; clear the screen afterwards") }
        Terminal.out(try QRCodeMatrix(encoding: uri).terminalText(colors: terminal))
    }

    /// `otp export --format google -o DIR`: one PNG per transfer payload, `otp-transfer-1-of-N.png`.
    static func writeGoogleImages(_ payloads: SecureBytes, folder: String, force: Bool) throws {
        let lines = payloads.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }.split(separator: "\n")
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw CommandFailure(
                "cannot create the folder \(folder): \(String(cString: strerror(errno)))", code: "unwritable")
        }
        for (index, line) in lines.enumerated() {
            let path = folder + "/otp-transfer-\(index + 1)-of-\(lines.count).png"
            try SecretOutput.write(SecureBytes(try png(String(line))), to: path, force: force)
        }
        Terminal.error("otp: \(lines.count) QR image\(lines.count == 1 ? "" : "s") in \(folder); scan them in order")
    }
}
