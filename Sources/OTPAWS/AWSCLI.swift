import Foundation
import OTPCapture

/// Why an AWS call failed: which call, the service's error code when it gave one, and what to do.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    /// The API call (`EnableMFADevice`), or `aws` for the command line itself.
    public let operation: String
    /// The service's error code (`AccessDenied`, `NoSuchEntity`, `Throttling`), if any.
    public let code: String?
    public let message: String

    /// Creates an error.
    public init(operation: String, code: String?, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String {
        var text = "\(operation) failed"
        if let code { text += " (\(code))" }
        text += ": \(message)"
        switch code {
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            text += "; the credentials in use may not call \(operation) (check the profile and its IAM policy)"
        case "Throttling", "ThrottlingException", "RequestLimitExceeded":
            text += "; AWS is throttling requests: wait a moment and run it again"
        case "ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId":
            text += "; the credentials have expired or are not valid (aws sso login, or refresh them)"
        default: break
        }
        return text
    }
}

/// The `aws` command line (v1 or v2), run for each call with the user's `--profile` and `--region`, so every credential
/// source it knows (profiles, SSO, `credential_process`, environment, `AWS_ENDPOINT_URL`) works unchanged. JSON out,
/// no pager, a deadline per call.
public struct AWSCLI: Sendable {
    /// The program: `$OTP_AWS_CLI`, else `aws` on PATH.
    public let executable: String
    public let profile: String?
    public let region: String?
    /// Seconds per call.
    public let timeout: Double

    public init(
        profile: String? = nil, region: String? = nil, timeout: Double = 60,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        executable = environment["OTP_AWS_CLI"].flatMap { $0.isEmpty ? nil : $0 } ?? "aws"
        self.profile = profile
        self.region = region
        self.timeout = timeout
    }

    /// Runs `aws SERVICE COMMAND ARGUMENTS…` and decodes its JSON answer as `T`.
    ///
    /// - Parameters:
    ///   - operation: The API name, for errors (`CreateVirtualMFADevice`).
    ///   - secretOut: Whether the call writes a secret to `/dev/fd/3` (its `--outfile`); returned beside the answer.
    public func call<T: Decodable>(
        _ service: String, _ command: String, _ arguments: [String], operation: String, as type: T.Type,
        secretOut: Bool = false
    ) throws(AWSError) -> (answer: T, secret: [UInt8]) {
        var argv = [service, command] + arguments + ["--output", "json"]
        if let profile { argv += ["--profile", profile] }
        if let region { argv += ["--region", region] }
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_PAGER"] = ""
        let outcome: ChildProcess.Outcome
        do {
            outcome = try ChildProcess.run(
                executable, argv, timeout: timeout, maximumOutput: 16 << 20, environment: environment,
                sideChannel: secretOut)
        } catch .notFound {
            throw AWSError(
                operation: operation, code: nil,
                message: "the AWS command line (aws) is not installed: install it (v1 or v2) or set OTP_AWS_CLI")
        } catch {
            throw AWSError(operation: operation, code: nil, message: error.description)
        }
        guard outcome.status == 0 else {
            throw Self.error(operation: operation, status: outcome.status, stderr: outcome.errorText)
        }
        let body = outcome.output.isEmpty ? Array("{}".utf8) : outcome.output
        do {
            return (try JSONDecoder().decode(T.self, from: Data(body)), outcome.side)
        } catch {
            throw AWSError(operation: operation, code: nil, message: "its answer is not the JSON expected (\(error))")
        }
    }

    /// `An error occurred (AccessDenied) when calling the EnableMFADevice operation: …` → code and message.
    static func error(operation: String, status: Int32, stderr: String) -> AWSError {
        let text = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if let open = text.range(of: "An error occurred ("), let close = text[open.upperBound...].firstIndex(of: ")") {
            let code = String(text[open.upperBound..<close])
            let message = text.range(of: "operation: ").map { String(text[$0.upperBound...]) } ?? text
            return AWSError(
                operation: operation, code: code,
                message: String(message.prefix(400)).replacingOccurrences(
                    of: "\n", with: " "))
        }
        let line = text.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit \(status)"
        return AWSError(operation: operation, code: nil, message: String(line.prefix(400)))
    }
}

/// The answers read (only the members used).
public enum AWSAnswers {
    public struct Empty: Decodable, Sendable {}

    public struct CallerIdentity: Decodable, Sendable {
        public let Account: String
        public let Arn: String
    }

    public struct CreatedDevice: Decodable, Sendable {
        public struct Device: Decodable, Sendable {
            public let SerialNumber: String
        }
        public let VirtualMFADevice: Device
    }

    public struct MFADevices: Decodable, Sendable {
        public struct Device: Decodable, Sendable {
            public let UserName: String?
            public let SerialNumber: String
        }
        public let MFADevices: [Device]
    }

    public struct VirtualMFADevices: Decodable, Sendable {
        public struct Device: Decodable, Sendable {
            public struct User: Decodable, Sendable {
                public let UserName: String?
            }
            public let SerialNumber: String
            public let User: User?
            public let EnableDate: String?
        }
        public let VirtualMFADevices: [Device]
    }

    public struct SessionToken: Decodable, Sendable {
        public struct Credentials: Codable, Sendable {
            public let AccessKeyId: String
            public let SecretAccessKey: String
            public let SessionToken: String
            public let Expiration: String
        }
        public let Credentials: Credentials
    }
}
