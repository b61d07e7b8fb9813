import ArgumentParser
import OTPImport

/// `--jobs`, shared by the commands that decode images.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Decode images on this many threads (default: one per core).", valueName: "n"))
    var jobs: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
    }
}

/// `--source-passphrase-file`, shared by the commands that read other apps' exports.
struct ExportOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Password of encrypted exports (Aegis), from the first line of this file.", valueName: "path"),
        completion: .file())
    var sourcePassphraseFile: String?

    /// The password source handed to the input readers.
    var passphrase: SourcePassphrase { SourcePassphrase(file: sourcePassphraseFile) }
}

/// `--account` and `--issuer` for inputs that hold only a Base32 key (the AWS CLI's Base32StringSeed outfile).
struct BareKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The account name of a file that holds only a Base32 key.", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("The issuer of a file that holds only a Base32 key.", valueName: "issuer"))
    var issuer: String?

    func validate() throws {
        if issuer != nil, account == nil { throw ValidationError("--issuer goes with --account.") }
    }

    var bareKey: BareKeyAccount? { account.map { BareKeyAccount(issuer: issuer, account: $0) } }
}
