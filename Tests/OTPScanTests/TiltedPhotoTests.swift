import Foundation
import Testing

@testable import OTPScan

/// Issue 27: codes photographed at a strong tilt (see the fixtures' PROVENANCE). Both were missed before: the finder
/// patterns seen on most rows now weigh in the choice of triple, and a close second choice of corner is tried.
@Suite struct TiltedPhotoTests {
    @Test(arguments: [
        ("tilt-60-a.jpg", "user0@298701909130"), ("tilt-60-b.jpg", "user1@690731278518"),
    ])
    func aCodeTurnedSixtyDegreesIsRead(name: String, account: String) throws {
        let bytes = try FileLoader.read(CameraFormatTests.photo(name))
        let texts = try QRReader().read(image: bytes).payloads.compactMap(\.text)
        #expect(texts.count == 1)
        #expect(texts.first?.hasPrefix("otpauth://totp/Amazon%20Web%20Services:\(account)?secret=") == true)
    }
}
