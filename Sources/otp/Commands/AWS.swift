import ArgumentParser
import Foundation
import OTPAWS
import OTPCore
import OTPCrypto
import OTPScan
import OTPVault

/// `otp aws enable|resync|rotate|disable|list|session`: a virtual MFA device's life through the IAM API, over the
/// user's own `aws` command line (v1 or v2; `$OTP_AWS_CLI` names another).
struct AWSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aws",
        abstract: "Enrol, resync, rotate and retire AWS virtual MFA devices through the IAM API.",
        discussion: """
            Every call goes through the aws command line with --profile and --region passed on, so every \
            credential source it knows works unchanged. The seed reaches otp through a pipe, never a file, and is \
            stored only in the vault.
            """,
        subcommands: [Enable.self, Resync.self, Rotate.self, Disable.self, ListDevices.self, Session.self])

    /// `--profile` and `--region`, passed to every `aws` call.
    struct AWSOptions: ParsableArguments {
        @Option(help: ArgumentHelp("The AWS CLI profile.", valueName: "name"))
        var profile: String?

        @Option(help: ArgumentHelp("The AWS region.", valueName: "region"))
        var region: String?

        var devices: AWSDevices { AWSDevices(cli: AWSCLI(profile: profile, region: region)) }
    }

    /// An AWS failure: its sentence on stderr (and in `--json`), exit 1.
    static func failing<T>(json: Bool, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AWSError {
            // The service's words (an endpoint may be anyone's): escaped before they reach a terminal.
            throw CommandFailure(Terminal.escaped(error.description), code: Terminal.escaped(error.code ?? "aws"))
        } catch let error as AWSDevices.EnrolmentFailure {
            throw CommandFailure(Terminal.escaped(error.description), code: "aws")
        }
    }

    static let issuer = "Amazon Web Services"

    /// `enable`, `resync` and `rotate --json`: the device, its user, the vault entry, and whether it is enabled.
    struct DeviceJSON: Encodable {
        let serial: String
        let user: String
        let id: String?
        let enabled: Bool
        var retired: String? = nil
        var old: String? = nil
    }

    /// The payload of the one QR code in a PNG (the device's `QRCodePNG`), in memory.
    static func readQR(_ png: [UInt8]) throws -> String {
        let found: [Payload]
        do throws(ScanError) {
            found = try QRReader().read(image: png).payloads
        } catch {
            throw AWSError(
                operation: "CreateVirtualMFADevice", code: nil, message: "its QRCodePNG could not be read: \(error)")
        }
        guard found.count == 1, let text = found.first?.text else {
            throw AWSError(
                operation: "CreateVirtualMFADevice", code: nil, message: "its QRCodePNG holds \(found.count) QR codes")
        }
        return text
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a virtual MFA device, store it in the vault and enable it with two fresh codes.",
            discussion: """
                If any step after the device is created fails (the user missing, EnableMFADevice refused, throttling, \
                the network), the device is deleted and the vault entry removed, and the error names the call.
                """)

        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var aws: AWSOptions

        @Option(help: ArgumentHelp("The IAM user (default: the caller's own).", valueName: "name"))
        var user: String?

        @Option(help: ArgumentHelp("The device name (default: otp-USER-YYYYMMDD-HHMMSS).", valueName: "name"))
        var deviceName: String?

        @Option(help: ArgumentHelp("The account's issuer.", valueName: "issuer"))
        var issuer: String = AWSCommand.issuer

        @Option(help: ArgumentHelp("The account name (default: USER@ACCOUNT-ID).", valueName: "name"))
        var account: String?

        @Flag(help: "Create the vault when there is none.")
        var create = false

        @Flag(help: "Take the device's QR code (QRCodePNG) instead of its Base32 seed, read by otp's own scanner.")
        var viaQR = false

        func run() throws {
            let reader: (([UInt8]) throws -> String)? = viaQR ? { try AWSCommand.readQR($0) } : nil
            let enrolled = try withVaultErrors {
                try vault.withVault(create: vault.mayCreate(explicitly: create), keepCreated: { $0 != nil }) {
                    opened -> AWSDevices.Enrolled? in
                    try AWSCommand.failing(json: output.json) {
                        try aws.devices.enable(
                            user: user, deviceName: deviceName, issuer: issuer, accountName: account, in: opened,
                            wait: { FreshStep.wait(until: $0, reason: "fewer than 5 s left for two fresh codes") },
                            note: { Terminal.error("otp: \(Terminal.escaped($0))") }, readQR: reader)
                    }
                }
            }
            guard let enrolled else { throw ExitCode(1) }
            if output.json {
                Terminal.out(
                    Terminal.json(
                        DeviceJSON(serial: enrolled.serial, user: enrolled.user, id: enrolled.vaultID, enabled: true)))
            } else {
                Terminal.out(
                    "enabled  \(enrolled.serial) for \(Terminal.escaped(enrolled.user))  "
                        + "[\(enrolled.vaultID)  \(Terminal.escaped(enrolled.account.displayName))]\n")
            }
        }
    }

}

