import Foundation

/// One parameter of a statement, as libpq receives it: text (the server infers or casts the type from `oid`), or
/// bytes sent in binary format (`bytea`, never escaped).
struct PQValue: Sendable, Equatable {
    /// The parameter's type (`pg_type.oid`): 25 text, 17 bytea, 20 int8, 23 int4, 1009 text[], 1001 bytea[],
    /// 1007 int4[], 1016 int8[].
    let oid: UInt32
    /// The text form, or the binary form of a `bytea`; nil is SQL NULL.
    let bytes: [UInt8]?
    /// Whether `bytes` is binary (libpq's `paramFormats` 1).
    let binary: Bool

    static func text(_ text: String?, oid: UInt32 = 25) -> PQValue {
        PQValue(oid: oid, bytes: text.map { Array($0.utf8) }, binary: false)
    }

    static func bytea(_ bytes: [UInt8]?) -> PQValue { PQValue(oid: 17, bytes: bytes, binary: true) }
}

/// A statement with its parameters. Interpolated values become `$1`, `$2`, … (never spliced into the SQL), as in
/// PostgreSQL's `testlibpq3.c`; ``init(unsafeSQL:)`` is for fixed SQL only.
struct PQQuery: ExpressibleByStringInterpolation, Sendable {
    private(set) var sql: String
    private(set) var parameters: [PQValue]

    init(unsafeSQL sql: String) {
        self.sql = sql
        parameters = []
    }

    init(stringLiteral value: String) { self.init(unsafeSQL: value) }

    init(stringInterpolation: Interpolation) {
        sql = stringInterpolation.sql
        parameters = stringInterpolation.parameters
    }

    struct Interpolation: StringInterpolationProtocol {
        var sql = ""
        var parameters: [PQValue] = []

        init(literalCapacity: Int, interpolationCount: Int) { sql.reserveCapacity(literalCapacity) }

        mutating func appendLiteral(_ literal: String) { sql += literal }

        private mutating func bind(_ value: PQValue) {
            parameters.append(value)
            // Its type goes to libpq with it (`paramTypes`), so an untyped context (`SELECT $1`) never guesses.
            sql += "$\(parameters.count)"
        }

        /// Trusted SQL (a constant column list), spliced in as it is.
        mutating func appendInterpolation(unsafe sql: String) { self.sql += sql }
        mutating func appendInterpolation(_ value: String?) { bind(.text(value)) }
        mutating func appendInterpolation(_ value: Int64) { bind(.text(String(value), oid: 20)) }
        mutating func appendInterpolation(_ value: Int64?) { bind(.text(value.map(String.init), oid: 20)) }
        mutating func appendInterpolation(_ value: Int32) { bind(.text(String(value), oid: 23)) }
        mutating func appendInterpolation(_ value: [UInt8]) { bind(.bytea(value)) }
        mutating func appendInterpolation(_ value: Data) { bind(.bytea(Array(value))) }
        mutating func appendInterpolation(_ value: [String]) { bind(.text(PQArray.literal(value), oid: 1009)) }
        mutating func appendInterpolation(_ value: [Int32]) {
            bind(.text(PQArray.literal(value.map(String.init)), oid: 1007))
        }
        mutating func appendInterpolation(_ value: [Int64]) {
            bind(.text(PQArray.literal(value.map(String.init)), oid: 1016))
        }
        mutating func appendInterpolation(_ value: [[UInt8]]) {
            bind(.text(PQArray.literal(value.map(PQArray.byteaText)), oid: 1001))
        }
    }
}

/// PostgreSQL's text forms of arrays and `bytea` (the documentation's "Array Value Input" and "bytea Hex Format").
enum PQArray {
    /// `{"a","b\"c"}`: every element quoted, `"` and `\` escaped, so commas, braces, spaces and `NULL` stay text.
    static func literal(_ elements: [String]) -> String {
        "{"
            + elements.map { element in
                var quoted = "\""
                for character in element {
                    if character == "\"" || character == "\\" { quoted.append("\\") }
                    quoted.append(character)
                }
                return quoted + "\""
            }.joined(separator: ",") + "}"
    }

    /// `\x0a1b…`.
    static func byteaText(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 15)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a `bytea` in hex output format (`bytea_output = hex`, the default since 9.0); nil if malformed.
    static func bytea(fromText text: [UInt8]) -> [UInt8]? {
        guard text.count >= 2, text.count % 2 == 0, text[0] == UInt8(ascii: "\\"), text[1] == UInt8(ascii: "x")
        else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((text.count - 2) / 2)
        var index = 2
        while index < text.count {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The elements of a one-dimensional integer array's text form (`{1,2,3}`, `{}`); nil if malformed or NULL
    /// elements.
    static func integers(fromText text: String) -> [Int64]? {
        guard text.first == "{", text.last == "}" else { return nil }
        let inner = text.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        var values: [Int64] = []
        for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
            guard let value = Int64(part) else { return nil }
            values.append(value)
        }
        return values
    }
}

/// One row of a result, copied out of libpq's `PGresult` before it is cleared: each column's text form, or nil for
/// NULL.
struct PQRow: Sendable {
    let values: [[UInt8]?]

    struct DecodeError: Error, CustomStringConvertible {
        let description: String
    }

    private func value(_ column: Int) throws -> [UInt8]? {
        guard values.indices.contains(column) else { throw DecodeError(description: "no column \(column)") }
        return values[column]
    }

    private func required(_ column: Int) throws -> [UInt8] {
        guard let value = try value(column) else { throw DecodeError(description: "column \(column) is NULL") }
        return value
    }

    func string(_ column: Int) throws -> String {
        guard let text = String(validating: try required(column), as: UTF8.self) else {
            throw DecodeError(description: "column \(column) is not UTF-8")
        }
        return text
    }

    func optionalString(_ column: Int) throws -> String? {
        try value(column) == nil ? nil : try string(column)
    }

    func int64(_ column: Int) throws -> Int64 {
        guard let value = Int64(try string(column)) else {
            throw DecodeError(description: "column \(column) is not an integer")
        }
        return value
    }

    func optionalInt64(_ column: Int) throws -> Int64? {
        try value(column) == nil ? nil : try int64(column)
    }

    func int32(_ column: Int) throws -> Int32 {
        guard let value = Int32(exactly: try int64(column)) else {
            throw DecodeError(description: "column \(column) is out of range")
        }
        return value
    }

    func optionalInt32(_ column: Int) throws -> Int32? {
        try value(column) == nil ? nil : try int32(column)
    }

    func bytes(_ column: Int) throws -> [UInt8] {
        guard let bytes = PQArray.bytea(fromText: try required(column)) else {
            throw DecodeError(description: "column \(column) is not bytea")
        }
        return bytes
    }

    func optionalBytes(_ column: Int) throws -> [UInt8]? {
        try value(column) == nil ? nil : try bytes(column)
    }

    func int32Array(_ column: Int) throws -> [Int32] {
        guard let values = PQArray.integers(fromText: try string(column)),
            let narrowed = Optional(values.compactMap { Int32(exactly: $0) }), narrowed.count == values.count
        else { throw DecodeError(description: "column \(column) is not an integer array") }
        return narrowed
    }
}
