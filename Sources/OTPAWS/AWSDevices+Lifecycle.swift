public import OTPCore
public import OTPVault

/// The enrolment and the rotation against an opened vault: what is stored, removed and marked retired, in the
/// order that never leaves the user without an enabled device.
extension AWSDevices {
    /// ``enable(user:deviceName:issuer:accountName:now:wait:note:store:unstore:readQR:)`` into `vault`: the
    /// account is added (its serial must be free) and, on a failure after the device was made, removed again.
    public func enable(
        user: String?, deviceName: String?, issuer: String, accountName: String?, in vault: Vault,
        wait: (Int64) -> Void, note: (String) -> Void, readQR: (([UInt8]) throws -> String)? = nil
    ) throws -> Enrolled {
        try enable(
            user: user, deviceName: deviceName, issuer: issuer, accountName: accountName, wait: wait, note: note,
            store: { account in
                if let serial = account.awsSerial { try vault.ensureSerialIsFree(serial) }
                return try vault.add([account]).first?.id ?? ""
            },
            unstore: { id in _ = try vault.remove(ids: [id]) }, readQR: readQR)
    }

    /// What a rotation did.
    public struct Rotated: Sendable {
        public let new: Enrolled
        public let oldSerial: String
        /// The old account's entry, kept and marked retired.
        public let retiredID: String
    }

    /// A new device for the old one's user, enrolled and enabled first; then the old device deactivated and
    /// deleted; then its entry marked retired (kept until `otp remove`). A failure before the old device is touched
    /// leaves it as it was.
    public func rotate(
        entryID: String, account old: OTPAccount, in vault: Vault, wait: (Int64) -> Void, note: (String) -> Void
    ) throws -> Rotated {
        guard let oldSerial = old.awsSerial else {
            throw AWSError(operation: "ListVirtualMFADevices", code: nil, message: "the account has no AWS serial")
        }
        guard let owner = try virtualDevices().first(where: { $0.SerialNumber == oldSerial })?.User?.UserName else {
            throw AWSError(
                operation: "ListVirtualMFADevices", code: nil, message: "\(oldSerial) is assigned to no user")
        }
        let new = try enable(
            user: owner, deviceName: nil, issuer: old.issuer ?? "Amazon Web Services", accountName: old.name,
            in: vault, wait: wait, note: note)
        try retire(serial: oldSerial, user: owner)
        try vault.retire(id: entryID)
        return Rotated(new: new, oldSerial: oldSerial, retiredID: entryID)
    }
}
