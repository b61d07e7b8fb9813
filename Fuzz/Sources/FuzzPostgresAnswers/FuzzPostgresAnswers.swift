@_spi(Fuzzing) import OTPTeam

/// A column value as a hostile PostgreSQL server could send it, through every decoder the team vault uses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    PostgresAnswerDecoding.decode(Array(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}
