/// Reads many PNG files on every core, one ``QRReader`` (so one zbar scanner) per worker thread.
public enum ParallelReader {
    /// Reads every file and returns one result per path, in the order given.
    ///
    /// - Parameters:
    ///   - paths: The files to read.
    ///   - workers: How many threads to use (default: one per active core, at most one per file).
    ///   - maxPixels: The per-image size limit.
    public static func read(
        _ paths: [String], workers: Int? = nil, maxPixels: Int = PNGDecoder.defaultMaxPixels
    ) -> [Result<ScanOutcome, ScanError>] {
        WorkerThreads.map(
            paths.count, workers: workers,
            makeWorker: { Result { () throws(ScanError) in try QRReader(maxPixels: maxPixels) } }
        ) {
            reader, index in
            reader.flatMap { reader in Result { () throws(ScanError) in try reader.read(contentsOf: paths[index]) } }
        }
    }
}
