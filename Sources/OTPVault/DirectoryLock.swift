#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on a directory, held while a vault file is created, identified and migrated, so that
/// processes creating one vault at once take turns (GRDB's migrator serialises only inside one pool; see GRDB's
/// `DatabaseSharing` guide). The directory is locked rather than the database: closing any descriptor of the
/// database file would release SQLite's own POSIX locks in this process, and a sidecar file would outlive us.
///
/// The lock is held only for the few milliseconds of creation and migration; opening an up-to-date vault takes no
/// lock.
final class DirectoryLock {
    private let fd: Int32

    /// Opens the directory.
    ///
    /// - Throws: ``VaultError/storage(_:)`` when the directory cannot be opened.
    init(directory: String) throws(VaultError) {
        fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .storage(
                StorageFailure(
                    "cannot open the directory \(directory): \(String(cString: strerror(errno)))", errno: errno))
        }
    }

    deinit {
        close(fd)
    }

    /// Runs `body` holding the lock (waiting for other processes' turns).
    func withExclusiveLock<T>(_ body: () throws(VaultError) -> T) throws(VaultError) -> T {
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw .storage(
                    StorageFailure(
                        "cannot lock the vault's directory: \(String(cString: strerror(errno)))", errno: errno))
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

@available(*, unavailable)
extension DirectoryLock: Sendable {}
