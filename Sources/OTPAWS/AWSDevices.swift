import Foundation
public import OTPCore
import OTPCrypto

/// A virtual MFA device's life through the IAM API: enrol (create, store, enable, with cleanup when a step fails),
/// resync, retire, list beside the vault, and session credentials. The vault is reached through the closures the
/// caller gives (it owns the opened vault); no step here prints.
public struct AWSDevices: Sendable {
    public let cli: AWSCLI

    public init(cli: AWSCLI) { self.cli = cli }

    /// The caller's user name and account id (`sts get-caller-identity`); the user is `nil` for a role.
    public func caller() throws(AWSError) -> (user: String?, account: String, callerArn: String) {
        let identity = try cli.call(
            "sts", "get-caller-identity", [], operation: "GetCallerIdentity", as: AWSAnswers.CallerIdentity.self
        ).answer
        // arn:aws:iam::123456789012:user/path/alice → alice; an assumed role has no user.
        let resource = identity.Arn.split(separator: ":", maxSplits: 5).last.map(String.init) ?? ""
        let user = resource.hasPrefix("user/") ? resource.split(separator: "/").last.map(String.init) : nil
        return (user, identity.Account, identity.Arn)
    }

    /// `arn:aws:iam::123456789012:root`.
    static func isRoot(arn: String) -> Bool { arn.hasSuffix(":root") }

    /// The default device name: `otp-USER-YYYYMMDD-HHMMSS` (UTC), unique per second, so a retry or a rotation never
    /// meets `EntityAlreadyExists`. IAM allows `[\w+=,.@-]`, 128 characters at most.
    public static func deviceName(user: String, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safe = String(
            user.unicodeScalars.filter {
                CharacterSet.alphanumerics.contains($0) || "+=,.@_-".unicodeScalars.contains($0)
            })
        return String("otp-\(safe)-\(formatter.string(from: date))".prefix(128))
    }

    /// What an enrolment made.
    public struct Enrolled: Sendable {
        public let serial: String
        public let user: String
        public let vaultID: String
        public let account: OTPAccount
    }

    /// Two consecutive codes, both fresh: the first with at least `minRemaining` seconds left, waiting for the next
    /// step when it has fewer.
    public static func freshPair(
        _ account: OTPAccount, minRemaining: Int64 = 5, now: () -> Int64, wait: (Int64) -> Void
    ) throws -> [String] {
        var time = now()
        let period = Int64(max(account.period, 1))
        if period - time % period < minRemaining {
            let next = time - time % period + period
            wait(next)
            time = max(next, now())
        }
        return try OTPGenerator(account: account).codes(at: time, count: 2).map(\.value)
    }

    /// Enrols a new virtual MFA device for `user` (the caller's own user when `nil`): creates it with the seed
    /// delivered on a pipe (never a file), stores the account with its serial in one vault transaction, waits for
    /// two fresh consecutive codes and enables it. When a step after the creation fails the device is deleted and
    /// the vault entry removed, and the error names the failed call.
    ///
    /// - Parameters:
    ///   - store: Adds the account to the vault in one transaction; returns its id.
    ///   - unstore: Removes the entry with that id (the rollback).
    ///   - readQR: With `--via-qr`: the device is created with its QR code (`QRCodePNG`) instead of the Base32 seed,
    ///     and this reads the image's payload (the project's own scanner); the account is made the same way.
    public func enable(
        user: String?, deviceName: String?, issuer: String, accountName: String?, now: () -> Date = Date.init,
        wait: (Int64) -> Void, note: (String) -> Void, store: (OTPAccount) throws -> String,
        unstore: (String) throws -> Void, readQR: (([UInt8]) throws -> String)? = nil
    ) throws -> Enrolled {
        let identity = try caller()
        guard let user = user ?? identity.user else {
            let root = identity.user == nil && Self.isRoot(arn: identity.callerArn)
            throw AWSError(
                operation: "GetCallerIdentity", code: nil,
                message: root
                    ? "these are the root user's credentials: the root user's MFA is managed in the console only; "
                        + "give --user NAME for an IAM user"
                    : "the credentials in use are a role, not an IAM user: give --user NAME")
        }
        // The user first: a missing user is said before anything is made.
        try checkUser(user)
        let name = deviceName ?? Self.deviceName(user: user, at: now())
        let (created, seedBytes) = try cli.call(
            "iam", "create-virtual-mfa-device",
            [
                "--virtual-mfa-device-name", name, "--bootstrap-method",
                readQR == nil ? "Base32StringSeed" : "QRCodePNG",
                "--outfile", "/dev/fd/3",
            ],
            operation: "CreateVirtualMFADevice", as: AWSAnswers.CreatedDevice.self, secretOut: true)
        var seed = seedBytes
        defer { for i in seed.indices { seed[i] = 0 } }
        let serial = created.VirtualMFADevice.SerialNumber
        note("created the virtual MFA device \(serial)")
        var vaultID: String?
        do throws(any Error) {
            if let readQR { seed = Array(try Self.secret(ofProvisioning: try readQR(seed)).utf8) }
            var account = try Self.account(
                seed: seed, issuer: issuer, name: accountName ?? "\(user)@\(identity.account)")
            account.awsSerial = serial
            vaultID = try store(account)
            let codes = try Self.freshPair(account, now: { Int64(now().timeIntervalSince1970) }, wait: wait)
            _ = try cli.call(
                "iam", "enable-mfa-device",
                [
                    "--user-name", user, "--serial-number", serial, "--authentication-code1", codes[0],
                    "--authentication-code2", codes[1],
                ], operation: "EnableMFADevice", as: AWSAnswers.Empty.self)
            return Enrolled(serial: serial, user: user, vaultID: vaultID ?? "", account: account)
        } catch let failure {
            var undone: [String] = []
            do {
                _ = try cli.call(
                    "iam", "delete-virtual-mfa-device", ["--serial-number", serial],
                    operation: "DeleteVirtualMFADevice", as: AWSAnswers.Empty.self)
                undone.append("the virtual device \(serial) was deleted")
            } catch {
                undone.append("the virtual device \(serial) could not be deleted (\(error)); delete it by hand")
            }
            if let vaultID {
                do {
                    try unstore(vaultID)
                    undone.append("the vault entry was removed")
                } catch {
                    undone.append("the vault entry \(vaultID) could not be removed (\(error))")
                }
            }
            throw EnrolmentFailure(cause: "\(failure)", undone: undone)
        }
    }

