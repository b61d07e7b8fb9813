import Foundation
import OTPAWS
import OTPCore
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// moto's IAM/STS server on 127.0.0.1 with a free port, from the virtual environment `make test` makes
/// (`.build/aws-venv`: moto[server] and the aws CLI from PyPI), else from PATH. One per test: a fresh account.
final class MotoServer {
    let url: String
    let bin: String
    private let server: Spawned

    init(directory: URL) throws {
        let venv = CLI.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/aws-venv/bin").path
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard
            let found = ([venv] + path.split(separator: ":").map(String.init)).first(where: {
                FileManager.default.isExecutableFile(atPath: "\($0)/moto_server")
                    && FileManager.default.isExecutableFile(atPath: "\($0)/aws")
            })
        else {
            throw DesktopError("moto_server and aws are not installed (make test makes .build/aws-venv with both)")
        }
        bin = found
        // A free port: bound by the kernel, released, then given to moto.
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        close(socket)
        url = "http://127.0.0.1:\(port)"
        // The recorder writes to ./moto_recording unless told: each server gets its own file.
        server = try Spawned(
            "\(bin)/moto_server", ["-H", "127.0.0.1", "-p", String(port)],
            environment: ["MOTO_RECORDER_FILEPATH": directory.appendingPathComponent("moto-recording").path])
        let deadline = Date().addingTimeInterval(30)
        while (try? Self.get("\(url)/moto-api/")) == nil {
            guard server.isRunning, Date() < deadline else {
                server.stop()
                throw DesktopError("moto_server did not start on \(url)")
            }
            usleep(100_000)
        }
    }

    deinit { server.stop() }

    static func get(_ address: String, post: Bool = false) throws -> Data {
        guard let target = URL(string: address) else { throw DesktopError("bad address \(address)") }
        var request = URLRequest(url: target)
        request.httpMethod = post ? "POST" : "GET"
        request.timeoutInterval = 5
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, _, error in
            box.data = data
            box.error = error
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        if let error = box.error { throw error }
        guard let data = box.data else { throw DesktopError("no answer from \(address)") }
        return data
    }

    private final class Box: @unchecked Sendable {
        var data: Data?
        var error: Error?
    }

    /// The requests moto received since `startRecording()` (form-encoded bodies of the IAM/STS query API).
    func startRecording() throws { _ = try Self.get("\(url)/moto-api/recorder/start-recording", post: true) }

    func recordedBodies() throws -> [String] {
        let text = String(decoding: try Self.get("\(url)/moto-api/recorder/download-recording"), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            guard let request = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let body = request["body"] as? String
            else { return nil }
            // Bodies are Base64 when body_encoded is set.
            if request["body_encoded"] as? Bool == true {
                return Data(base64Encoded: body).map { String(decoding: $0, as: UTF8.self) }
            }
            return body
        }
    }

    /// The environment of a run against this server: dummy credentials, no config files, the venv's aws first.
    func environment(home: URL) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"), "HOME": home.path,
            "TMPDIR": home.appendingPathComponent("tmp").path,
        ]
    }
}

/// Issue 29 with real parts: the real `aws` CLI against moto's IAM and STS.
@Suite(.serialized) struct AWSLifecycleTests {
    let directory: URL
    let moto: MotoServer
    let environment: [String: String]

