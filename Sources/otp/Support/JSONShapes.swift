/// `{"code": String, "message": String}`: a rejected input's error in JSON output.
struct JSONError: Encodable {
    let code: String
    let message: String
}

/// One element of `otp scan --json`: `{"file", "payloads", "error": null | JSONError}`.
struct ScanFileJSON: Encodable {
    let file: String
    let payloads: [String]
    let error: JSONError?

    enum CodingKeys: String, CodingKey { case file, payloads, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(payloads, forKey: .payloads)
        try container.encode(error, forKey: .error)  // explicit null, as the contract says
    }
}
