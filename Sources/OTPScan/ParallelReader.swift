#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// Reads many PNG files on every core, one ``QRReader`` (so one zbar scanner) per worker thread.
public enum ParallelReader {
    /// Reads every file and returns one result per path, in the order given.
    ///
    /// - Parameters:
    ///   - paths: The files to read.
    ///   - workers: How many threads to use (default: one per active core, at most one per file).
    ///   - maxPixels: The per-image size limit.
    ///   - progress: Called from worker threads after each file with the number done so far.
    public static func read(
        _ paths: [String], workers: Int? = nil, maxPixels: Int = PNGDecoder.defaultMaxPixels,
        progress: (@Sendable (Int) -> Void)? = nil
    ) -> [Result<ScanOutcome, ScanError>] {
        guard !paths.isEmpty else { return [] }
        let count = paths.count
        let threads = max(1, min(workers ?? System.activeProcessorCount, count))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let results = Mutex<[Result<ScanOutcome, ScanError>?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let reader: QRReader
            do throws(ScanError) {
                reader = try QRReader(maxPixels: maxPixels)
            } catch {
                while case let index = next.add(1, ordering: .relaxed).oldValue, index < count {
                    results.withLock { $0[index] = .failure(error) }
                }
                return
            }
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < count {
                let result = Result { () throws(ScanError) in try reader.read(contentsOf: paths[index]) }
                results.withLock { $0[index] = result }
                let finished = done.add(1, ordering: .relaxed).newValue
                progress?(finished)
            }
        }
        return results.withLock { slots in slots.map { $0 ?? .failure(.scannerUnavailable) } }
    }
}

/// Facts about the machine.
public enum System {
    /// The number of cores this process may use.
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
        #else
        return 1
        #endif
    }
}
