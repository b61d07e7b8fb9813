public import OTPCore

/// Why a code plan cannot be made.
public struct CodePlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}

/// When to make codes so that they are fresh enough to submit, decided once for the command line and the agent:
/// AWS wants two consecutive codes typed and submitted at once, so a pair whose first code has a few seconds left
/// ends up rejected, or the device out of sync. Pure: it returns a time, the caller waits (or not).
public enum CodePlanner {
    /// How far from the real clock a `--once` step may be: `--once` hands out the current step only, so a time in
    /// the future can never mark far-off steps as handed out (team-wide on a team vault).
    public static let onceClockTolerance: Int64 = 60

    /// The time to make codes for: `now`, or the start of the next step of the shortest-period account when the
    /// first code would have fewer than `minRemaining` seconds left.
    ///
    /// - Throws: ``CodePlanError`` when `minRemaining` is not shorter than an account's step (no step could ever
    ///   satisfy it).
    public static func freshTime(
        for accounts: [OTPAccount], at now: Int64, minRemaining: Int?
    ) throws(CodePlanError)
        -> Int64
    {
        guard let minRemaining, minRemaining > 0 else { return now }
        var target = now
        for account in accounts where account.kind == .totp {
            let period = Int64(max(account.period, 1))
            guard Int64(minRemaining) < period else {
                throw CodePlanError(
                    description: "--min-remaining \(minRemaining) is not shorter than the \(period) s step of "
                        + UntrustedText.escaped(account.displayName))
            }
            let left = period - now % period
            if left < Int64(minRemaining) { target = max(target, now + left) }
        }
        return target
    }

    /// Checks that a `--once` request is for the current step (`at` within ``onceClockTolerance`` of `clock`).
    public static func checkOnce(at: Int64, clock: Int64) throws(CodePlanError) {
        guard abs(at - clock) <= onceClockTolerance else {
            throw CodePlanError(
                description: "--once hands out the code of the current step only; it takes no other time (--at)")
        }
    }
}
