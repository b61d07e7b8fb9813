import Testing

@testable import OTPImport

@Suite struct InputReaderTests {
    @Test func textLines() {
        let text = "\u{FEFF}# exported\r\notpauth://totp/a?secret=X\r\n\r\n  QR-Code:otpauth://totp/b?secret=Y  \n#c\n"
        let decoded = TextInput.decode(Array(text.utf8))
        #expect(decoded != nil)
        let lines = TextInput.uriLines(decoded ?? "")
        #expect(lines.map(\.line) == [2, 4])
        #expect(lines.map(\.text) == ["otpauth://totp/a?secret=X", "otpauth://totp/b?secret=Y"])
    }

    @Test func binaryIsNotText() {
        #expect(TextInput.decode([0x00, 0x01, 0x02]) == nil)
        #expect(TextInput.decode([0xC3, 0x28]) == nil)
    }

    @Test func urisStdinAndMissingFiles() {
        let results = InputReader.read(
            ["otpauth://totp/a?secret=X", "-", "/nonexistent/file.png", "otpauth-migration://offline?data=AA"],
            standardInput: { Array("otpauth://totp/s?secret=Z\n".utf8) })
        #expect((try? results[0].get())?.map(\.source) == ["argument 1"])
        #expect((try? results[1].get())?.map(\.source) == ["stdin:1"])
        #expect(results[2].failureValue?.code == "not-found")
        #expect((try? results[3].get())?.map(\.source) == ["argument 2"])
    }
}
