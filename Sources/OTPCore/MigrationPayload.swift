import OTPCrypto

/// Why an `otpauth-migration://` payload could not be read.
public enum MigrationPayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not an `otpauth-migration://` URI.
    case notMigrationURI
    /// No `data=` parameter.
    case missingData
    /// `data` is not standard Base64 (after percent-decoding) at a 1-based character position.
    case invalidBase64(position: Int)
    /// The protobuf ends inside a field (at a byte offset).
    case truncated(offset: Int)
    /// A varint longer than 10 bytes.
    case malformedVarint(offset: Int)
    /// A known field with the wrong wire type.
    case wrongWireType(field: String, wireType: Int)
    /// A wire type protobuf does not define (3, 4 are deprecated groups, 6 and 7 do not exist).
    case unsupportedWireType(Int, offset: Int)
    /// A string field that is not UTF-8.
    case invalidUTF8(field: String)
    /// Batch fields that cannot describe a part of a batch (index outside `0..<size`, size below 1 or above
    /// ``MigrationPayload/maximumBatchSize``).
    case invalidBatch(index: Int32, size: Int32)
    /// The URI has more than one `data=` parameter (which one would be meant is unknowable).
    case duplicateData
    /// The Base64 text ends in bits that belong to no byte (the last character was altered or cut).
    case strayBits

    public var description: String {
        switch self {
        case .notMigrationURI: "not an otpauth-migration:// URI"
        case .missingData: "the otpauth-migration URI has no data parameter"
        case .invalidBase64(let position): "the data parameter is not Base64 (character \(position))"
        case .truncated(let offset): "the export data is truncated (it ends inside a field at byte \(offset))"
        case .malformedVarint(let offset): "the export data is damaged (an over-long number at byte \(offset))"
        case .wrongWireType(let field, let wireType):
            "the export data is damaged (field \(field) has wire type \(wireType))"
        case .unsupportedWireType(let type, let offset):
            "the export data is damaged (wire type \(type) at byte \(offset))"
        case .invalidUTF8(let field): "the export data is damaged (\(field) is not UTF-8 text)"
        case .invalidBatch(let index, let size):
            "the export's batch fields say part \(Int64(index) + 1) of \(size), which no export writes (parts 1 to "
                + "\(MigrationPayload.maximumBatchSize) of at most \(MigrationPayload.maximumBatchSize))"
        case .duplicateData: "the otpauth-migration URI has more than one data parameter"
        case .strayBits: "the data parameter is not Base64 (it ends in bits that belong to no byte)"
        }
    }
}

/// Google Authenticator's "Transfer accounts" payload: the protobuf `MigrationPayload` carried Base64-encoded in
/// `otpauth-migration://offline?data=…`, decoded and encoded by a hand-written wire codec.
///
/// Schema (Google Authenticator's `migration.proto`): `MigrationPayload { repeated OtpParameters otp_parameters = 1;
/// int32 version = 2; int32 batch_size = 3; int32 batch_index = 4; int32 batch_id = 5; }` and
/// `OtpParameters { bytes secret = 1; string name = 2; string issuer = 3; Algorithm algorithm = 4;
/// DigitCount digits = 5; OtpType type = 6; int64 counter = 7; }`.
///
/// A hand-written codec rather than swift-protobuf: seven fields do not justify a plugin build measured at
/// minutes on two cores, and the decoder can be strict about lengths and wire types. Unknown fields are skipped.
public struct MigrationPayload: Sendable, Equatable {
    /// One exported account, with the protobuf's raw enum values.
    public struct Entry: Sendable, Equatable {
        /// Key bytes.
        public var secret: SecureBytes
        /// The name field as exported (Google writes `issuer:account` or just `account`).
        public var name: String
        /// The issuer field (may be empty).
        public var issuer: String
        /// 0 unspecified, 1 SHA1, 2 SHA256, 3 SHA512, 4 MD5.
        public var algorithm: Int
        /// 0 unspecified, 1 six, 2 eight.
        public var digits: Int
        /// 0 unspecified, 1 HOTP, 2 TOTP.
        public var type: Int
        /// HOTP counter.
        public var counter: Int64

        /// Creates an entry.
        public init(
            secret: SecureBytes, name: String, issuer: String, algorithm: Int = 1, digits: Int = 1, type: Int = 2,
            counter: Int64 = 0
        ) {
            self.secret = secret
            self.name = name
            self.issuer = issuer
            self.algorithm = algorithm
            self.digits = digits
            self.type = type
            self.counter = counter
        }
    }

