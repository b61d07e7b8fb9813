import ArgumentParser

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
            "Password of encrypted exports (Aegis), from the first line of this file.", valueName: "path"))
    var sourcePassphraseFile: String?

    /// The password source handed to the input readers.
    var passphrase: SourcePassphrase { SourcePassphrase(file: sourcePassphraseFile) }
}
