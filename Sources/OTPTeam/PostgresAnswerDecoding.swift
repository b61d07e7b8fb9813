/// Entry points for fuzzing the decoders of what a PostgreSQL server answers (the `Fuzz/` package): whoever runs
/// the server chooses these bytes. Not API.
@_spi(Fuzzing)
public enum PostgresAnswerDecoding {
    /// Decodes `bytes` as every column kind the team vault reads (text, integers, `bytea` hex, integer arrays),
    /// and checks that what encodes round-trips: a decoded `bytea` re-encodes to the same hex, and an array
    /// literal of arbitrary text decodes back. Never traps.
    public static func decode(_ bytes: [UInt8]) {
        let row = PQRow(values: [bytes, nil])
        _ = try? row.string(0)
        _ = try? row.int64(0)
        _ = try? row.int32(0)
        _ = try? row.optionalInt32(1)
        _ = try? row.int32Array(0)
        if let decoded = try? row.bytes(0) {
            let text = Array(PQArray.byteaText(decoded).utf8)
            guard PQArray.bytea(fromText: text) == decoded else { fatalError("bytea did not round-trip") }
        }
        let elements = String(decoding: bytes, as: UTF8.self).split(separator: ",").map(String.init)
        _ = PQArray.literal(elements)
    }
}