    /// The accounts in this part of the export.
    public var entries: [Entry]
    /// Format version (1).
    public var version: Int32
    /// How many QR codes the export has.
    public var batchSize: Int32
    /// This QR code's 0-based position in the export.
    public var batchIndex: Int32
    /// Identifies the export; all of its QR codes share it.
    public var batchID: Int32

    /// Creates a payload.
    public init(entries: [Entry], version: Int32 = 1, batchSize: Int32 = 1, batchIndex: Int32 = 0, batchID: Int32 = 0) {
        self.entries = entries
        self.version = version
        self.batchSize = batchSize
        self.batchIndex = batchIndex
        self.batchID = batchID
    }

    /// Whether `text` starts with `otpauth-migration://` (case-insensitive).
    public static func hasScheme(_ text: String) -> Bool {
        text.utf8.count >= 20 && text.prefix(20).lowercased() == "otpauth-migration://"
    }

    /// Decodes an `otpauth-migration://offline?data=…` URI. `data` is percent-decoded, then read as standard
    /// Base64 with or without padding; a literal `+` stays `+` (it is a Base64 digit, not a space).
    ///
    /// - Throws: ``MigrationPayloadError``.
    public init(uri: String) throws(MigrationPayloadError) {
        guard Self.hasScheme(uri) else { throw .notMigrationURI }
        guard let queryStart = uri.firstIndex(of: "?") else { throw .missingData }
        var data: Substring?
        for pair in uri[uri.index(after: queryStart)...].split(separator: "&")
        where pair.lowercased().hasPrefix("data=") {
            guard data == nil else { throw .duplicateData }
            data = pair.dropFirst(5)
        }
        guard let data else { throw .missingData }
        let base64: [UInt8]
        do throws(PercentEncoding.MalformedEscape) {
            base64 = try PercentEncoding.decode(data)
        } catch {
            throw .invalidBase64(position: error.offset)
        }
        try self.init(protobuf: Self.decodeBase64(base64))
    }

    /// Decodes the protobuf bytes.
    ///
    /// - Throws: ``MigrationPayloadError``.
    public init(protobuf bytes: [UInt8]) throws(MigrationPayloadError) {
        var reader = WireReader(bytes: bytes[...])
        var entries: [Entry] = []
        var version: Int32 = 0
        var batchSize: Int32 = 0
        var batchIndex: Int32 = 0
        var batchID: Int32 = 0
        while let (field, wireType) = try reader.nextTag() {
            switch field {
            case 1:
                guard wireType == 2 else { throw .wrongWireType(field: "otp_parameters", wireType: wireType) }
                entries.append(try Self.decodeEntry(try reader.lengthDelimited()))
            case 2: version = try reader.int32(field: "version", wireType: wireType)
            case 3: batchSize = try reader.int32(field: "batch_size", wireType: wireType)
            case 4: batchIndex = try reader.int32(field: "batch_index", wireType: wireType)
            case 5: batchID = try reader.int32(field: "batch_id", wireType: wireType)
            default: try reader.skip(wireType: wireType)
            }
        }
        // proto3 omits zero fields: a payload with no batch fields at all (size 0, index 0) is one whole part.
        if batchSize == 0, batchIndex == 0 { batchSize = 1 }
        guard batchSize >= 1, batchSize <= Self.maximumBatchSize, batchIndex >= 0, batchIndex < batchSize else {
            throw .invalidBatch(index: batchIndex, size: batchSize)
        }
        self.init(entries: entries, version: version, batchSize: batchSize, batchIndex: batchIndex, batchID: batchID)
    }

    /// The most parts a batch may have. Google Authenticator puts about ten accounts in a part; a thousand parts
    /// is far beyond any phone, and keeps every list of missing parts small.
    public static let maximumBatchSize: Int32 = 1000