    init() throws {
        directory = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("tmp"), withIntermediateDirectories: true)
        moto = try MotoServer(directory: directory)
        environment = moto.environment(home: directory).merging([
            "OTP_VAULT": directory.appendingPathComponent("vault.sqlite").path, "OTP_PASSPHRASE": "aws lifecycle",
        ]) { $1 }
    }

    func aws(_ arguments: [String]) throws -> Any? {
        let result = try CLI.run(
            arguments + ["--output", "json"], environment: environment,
            executable: URL(fileURLWithPath: "\(moto.bin)/aws"), wrapped: false)
        #expect(result.status == 0, "aws \(arguments): \(result.stderr)")
        return result.stdout.isEmpty ? nil : result.json
    }

    func otp(_ arguments: [String], env: [String: String] = [:]) throws -> CLI.Output {
        try CLI.run(arguments, environment: environment.merging(env) { $1 })
    }

    func enabledSerials(_ user: String) throws -> [String] {
        ((try aws(["iam", "list-mfa-devices", "--user-name", user]) as? [String: Any])?["MFADevices"]
            as? [[String: Any]] ?? []).compactMap { $0["SerialNumber"] as? String }
    }

    func virtualSerials() throws -> [String] {
        ((try aws(["iam", "list-virtual-mfa-devices"]) as? [String: Any])?["VirtualMFADevices"] as? [[String: Any]]
            ?? [])
            .compactMap { $0["SerialNumber"] as? String }
    }

    /// moto returns the seed (Base64 of the Base32 text) in ListVirtualMFADevices.
    func seed(of serial: String) throws -> String? {
        let devices =
            (try aws(["iam", "list-virtual-mfa-devices"]) as? [String: Any])?["VirtualMFADevices"]
            as? [[String: Any]] ?? []
        guard
            let encoded = devices.first(where: { $0["SerialNumber"] as? String == serial })?["Base32StringSeed"]
                as? String, let data = Data(base64Encoded: encoded)
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether two codes are consecutive TOTP codes of the seed within a few minutes of now.
    func consecutive(_ first: String, _ second: String, seed: String) throws -> Bool {
        let account = try #require(OTPAuthURI.parse("otpauth://totp/t?secret=\(seed)").account)
        let now = Int64(Date().timeIntervalSince1970)
        for step in stride(from: now - 300, through: now + 60, by: 30) {
            let codes = try OTPGenerator(account: account).codes(at: step, count: 2).map(\.value)
            if codes == [first, second] { return true }
        }
        return false
    }

    func form(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    /// Every file under the test's HOME and temporary folder, searched for the seed's text.
    func filesHolding(_ secret: String) -> [String] {
        var found: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        while let name = enumerator?.nextObject() as? String {
            let path = directory.appendingPathComponent(name).path
            if let data = FileManager.default.contents(atPath: path),
                String(decoding: data, as: UTF8.self).contains(secret)
            {
                found.append(name)
            }
        }
        return found
    }

    @Test func enableCreatesStoresAndEnablesWithTwoRealCodesAndNoFileHoldsTheSeed() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        try moto.startRecording()
        let result = try otp(["aws", "enable", "--user", "alice", "--create", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let serial = try #require((result.json as? [String: Any])?["serial"] as? String)
        #expect(serial.hasPrefix("arn:aws:iam::123456789012:mfa/otp-alice-"))
        #expect(try enabledSerials("alice") == [serial])
        // The vault holds one account whose serial is the device's ARN; otp code --serial works.
        let listed = try #require(try otp(["list", "--json"]).json as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["serial"] as? String == serial)
        #expect(listed.first?["issuer"] as? String == "Amazon Web Services")
        #expect(listed.first?["account"] as? String == "alice@123456789012")
        let code = try otp(["code", "--serial", serial, "--format", "raw"])
        #expect(code.status == 0 && code.stdout.count == 7)
        // The two codes EnableMFADevice got are consecutive codes of the device's seed.
        let seed = try #require(try seed(of: serial))
        let enable = try #require(try moto.recordedBodies().map(form).first { $0["Action"] == "EnableMFADevice" })
        #expect(enable["UserName"] == "alice" && enable["SerialNumber"] == serial, "\(enable)")
        #expect(
            try consecutive(enable["AuthenticationCode1"] ?? "", enable["AuthenticationCode2"] ?? "", seed: seed))
        // No file under HOME or the temporary folder holds the seed (the vault holds it sealed).
        #expect(filesHolding(seed).isEmpty)
        #expect(!result.stdout.contains(seed) && !result.stderr.contains(seed))
    }

    @Test func aUserThatDoesNotExistLeavesNoDeviceAndTheVaultUnchanged() throws {
        _ = try CLI.run(
            ["import", "--create", "-"], stdin: "otpauth://totp/X:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=X\n",
            environment: environment)
        let before = try otp(["list"]).stdout
        let result = try otp(["aws", "enable", "--user", "nobody"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("nobody"))
        #expect(try virtualSerials().isEmpty)
        #expect(try otp(["list"]).stdout == before)
    }

    /// A test `aws` that refuses EnableMFADevice (AccessDenied) and passes every other call to the real one.
    func refusingEnable() throws -> String {
        let wrapper = directory.appendingPathComponent("aws-refusing")
        try """
        #!/bin/sh
        if [ "$2" = "enable-mfa-device" ]; then
          echo "An error occurred (AccessDenied) when calling the EnableMFADevice operation: \\
        User is not authorized to perform: iam:EnableMFADevice" >&2
          exit 254
        fi
        exec \(moto.bin)/aws "$@"
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        return wrapper.path
    }

    @Test func aRefusedEnableDeletesTheDeviceAndRollsTheVaultBack() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let result = try otp(
            ["aws", "enable", "--user", "alice", "--create"], env: ["OTP_AWS_CLI": try refusingEnable()])
        #expect(result.status == 1)
        #expect(result.stderr.contains("EnableMFADevice failed (AccessDenied)"))
        #expect(result.stderr.contains("was deleted") && result.stderr.contains("vault entry was removed"))
        #expect(try virtualSerials().isEmpty)
        // The vault it created holds nothing, so it was not kept.
        #expect(!FileManager.default.fileExists(atPath: environment["OTP_VAULT"] ?? ""))
    }

    @Test func rotateLeavesExactlyTheNewDeviceEnabledAndTheVaultPointingAtIt() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let first = try otp(["aws", "enable", "--user", "alice", "--create", "--json"])
        let old = try #require((first.json as? [String: Any])?["serial"] as? String)
        sleep(1)  // device names carry the second
        let rotated = try otp(["aws", "rotate", old])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let enabled = try enabledSerials("alice")
        #expect(enabled.count == 1 && enabled.first != old)
        // The vault's active account points at the new device; the old one is kept, retired, until otp remove.
        let listed = try #require(try otp(["list", "--json"]).json as? [[String: Any]])
        let active = listed.filter { $0["retired"] as? Bool != true }
        #expect(active.compactMap { $0["serial"] as? String } == enabled)
        #expect(listed.filter { $0["retired"] as? Bool == true }.compactMap { $0["serial"] as? String } == [old])
        #expect(try !virtualSerials().contains(old))
        #expect(!(try otp(["list"]).stdout.contains(old.split(separator: "/").last ?? "")))
        let all = try otp(["list", "--all"]).stdout
        #expect(all.contains("retired"))
        // otp code without a query gives the active one only.
        let codes = try #require(try otp(["code", "--json"]).json as? [[String: Any]])
        #expect(codes.count == 1)
    }

    @Test func listShowsADeviceMadeOutsideOtpAsNotInThisVault() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let mine = try #require(
            (try otp(["aws", "enable", "--user", "alice", "--create", "--json"]).json as? [String: Any])?["serial"]
                as? String)
        let outside = try #require(
            ((try aws([
                "iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "by-hand", "--outfile",
                directory.appendingPathComponent("by-hand.png").path, "--bootstrap-method", "QRCodePNG",
            ]) as? [String: Any])?[
                "VirtualMFADevice"] as? [String: Any])?["SerialNumber"] as? String)
        _ = try aws([
            "iam", "enable-mfa-device", "--user-name", "alice", "--serial-number", outside, "--authentication-code1",
            "123456", "--authentication-code2", "654321",
        ])
        let text = try otp(["aws", "list", "--user", "alice"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("\(outside) alice  (not in this vault)"))
        #expect(text.stdout.contains(mine) && !text.stdout.contains("\(mine) alice  (not"))
        let json = try #require(try otp(["aws", "list", "--user", "alice", "--json"]).json as? [[String: Any]])
        #expect(Set(json.compactMap { $0["serial"] as? String }) == [mine, outside])
        #expect(json.first { $0["serial"] as? String == outside }?["inVault"] as? Bool == false)
        #expect(json.first { $0["serial"] as? String == mine }?["inVault"] as? Bool == true)
    }

    /// moto has no ResyncMFADevice: a stand-in answers that one call (recording its arguments) and passes the
    /// others to the real aws.
    @Test func resyncSendsTwoFreshConsecutiveCodes() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let serial = try #require(
            (try otp(["aws", "enable", "--user", "alice", "--create", "--json"]).json as? [String: Any])?["serial"]
                as? String)
        let record = directory.appendingPathComponent("resync-arguments")
        let wrapper = directory.appendingPathComponent("aws-resync")
        try """
        #!/bin/sh
        if [ "$2" = "resync-mfa-device" ]; then echo "$@" > \(record.path); exit 0; fi
        exec \(moto.bin)/aws "$@"
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        let result = try otp(["aws", "resync", serial], env: ["OTP_AWS_CLI": wrapper.path])
        #expect(result.status == 0, "\(result.stderr)")
        let words = try String(contentsOf: record, encoding: .utf8).split(whereSeparator: \.isWhitespace).map(
            String.init)
        func value(_ flag: String) -> String { words.firstIndex(of: flag).map { words[$0 + 1] } ?? "" }
        #expect(value("--user-name") == "alice" && value("--serial-number") == serial)
        let seed = try #require(try seed(of: serial))
        #expect(try consecutive(value("--authentication-code1"), value("--authentication-code2"), seed: seed))
    }

    @Test func disableDeletesTheDeviceAndRemovesTheAccount() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let serial = try #require(
            (try otp(["aws", "enable", "--user", "alice", "--create", "--json"]).json as? [String: Any])?["serial"]
                as? String)
        #expect(try otp(["aws", "disable", serial]).status != 0)  // no terminal, no --yes
        let result = try otp(["aws", "disable", serial, "--yes"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try enabledSerials("alice").isEmpty && virtualSerials().isEmpty)
        #expect((try otp(["list", "--json"]).json as? [[String: Any]])?.isEmpty == true)
    }

    @Test func sessionPrintsCredentialProcessJSONWithAOnceCode() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        #expect(try otp(["aws", "enable", "--user", "alice", "--create"]).status == 0)
        try moto.startRecording()
        let result = try otp(["aws", "session", "--duration", "1h"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json as? [String: Any])
        #expect(json["Version"] as? Int == 1)
        for key in ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"] { #expect(json[key] is String) }
        let call = try #require(try moto.recordedBodies().map(form).first { $0["Action"] == "GetSessionToken" })
        #expect(call["DurationSeconds"] == "3600" && call["TokenCode"]?.count == 6)
        // Within the credentials' lifetime a second call hands out the same ones, sealed in the vault: no new
        // GetSessionToken (moto hands out fixed credentials, so the calls are counted), no code burnt.
        let again = try otp(["aws", "session", "--duration", "1h"])
        #expect(again.status == 0 && again.stdout == result.stdout)
        #expect(try moto.recordedBodies().map(form).filter { $0["Action"] == "GetSessionToken" }.count == 1)
        // Nothing of it in a file outside the vault.
        let secret = try #require(json["SecretAccessKey"] as? String)
        #expect(filesHolding(secret).isEmpty)
    }

    /// moto's QRCodePNG is random bytes: a stand-in answers CreateVirtualMFADevice (made for real in moto, so the
    /// serial exists) with a QR image of a known seed drawn by `otp show --png`, on the same descriptor.
    @Test func viaQRReadsTheDevicesQRCodeIntoTheSameAccount() throws {
        _ = try aws(["iam", "create-user", "--user-name", "alice"])
        let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        let other = directory.appendingPathComponent("qr-source.sqlite").path
        let uri =
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=\(seed)&issuer=Amazon%20Web%20Services"
        _ = try CLI.run(["import", "--create", "--vault", other, "-"], stdin: uri + "\n", environment: environment)
        let png = directory.appendingPathComponent("device-qr.png").path
        #expect(try otp(["show", "Amazon", "--vault", other, "--png", png]).status == 0)
        let wrapper = directory.appendingPathComponent("aws-qr")
        let record = directory.appendingPathComponent("bootstrap-method")
        try """
        #!/bin/sh
        if [ "$2" = "create-virtual-mfa-device" ]; then
          echo "$6" > \(record.path)
          \(moto.bin)/aws iam create-virtual-mfa-device --virtual-mfa-device-name "$4" --bootstrap-method "$6" \\
            --outfile \(directory.path)/moto-random.png --output json || exit $?
          cat \(png) > "$8"
          exit 0
        fi
        exec \(moto.bin)/aws "$@"
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        let result = try otp(
            ["aws", "enable", "--user", "alice", "--create", "--via-qr"], env: ["OTP_AWS_CLI": wrapper.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOf: record, encoding: .utf8) == "QRCodePNG\n")
        let listed = try #require(try otp(["list", "--json"]).json as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["account"] as? String == "alice@123456789012")
        #expect(try otp(["show", "Amazon", "--secret"]).stdout.replacingOccurrences(of: " ", with: "") == seed + "\n")
    }

    /// Without --user, the caller's own user (moto's caller is the IAM user "moto").
    @Test func enableWithoutAUserEnrolsTheCallersOwn() throws {
        _ = try aws(["iam", "create-user", "--user-name", "moto"])
        let result = try otp(["aws", "enable", "--create", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.json as? [String: Any])?["user"] as? String == "moto")
        #expect(try enabledSerials("moto").count == 1)
    }

    /// What the service (or whatever answers at AWS_ENDPOINT_URL) says is escaped before it reaches a terminal.
    @Test func aServersWordsAreEscaped() throws {
        _ = try CLI.run(
            ["import", "--create", "-"], stdin: "otpauth://totp/X:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=X\n",
            environment: environment)
        let wrapper = directory.appendingPathComponent("aws-hostile")
        try """
        #!/bin/sh
        printf 'An error occurred (AccessDenied) when calling the ListMFADevices operation: \\033]0;pwned\\007\\n' >&2
        exit 254
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        let result = try otp(["aws", "list", "--user", "alice"], env: ["OTP_AWS_CLI": wrapper.path])
        #expect(result.status == 1 && result.stderr.contains("ListMFADevices failed (AccessDenied)"))
        #expect(!result.stderr.contains("\u{1B}") && !result.stderr.contains("\u{07}"))
    }

    @Test func aMissingCLIIsAClearError() throws {
        _ = try CLI.run(
            ["import", "--create", "-"], stdin: "otpauth://totp/X:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPJBSWY3DP&issuer=X\n",
            environment: environment)
        let result = try otp(["aws", "list", "--user", "alice"], env: ["OTP_AWS_CLI": "/nonexistent/aws"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("not installed") && result.stderr.contains("OTP_AWS_CLI"))
    }
}

/// The rules that join IAM's view to the vault's, without a server.
@Suite struct AWSReconcileTests {
    func decode<T: Decodable>(_ json: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test func devicesAndVaultAccountsAreMatchedBySerial() throws {
        let enabled = try decode(
            #"{"MFADevices": [{"UserName": "alice", "SerialNumber": "arn:a"}, {"SerialNumber": "arn:b"}]}"#,
            as: AWSAnswers.MFADevices.self
        ).MFADevices
        let virtual = try decode(
            #"{"VirtualMFADevices": [{"SerialNumber": "arn:a"}, {"SerialNumber": "arn:b"}, {"SerialNumber":"arn:c"}]}"#,
            as: AWSAnswers.VirtualMFADevices.self
        ).VirtualMFADevices
        let rows = AWSDevices.reconcile(
            user: "alice", enabled: enabled, virtual: virtual,
            vaultSerials: ["arn:a": "id-a", "arn:c": "id-c", "arn:gone": "id-g"])
        #expect(rows.map(\.serial) == ["arn:a", "arn:b", "arn:c", "arn:gone"])
        #expect(rows.map(\.inVault) == [true, false, true, true])
        #expect(rows.map(\.enabled) == [true, true, false, false])
        #expect(rows.map(\.goneFromAWS) == [false, false, false, true])
    }

    @Test func expirationsParseWithOrWithoutFractionsAndOffsets() {
        let a = AWSDevices.expiration("2026-12-04T06:25:45Z")
        #expect(a != nil)
        #expect(AWSDevices.expiration("2026-12-04T06:25:45.911346Z") == a)
        #expect(AWSDevices.expiration("2026-12-04T06:25:45+00:00") == a)
        #expect(AWSDevices.expiration("tomorrow") == nil)
    }
}