extension ParsableCommand {
    /// The vault account a QUERY (or a serial ARN) names, which must have an AWS serial.
    func awsAccount(_ query: String, in opened: Vault) throws -> (id: String, account: OTPAccount) {
        let entries = try VaultCall.run { () throws(VaultError) in try opened.entries() }
        let selector = query.hasPrefix("arn:") ? VaultQuery.serial(query) : VaultQuery(query)
        let (entry, account) = try withQueryErrors { try selector.single(entries) }
        guard account.awsSerial != nil else {
            throw CommandFailure(
                "\(account.displayName) has no AWS serial (set one with otp edit --serial ARN)", code: "usage")
        }
        return (entry.id, account)
    }
}

extension AWSCommand {
    /// The user a device is assigned to (from ListVirtualMFADevices), or `nil`.
    static func user(of serial: String, _ devices: AWSDevices) throws -> String? {
        try devices.virtualDevices().first { $0.SerialNumber == serial }?.User?.UserName
    }

    struct Resync: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resynchronise a device with two fresh codes.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var aws: AWSOptions
        @Option(help: ArgumentHelp("The IAM user (default: the device's).", valueName: "name")) var user: String?
        @Argument(help: "The vault account (a query, or the device's serial ARN).") var query: String

        func run() throws {
            try withVaultErrors {
                try vault.withVault(create: false) { opened in
                    let (_, account) = try awsAccount(query, in: opened)
                    try AWSCommand.failing(json: false) {
                        let serial = account.awsSerial ?? ""
                        guard let owner = try user ?? AWSCommand.user(of: serial, aws.devices) else {
                            throw CommandFailure("\(serial) is assigned to no user: give --user", code: "usage")
                        }
                        try aws.devices.resync(
                            account, user: owner, now: { Int64(Date().timeIntervalSince1970) },
                            wait: { FreshStep.wait(until: $0, reason: "fewer than 5 s left for two fresh codes") })
                        Terminal.out(
                            output.json
                                ? Terminal.json(DeviceJSON(serial: serial, user: owner, id: nil, enabled: true))
                                : "resynced \(serial)\n")
                    }
                }
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deactivate and delete a device, then remove its vault account.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var aws: AWSOptions
        @Flag(help: "Do not ask.") var yes = false
        @Argument(help: "The vault account (a query, or the device's serial ARN).") var query: String

        func run() throws {
            try withVaultErrors {
                try vault.withVault(create: false) { opened in
                    let (id, account) = try awsAccount(query, in: opened)
                    let serial = account.awsSerial ?? ""
                    if !yes {
                        guard Terminal.stdinIsTerminal else {
                            throw CommandFailure("give --yes to disable \(serial) without a terminal", code: "usage")
                        }
                        let answer = Terminal.ask("Deactivate and delete \(serial)? [y/N] ").lowercased()
                        guard answer == "y" || answer == "yes" else { throw ExitCode(1) }
                    }
                    try AWSCommand.failing(json: false) {
                        try aws.devices.retire(serial: serial, user: try AWSCommand.user(of: serial, aws.devices))
                    }
                    _ = try VaultCall.run { () throws(VaultError) in try opened.remove(ids: [id]) }
                    Terminal.out(
                        output.json
                            ? Terminal.json(["serial": serial, "removed": id])
                            : "disabled and deleted \(serial); removed \(id) from the vault\n")
                }
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enrol a new device for the same user, then retire the old one (never without MFA).",
            discussion: """
                The new device is created, stored and enabled first; only then is the old one deactivated and deleted \
                and its vault account marked retired (kept, hidden from list unless --all, until otp remove). If the \
                new one cannot be enabled, it is cleaned up and the old one is left as it was.
                """)
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var aws: AWSOptions
        @Argument(help: "The vault account (a query, or the device's serial ARN).") var query: String

        func run() throws {
            try withVaultErrors {
                try vault.withVault(create: false) { opened in
                    let (oldID, old) = try awsAccount(query, in: opened)
                    let rotated = try AWSCommand.failing(json: output.json) {
                        try aws.devices.rotate(
                            entryID: oldID, account: old, in: opened,
                            wait: { FreshStep.wait(until: $0, reason: "fewer than 5 s left for two fresh codes") },
                            note: { Terminal.error("otp: \(Terminal.escaped($0))") })
                    }
                    let new = rotated.new
                    Terminal.out(
                        output.json
                            ? Terminal.json(
                                DeviceJSON(
                                    serial: new.serial, user: new.user, id: new.vaultID, enabled: true,
                                    retired: rotated.retiredID, old: rotated.oldSerial))
                            : "rotated \(rotated.oldSerial) -> \(new.serial) for \(Terminal.escaped(new.user))\n")
                }
            }
        }
    }

    struct ListDevices: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "A user's MFA devices beside the vault's AWS accounts.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var aws: AWSOptions
        @Option(help: ArgumentHelp("The IAM user (default: the caller's own).", valueName: "name")) var user: String?

        func run() throws {
            let rows = try withVaultErrors {
                try vault.withVault(create: false) { opened -> [AWSDevices.DeviceRow] in
                    let vaultSerials = try Self.serials(in: opened)
                    return try AWSCommand.failing(json: output.json) {
                        let devices = aws.devices
                        guard let name = try user ?? devices.caller().user else {
                            throw CommandFailure("the credentials in use are a role: give --user", code: "usage")
                        }
                        return AWSDevices.reconcile(
                            user: name, enabled: try devices.mfaDevices(user: name),
                            virtual: try devices.virtualDevices(), vaultSerials: vaultSerials)
                    }
                }
            }
            if output.json {
                Terminal.out(Terminal.json(rows))
                return
            }
            for row in rows { Terminal.out(Self.line(row)) }
        }

        /// The vault's AWS serials and the entries that hold them.
        static func serials(in opened: Vault) throws -> [String: String] {
            var serials: [String: String] = [:]
            for entry in try VaultCall.run({ () throws(VaultError) in try opened.entries() }) {
                if case .success(let account) = entry.account, let serial = account.awsSerial {
                    serials[serial] = entry.id
                }
            }
            return serials
        }

        /// `SERIAL USER  [ID]  (not in this vault, …)`.
        static func line(_ row: AWSDevices.DeviceRow) -> String {
            var marks: [String] = []
            if !row.inVault { marks.append("not in this vault") }
            if row.goneFromAWS { marks.append("gone from AWS") }
            if !row.enabled, !row.goneFromAWS { marks.append("not enabled") }
            let who = row.user.map { " \(Terminal.escaped($0))" } ?? ""
            let mark = marks.isEmpty ? "" : "  (\(marks.joined(separator: ", ")))"
            return "\(row.serial)\(who)\(row.id.map { "  [\($0)]" } ?? "")\(mark)\n"
        }
    }

    struct Session: ParsableCommand {
        /// A TOTP code no --once request had before, waiting for the next step when this one was handed out.
        static func onceCode(id: String, in opened: Vault) throws -> String {
            while true {
                let outcome = try VaultCall.run { () throws(VaultError) in
                    try opened.takeOnce(id: id, at: Int64(Date().timeIntervalSince1970), count: 1)
                }
                switch outcome {
                case .codes(let codes): return codes.codes.first?.value ?? ""
                case .alreadyTaken(let availableAt):
                    FreshStep.wait(until: availableAt, reason: "this step's code was already handed out")
                }
            }
        }

        static let configuration = CommandConfiguration(
            abstract: "Session credentials from GetSessionToken with a --once code, as credential_process prints them.")
        @OptionGroup var vault: VaultOptions
        @OptionGroup var aws: AWSOptions
        @Option(help: ArgumentHelp("How long the credentials last: 15m to 36h (default 12h).", valueName: "duration"))
        var duration: String = "12h"
        @Argument(help: "The vault account (a query or serial ARN; default: the only AWS account).") var query: String?

        func run() throws {
            guard let seconds = Code.seconds(duration), (900...129_600).contains(seconds) else {
                throw ValidationError("--duration must be between 15m and 36h.")
            }
            let credentials = try cachedOrNew(seconds: seconds)
            Terminal.out(
                Terminal.json(
                    Output(
                        AccessKeyId: credentials.AccessKeyId, SecretAccessKey: credentials.SecretAccessKey,
                        SessionToken: credentials.SessionToken, Expiration: credentials.Expiration)))
        }

        /// What `credential_process` reads.
        struct Output: Encodable {
            let Version = 1
            let AccessKeyId: String
            let SecretAccessKey: String
            let SessionToken: String
            let Expiration: String
        }

        /// The credentials cached in the entry (sealed) while they last, else new ones: repeated calls burn no code
        /// and make no call. A new code is a --once code: never one another run (or aws-vault's mfa_process)
        /// already handed out.
        private func cachedOrNew(seconds: Int) throws -> AWSAnswers.SessionToken.Credentials {
            return try withVaultErrors {
                try vault.withVault(create: false) { opened in
                    let (id, account) = try awsAccount(query ?? "Amazon Web Services", in: opened)
                    return try AWSCommand.failing(json: true) {
                        try aws.devices.session(
                            serial: account.awsSerial ?? "", seconds: seconds,
                            cached: { try VaultCall.run { () throws(VaultError) in try opened.sessionCache(id: id) } },
                            store: { cache in
                                try VaultCall.run { () throws(VaultError) in try opened.storeSessionCache(id: id, cache)
                                }
                            },
                            code: { try Self.onceCode(id: id, in: opened) })
                    }
                }
            }
        }
    }
}
