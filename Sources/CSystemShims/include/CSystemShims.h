#ifndef CSYSTEMSHIMS_H
#define CSYSTEMSHIMS_H

/// Makes this process's memory private: no core dumps (RLIMIT_CORE 0), not dumpable or ptrace-able by other
/// processes of the same user (PR_SET_DUMPABLE 0), and its pages locked in memory when the limits allow
/// (mlockall). Returns 1 when the pages could be locked, 0 otherwise (the rest always applies).
int CSystemShims_harden_process(void);

/// The uid of the process at the other end of a Unix socket (SO_PEERCRED), or -1 when it cannot be read.
long long CSystemShims_peer_uid(int fd);

#endif
