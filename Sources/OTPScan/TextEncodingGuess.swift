#if canImport(Glibc)
    import Glibc
#endif

/// Decodes QR byte-mode payloads read in zbar's binary mode: UTF-8 when valid; otherwise Shift_JIS or
/// ISO-8859-1, chosen by the heuristic zxing uses (`StringUtils.guessEncoding`): Shift_JIS when the bytes are
/// valid Shift_JIS and hold runs of double-byte or half-width katakana characters, or when ISO-8859-1 would need
/// C1 control characters; ISO-8859-1 (the QR default) otherwise.
enum TextEncodingGuess {
    static func decode(_ bytes: [UInt8]) -> String {
        if let utf8 = String(validating: bytes, as: UTF8.self) { return utf8 }
        // CP932 (Windows-31J) keeps 0x5C and 0x7E as backslash and tilde, as every QR reader shows them; plain
        // SHIFT_JIS would turn them into yen sign and overline.
        if looksLikeShiftJIS(bytes), let text = convert(bytes, from: "CP932") ?? convert(bytes, from: "SHIFT_JIS") {
            return text
        }
        return latin1(bytes)
    }

    static func latin1(_ bytes: [UInt8]) -> String {
        String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
    }

    /// zxing's statistics, reduced to the two encodings that remain once UTF-8 has failed.
    static func looksLikeShiftJIS(_ bytes: [UInt8]) -> Bool {
        var canBeISO = true
        var canBeSJIS = true
        var isoHighOther = 0
        var sjisBytesLeft = 0
        var katakanaWord = 0
        var maxKatakanaWord = 0
        var katakanaChars = 0
        var doubleByteWord = 0
        var maxDoubleByteWord = 0
        for value in bytes {
            if canBeISO {
                if value > 0x7F && value < 0xA0 {
                    canBeISO = false
                } else if value > 0x9F, value < 0xC0 || value == 0xD7 || value == 0xF7 {
                    isoHighOther += 1
                }
            }
            guard canBeSJIS else { continue }
            if sjisBytesLeft > 0 {
                if value < 0x40 || value == 0x7F || value > 0xFC {
                    canBeSJIS = false
                } else {
                    sjisBytesLeft -= 1
                }
            } else if value == 0x80 || value == 0xA0 || value > 0xEF {
                canBeSJIS = false
            } else if value > 0xA0 && value < 0xE0 {
                katakanaChars += 1
                doubleByteWord = 0
                katakanaWord += 1
                maxKatakanaWord = max(maxKatakanaWord, katakanaWord)
            } else if value > 0x7F {
                sjisBytesLeft += 1
                katakanaWord = 0
                doubleByteWord += 1
                maxDoubleByteWord = max(maxDoubleByteWord, doubleByteWord)
            } else {
                katakanaWord = 0
                doubleByteWord = 0
            }
        }
        if sjisBytesLeft > 0 { canBeSJIS = false }
        guard canBeSJIS else { return false }
        if maxKatakanaWord >= 3 || maxDoubleByteWord >= 3 { return true }
        if canBeISO { return (maxKatakanaWord == 2 && katakanaChars == 2) || isoHighOther * 10 >= bytes.count }
        return true
    }

    /// The corresponding C functions are `iconv_open`, `iconv` and `iconv_close`.
    static func convert(_ bytes: [UInt8], from encoding: String) -> String? {
        let descriptor = iconv_open("UTF-8", encoding)
        guard descriptor != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(descriptor) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        var inputLeft = input.count
        var outputLeft = output.count
        let status = input.withUnsafeMutableBytes { inRaw in
            output.withUnsafeMutableBytes { outRaw in
                var inPointer = inRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                var outPointer = outRaw.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(descriptor, &inPointer, &inputLeft, &outPointer, &outputLeft)
            }
        }
        guard status != -1, inputLeft == 0 else { return nil }
        return String(validating: output.prefix(output.count - outputLeft), as: UTF8.self)
    }
}