    private static func decodeEntry(_ bytes: ArraySlice<UInt8>) throws(MigrationPayloadError) -> Entry {
        var reader = WireReader(bytes: bytes)
        var entry = Entry(secret: SecureBytes([]), name: "", issuer: "", algorithm: 0, digits: 0, type: 0, counter: 0)
        while let (field, wireType) = try reader.nextTag() {
            switch field {
            case 1:
                guard wireType == 2 else { throw .wrongWireType(field: "secret", wireType: wireType) }
                entry.secret = SecureBytes(try reader.lengthDelimited())
            case 2: entry.name = try reader.string(field: "name", wireType: wireType)
            case 3: entry.issuer = try reader.string(field: "issuer", wireType: wireType)
            case 4: entry.algorithm = Int(try reader.int32(field: "algorithm", wireType: wireType))
            case 5: entry.digits = Int(try reader.int32(field: "digits", wireType: wireType))
            case 6: entry.type = Int(try reader.int32(field: "type", wireType: wireType))
            case 7:
                guard wireType == 0 else { throw .wrongWireType(field: "counter", wireType: wireType) }
                entry.counter = Int64(bitPattern: try reader.varint())
            default: try reader.skip(wireType: wireType)
            }
        }
        return entry
    }

    /// The protobuf encoding (fields in schema order, default values omitted as proto3 does).
    public func protobuf() -> [UInt8] {
        var out = WireWriter()
        for entry in entries {
            var inner = WireWriter()
            entry.secret.withUnsafeBytes { inner.bytes(1, Array($0)) }
            inner.bytes(2, Array(entry.name.utf8))
            inner.bytes(3, Array(entry.issuer.utf8))
            inner.varint(4, UInt64(bitPattern: Int64(entry.algorithm)))
            inner.varint(5, UInt64(bitPattern: Int64(entry.digits)))
            inner.varint(6, UInt64(bitPattern: Int64(entry.type)))
            inner.varint(7, UInt64(bitPattern: entry.counter))
            // An element of a repeated field is written even when empty (all defaults): dropping it would lose an
            // entry (found by the FuzzMigration target).
            out.message(1, inner.buffer)
        }
        out.varint(2, UInt64(bitPattern: Int64(version)))
        out.varint(3, UInt64(bitPattern: Int64(batchSize)))
        out.varint(4, UInt64(bitPattern: Int64(batchIndex)))
        out.varint(5, UInt64(bitPattern: Int64(batchID)))
        return out.buffer
    }

    /// The `otpauth-migration://offline?data=…` URI (Base64 with padding, `+`, `/` and `=` percent-encoded).
    /// It contains secrets: never log it.
    public func uri() -> String {
        "otpauth-migration://offline?data=" + PercentEncoding.encode(Self.encodeBase64(protobuf()), keepingAt: false)
    }

    /// Each entry as a validated account, checked by the same rules and messages as an `otpauth://` URI
    /// (``OTPAuthURI/check(_:diagnostics:)``): the entry's numeric fields become the URI's parameters.
    ///
    /// The issuer prefix Google Authenticator writes into names (`Test1:test1@example1.com` with issuer `Test1`)
    /// is removed when it equals the issuer; a name with a colon but no matching issuer is kept whole. Period is
    /// always 30 s (the format has no field for it).
    public func accounts() -> [URICheck] {
        entries.map { entry in
            let issuer = entry.issuer.isEmpty ? nil : entry.issuer
            var name = entry.name
            if let issuer, name.hasPrefix(issuer + ":") {
                name = String(name.dropFirst(issuer.count + 1).drop { $0 == " " })
            }
            var parameters: [String: String] = [:]
            // Values no URI can spell (enum numbers outside the schema) are diagnosed here, with the codes the URI
            // rules use; everything else goes through the URI rules.
            var decoding: [Diagnostic] = []
            if let issuer { parameters["issuer"] = issuer }
            switch entry.algorithm {
            case 0, 1: parameters["algorithm"] = "SHA1"
            case 2: parameters["algorithm"] = "SHA256"
            case 3: parameters["algorithm"] = "SHA512"
            case 4: parameters["algorithm"] = "MD5"
            default:
                decoding.append(
                    Diagnostic(
                        .error, .algorithm, .unsupportedAlgorithm, "unknown algorithm value \(entry.algorithm)"))
            }
            switch entry.digits {
            case 0, 1: parameters["digits"] = "6"
            case 2: parameters["digits"] = "8"
            default:
                decoding.append(
                    Diagnostic(.error, .digits, .digitsOutOfRange, "unknown digit count value \(entry.digits)"))
            }
            var type = "totp"
            switch entry.type {
            case 0, 2: break
            case 1:
                type = "hotp"
                parameters["counter"] = String(entry.counter)
            default:
                decoding.append(Diagnostic(.error, .type, .unknownType, "unknown OTP type value \(entry.type)"))
            }
            return OTPAuthURI.check(
                OTPAuthURI.Fields(type: type, name: name, parameters: parameters, secretBytes: entry.secret),
                diagnostics: decoding)
        }
    }

