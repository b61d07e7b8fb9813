import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs work items on several threads, each thread with state of its own (a zbar scanner is not thread-safe, so
/// each worker owns one), and returns the results in input order.
public enum WorkerThreads {
    /// Maps `0..<count` through `body` on up to `workers` threads.
    ///
    /// - Parameters:
    ///   - count: The number of items.
    ///   - workers: Threads to use (default: one per core, at most one per item).
    ///   - makeWorker: Creates one thread's state; called once on each worker thread.
    ///   - progress: Called (from worker threads) after each item with the number finished so far.
    ///   - body: Processes item `index` with the thread's state.
    public static func map<Worker, Output: Sendable>(
        _ count: Int, workers: Int? = nil, makeWorker: @Sendable () -> Worker,
        progress: (@Sendable (Int) -> Void)? = nil, _ body: @Sendable (inout Worker, Int) -> Output
    ) -> [Output] {
        guard count > 0 else { return [] }
        let threads = max(1, min(workers ?? activeProcessorCount, count))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let results = Mutex<[Output?]>(Array(repeating: nil, count: count))
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var worker = makeWorker()
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < count {
                let output = body(&worker, index)
                results.withLock { $0[index] = output }
                let finished = done.add(1, ordering: .relaxed).newValue
                progress?(finished)
            }
        }
        // Every index below `count` was claimed by exactly one worker and filled before concurrentPerform returned.
        let filled = results.withLock { slots in slots.compactMap { $0 } }
        precondition(filled.count == count, "a work item produced no result")
        return filled
    }

    /// The number of cores this process may use (`sysconf(_SC_NPROCESSORS_ONLN)`): the default worker count.
    public static var activeProcessorCount: Int {
        #if canImport(Glibc)
            let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
            return n > 0 ? n : 1
        #else
            return 1
        #endif
    }
}
