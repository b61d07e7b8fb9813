import Foundation

/// Locates the committed fixtures from this file's path, never from the working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func png(_ name: String) -> String { root.appendingPathComponent("png/\(name)").path }

    struct Expectation: Decodable, Sendable {
        let payloads: [String]
        let error: String?
        let note: String
    }

    /// `png/manifest.json`, written by `Scripts/make-fixtures.py` next to the images.
    static let manifest: [String: Expectation] = {
        let url = root.appendingPathComponent("png/manifest.json")
        guard let data = try? Data(contentsOf: url),
            let decoded = try? JSONDecoder().decode([String: Expectation].self, from: data)
        else { return [:] }
        return decoded
    }()

    static var readable: [String] { manifest.filter { $0.value.error == nil }.keys.sorted() }
    static var refused: [String] { manifest.filter { $0.value.error != nil }.keys.sorted() }
}
