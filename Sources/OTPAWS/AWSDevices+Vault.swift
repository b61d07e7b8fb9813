import Foundation
public import OTPCrypto

/// The rules that join IAM's view of the devices to the vault's: which devices have an account here, and when
/// cached session credentials are handed out again.
extension AWSDevices {
    /// One device or vault account in `otp aws list`.
    public struct DeviceRow: Encodable, Sendable, Equatable {
        public let serial: String
        public let user: String?
        public let enabled: Bool
        /// Whether a vault account holds this serial.
        public let inVault: Bool
        /// A vault account whose device IAM no longer has.
        public let goneFromAWS: Bool
        /// The vault entry's id.
        public let id: String?
    }

    /// The user's enabled devices (each marked whether the vault has it), the devices the vault points at that
    /// are not enabled, and the vault's serials IAM no longer has.
    ///
    /// - Parameter vaultSerials: The vault's accounts with a serial: serial → entry id.
    public static func reconcile(
        user: String, enabled: [AWSAnswers.MFADevices.Device], virtual: [AWSAnswers.VirtualMFADevices.Device],
        vaultSerials: [String: String]
    ) -> [DeviceRow] {
        var rows: [DeviceRow] = []
        var seen = Set<String>()
        for device in enabled where seen.insert(device.SerialNumber).inserted {
            rows.append(
                DeviceRow(
                    serial: device.SerialNumber, user: user, enabled: true,
                    inVault: vaultSerials[device.SerialNumber] != nil, goneFromAWS: false,
                    id: vaultSerials[device.SerialNumber]))
        }
        // Devices created and never enabled (or enabled for someone else) that the vault points at.
        for device in virtual
        where vaultSerials[device.SerialNumber] != nil && seen.insert(device.SerialNumber).inserted {
            rows.append(
                DeviceRow(
                    serial: device.SerialNumber, user: device.User?.UserName, enabled: false, inVault: true,
                    goneFromAWS: false, id: vaultSerials[device.SerialNumber]))
        }
        let known = Set(virtual.map(\.SerialNumber)).union(seen)
        for (serial, id) in vaultSerials.sorted(by: { $0.key < $1.key }) where !known.contains(serial) {
            rows.append(DeviceRow(serial: serial, user: nil, enabled: false, inVault: true, goneFromAWS: true, id: id))
        }
        return rows
    }

    /// An STS expiration (`2026-12-04T06:25:45Z`, with or without fractions or an offset; AWS gives UTC).
    public static func expiration(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.date(from: String(text.prefix(19)))
    }

    /// How long before their expiry cached credentials stop being handed out.
    public static let sessionMargin: TimeInterval = 300

    /// Session credentials: the cached ones while they last (more than ``sessionMargin`` left), else new ones from
    /// `GetSessionToken` with a code from `code` (a `--once` code), which are then cached.
    ///
    /// - Parameters:
    ///   - cached: The entry's cached credentials (sealed in the vault), if any.
    ///   - store: Caches new credentials in the entry.
    public func session(
        serial: String, seconds: Int, now: Date = Date(), cached: () throws -> SecureBytes?,
        store: (SecureBytes) throws -> Void, code: () throws -> String
    ) throws -> AWSAnswers.SessionToken.Credentials {
        if let cache = try cached(),
            let decoded = cache.withUnsafeBytes({
                try? JSONDecoder().decode(AWSAnswers.SessionToken.Credentials.self, from: Data($0))
            }),
            let expires = Self.expiration(decoded.Expiration),
            expires.timeIntervalSince(now) > Self.sessionMargin
        {
            return decoded
        }
        let fresh = try sessionToken(serial: serial, code: try code(), seconds: seconds)
        if var encoded = try? JSONEncoder().encode(fresh) {
            defer { encoded.resetBytes(in: 0..<encoded.count) }
            try store(SecureBytes(encoded))
        }
        return fresh
    }
}
