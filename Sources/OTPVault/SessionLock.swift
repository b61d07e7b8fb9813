import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Marks a vault file as in use by this storage: a shared `flock` on the file `VAULT-lock` beside it (created `0600`
/// on first use, never holding anything), held from opening to ``release()``. A new vault that its creator finds
/// unused is discarded only when no process holds this lock (``SQLiteVaultStorage/discardIfUnused(path:)``): the
/// lock is what tells "nobody else has this vault open" from "another process unlocked it and is about to write".
///
/// Not the vault file itself: closing any descriptor of the database would release SQLite's own POSIX locks in the
/// process; not the directory, whose exclusive lock creation takes (a session lock there would make every
/// creation in the folder wait for every open vault). `flock` locks belong to the open file description, so two
/// storages of one process each hold their own.
final class SessionLock: Sendable {
    /// The lock file's descriptor, -1 once released.
    private let descriptor: Mutex<Int32>

    /// The lock file of a vault.
    static func path(for vault: String) -> String { vault + "-lock" }

    /// Takes the shared lock, creating the lock file when needed. Returns nil where the lock file cannot be made
    /// (a read-only folder): then nothing can discard the vault either, so no lock is needed.
    init?(vault: String) {
        var fd = open(Self.path(for: vault), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        if fd < 0 { fd = open(Self.path(for: vault), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_SH) != 0 {
            guard errno == EINTR else {
                close(fd)
                return nil
            }
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (closing is what releases it).
    func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    deinit {
        release()
    }

    /// Runs `body` only if no process holds the lock (taking it exclusively, without waiting); false otherwise.
    /// A vault without a lock file has never been opened by a storage that takes one.
    static func ifUnused(vault: String, _ body: () throws(VaultError) -> Void) throws(VaultError) -> Bool {
        let fd = open(path(for: vault), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 {
            try body()
            return true
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EINTR else { return false }
        }
        try body()
        return true
    }
}
