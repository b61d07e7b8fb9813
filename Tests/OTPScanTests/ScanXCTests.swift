import XCTest

@_spi(Benchmarks) @testable import OTPScan

/// XCTest keeps the runner's closing line ("Executed N tests") meaningful; the suites are in Swift Testing.
final class ScanXCTests: XCTestCase {
    func testConsoleScreenshot() throws {
        let outcome = try QRReader().read(contentsOf: Fixtures.png("console-1080p.png"))
        XCTAssertEqual(outcome.payloads.map(\.text), Fixtures.manifest["console-1080p.png"]?.payloads)
    }
}