    /// Throws naming the user when there is no such IAM user.
    func checkUser(_ user: String) throws(AWSError) {
        do throws(AWSError) {
            _ = try cli.call("iam", "get-user", ["--user-name", user], operation: "GetUser", as: AWSAnswers.Empty.self)
        } catch {
            if error.code == "NoSuchEntity" {
                throw AWSError(operation: "GetUser", code: error.code, message: "there is no IAM user '\(user)'")
            }
            throw error
        }
    }

    /// An enrolment that failed after the device was made, with what was undone.
    public struct EnrolmentFailure: Error, CustomStringConvertible {
        public let cause: String
        public let undone: [String]
        public var description: String { cause + "; " + undone.joined(separator: "; ") }
    }

    /// The Base32 secret of the otpauth:// URI in a device's QR code.
    static func secret(ofProvisioning text: String) throws -> String {
        guard let account = OTPAuthURI.parse(text).account else {
            throw AWSError(
                operation: "CreateVirtualMFADevice", code: nil,
                message: "its QR code holds no otpauth:// account (it is not repeated here: it may hold a secret)")
        }
        return account.secret.withUnsafeBytes { Base32.encode($0) }
    }

    /// The TOTP account of an IAM seed (Base32, SHA1, 6 digits, 30 s).
    static func account(seed: [UInt8], issuer: String, name: String) throws -> OTPAccount {
        let text = String(decoding: seed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let check = OTPAuthURI.check(
            OTPAuthURI.Fields(type: "totp", name: name, parameters: ["secret": text, "issuer": issuer]))
        guard let account = check.account else {
            let reason = check.diagnostics.first { $0.severity == .error }?.message ?? "not a Base32 key"
            throw AWSError(
                operation: "CreateVirtualMFADevice", code: nil, message: "the seed it gave is unusable: \(reason)")
        }
        return account
    }

    /// Two fresh consecutive codes to `ResyncMFADevice`.
    public func resync(
        _ account: OTPAccount, user: String, now: () -> Int64, wait: (Int64) -> Void
    ) throws {
        guard let serial = account.awsSerial else {
            throw AWSError(operation: "ResyncMFADevice", code: nil, message: "the account has no AWS serial")
        }
        let codes = try Self.freshPair(account, now: now, wait: wait)
        _ = try cli.call(
            "iam", "resync-mfa-device",
            [
                "--user-name", user, "--serial-number", serial, "--authentication-code1", codes[0],
                "--authentication-code2", codes[1],
            ], operation: "ResyncMFADevice", as: AWSAnswers.Empty.self)
    }

    /// Deactivates (when enabled) and deletes a virtual device.
    public func retire(serial: String, user: String?) throws(AWSError) {
        if let user {
            do {
                _ = try cli.call(
                    "iam", "deactivate-mfa-device", ["--user-name", user, "--serial-number", serial],
                    operation: "DeactivateMFADevice", as: AWSAnswers.Empty.self)
            } catch {
                // Not enabled for this user (any more): deleting is what is left.
                if error.code != "NoSuchEntity" { throw error }
            }
        }
        _ = try cli.call(
            "iam", "delete-virtual-mfa-device", ["--serial-number", serial], operation: "DeleteVirtualMFADevice",
            as: AWSAnswers.Empty.self)
    }

    /// Every virtual MFA device of the account, with its user when assigned.
    public func virtualDevices() throws(AWSError) -> [AWSAnswers.VirtualMFADevices.Device] {
        try cli.call(
            "iam", "list-virtual-mfa-devices", [], operation: "ListVirtualMFADevices",
            as: AWSAnswers.VirtualMFADevices.self
        ).answer.VirtualMFADevices
    }

    /// A user's MFA devices (enabled ones: virtual and hardware).
    public func mfaDevices(user: String) throws(AWSError) -> [AWSAnswers.MFADevices.Device] {
        try cli.call(
            "iam", "list-mfa-devices", ["--user-name", user], operation: "ListMFADevices",
            as: AWSAnswers.MFADevices.self
        ).answer.MFADevices
    }

    /// `GetSessionToken` with `code`, for `credential_process`.
    public func sessionToken(
        serial: String, code: String, seconds: Int
    ) throws(AWSError)
        -> AWSAnswers.SessionToken.Credentials
    {
        try cli.call(
            "sts", "get-session-token",
            ["--serial-number", serial, "--token-code", code, "--duration-seconds", String(seconds)],
            operation: "GetSessionToken", as: AWSAnswers.SessionToken.self
        ).answer.Credentials
    }
}