    // MARK: Base64 (RFC 4648 §4, standard alphabet)

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encodeBase64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let n = b0 << 16 | b1 << 8 | b2
            out.append(base64Alphabet[Int(n >> 18 & 63)])
            out.append(base64Alphabet[Int(n >> 12 & 63)])
            out.append(i + 1 < bytes.count ? base64Alphabet[Int(n >> 6 & 63)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? base64Alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict standard Base64: padding optional, but only at the end; no whitespace, no URL-safe digits.
    static func decodeBase64(_ text: [UInt8]) throws(MigrationPayloadError) -> [UInt8] {
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard text.count - end <= 2 else { throw .invalidBase64(position: end + 3) }
        guard end % 4 != 1 else { throw .invalidBase64(position: end) }
        var out: [UInt8] = []
        out.reserveCapacity(end * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for (index, byte) in text[..<end].enumerated() {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: throw .invalidBase64(position: index + 1)
            }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
                buffer &= (1 << UInt32(bits)) - 1
            }
        }
        // RFC 4648 §3.5: the pad bits of the last character must be zero.
        guard buffer == 0 else { throw .strayBits }
        return out
    }
}

/// Reads protobuf wire format, checking every length against what is left.
private struct WireReader {
    var bytes: ArraySlice<UInt8>

    var offset: Int { bytes.startIndex }

    mutating func varint() throws(MigrationPayloadError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = bytes.startIndex
        while true {
            guard let byte = bytes.first else { throw .truncated(offset: start) }
            bytes = bytes.dropFirst()
            guard shift < 64 else { throw .malformedVarint(offset: start) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func nextTag() throws(MigrationPayloadError) -> (Int, Int)? {
        guard !bytes.isEmpty else { return nil }
        let start = offset
        let tag = try varint()
        let wireType = Int(tag & 7)
        let field = tag >> 3
        guard field > 0, field <= UInt64(Int32.max) else { throw .malformedVarint(offset: start) }
        return (Int(field), wireType)
    }

    mutating func lengthDelimited() throws(MigrationPayloadError) -> ArraySlice<UInt8> {
        let start = offset
        let length = try varint()
        guard length <= UInt64(bytes.count) else { throw .truncated(offset: start) }
        let value = bytes.prefix(Int(length))
        bytes = bytes.dropFirst(Int(length))
        return value
    }

    mutating func int32(field: String, wireType: Int) throws(MigrationPayloadError) -> Int32 {
        guard wireType == 0 else { throw .wrongWireType(field: field, wireType: wireType) }
        return Int32(truncatingIfNeeded: Int64(bitPattern: try varint()))
    }

    mutating func string(field: String, wireType: Int) throws(MigrationPayloadError) -> String {
        guard wireType == 2 else { throw .wrongWireType(field: field, wireType: wireType) }
        guard let text = String(validating: try lengthDelimited(), as: UTF8.self) else {
            throw .invalidUTF8(field: field)
        }
        return text
    }

    mutating func skip(wireType: Int) throws(MigrationPayloadError) {
        switch wireType {
        case 0: _ = try varint()
        case 1, 5:
            let size = wireType == 1 ? 8 : 4
            guard bytes.count >= size else { throw .truncated(offset: offset) }
            bytes = bytes.dropFirst(size)
        case 2: _ = try lengthDelimited()
        default: throw .unsupportedWireType(wireType, offset: offset)
        }
    }
}

/// Writes protobuf wire format.
private struct WireWriter {
    var buffer: [UInt8] = []

    mutating func rawVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            buffer.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        buffer.append(UInt8(v))
    }

    mutating func varint(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        rawVarint(UInt64(field) << 3)
        rawVarint(value)
    }

    mutating func message(_ field: Int, _ value: [UInt8]) {
        rawVarint(UInt64(field) << 3 | 2)
        rawVarint(UInt64(value.count))
        buffer += value
    }

    mutating func bytes(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        rawVarint(UInt64(field) << 3 | 2)
        rawVarint(UInt64(value.count))
        buffer += value
    }
}
