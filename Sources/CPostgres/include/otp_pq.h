#ifndef OTP_PQ_H
#define OTP_PQ_H
// libpq, loaded on first use of a postgresql:// vault. Linking it would map libpq, GSSAPI, LDAP and Kerberos into
// every otp process, though most users never open a team vault. Types come from libpq-dev's header.
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5 once (thread-safe). Returns 1, or 0 with dlerror's text in `message` (at least 256 bytes).
int otp_pq_load(char *message);
/// libpq's version (`PQlibVersion`), e.g. 150010; 0 when not loaded.
int otp_pq_lib_version(void);

PGconn *otp_pq_connectdb_params(const char *const *keywords, const char *const *values, int expand_dbname);
ConnStatusType otp_pq_status(const PGconn *conn);
const char *otp_pq_error_message(const PGconn *conn);
void otp_pq_finish(PGconn *conn);
/// Silences libpq's default notice processor (it prints NOTICE lines to stderr).
void otp_pq_quiet_notices(PGconn *conn);
int otp_pq_socket(const PGconn *conn);
PGTransactionStatusType otp_pq_transaction_status(const PGconn *conn);
const char *otp_pq_host(const PGconn *conn);
const char *otp_pq_port(const PGconn *conn);
const char *otp_pq_db(const PGconn *conn);
const char *otp_pq_user(const PGconn *conn);
int otp_pq_ssl_in_use(PGconn *conn);

PQconninfoOption *otp_pq_conninfo_parse(const char *conninfo, char **errmsg);
void otp_pq_conninfo_free(PQconninfoOption *options);
void otp_pq_freemem(void *pointer);

int otp_pq_send_query_params(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                             const char *const *paramValues,
                             const int *paramLengths, const int *paramFormats, int resultFormat);
int otp_pq_set_single_row_mode(PGconn *conn);
int otp_pq_consume_input(PGconn *conn);
int otp_pq_is_busy(PGconn *conn);
PGresult *otp_pq_get_result(PGconn *conn);
ExecStatusType otp_pq_result_status(const PGresult *res);
const char *otp_pq_result_error_field(const PGresult *res, int fieldcode);
const char *otp_pq_result_error_message(const PGresult *res);
int otp_pq_ntuples(const PGresult *res);
int otp_pq_nfields(const PGresult *res);
char *otp_pq_getvalue(const PGresult *res, int row, int column);
int otp_pq_getlength(const PGresult *res, int row, int column);
int otp_pq_getisnull(const PGresult *res, int row, int column);
void otp_pq_clear(PGresult *res);
/// How many bytes wait unread on a socket (`ioctl FIONREAD`), 0 when it cannot tell: what the server sent and
/// libpq is about to read, counted so an endless or enormous answer is stopped while it arrives.
long otp_pq_pending_bytes(int socket);
/// The bytes received on a TCP socket since it opened (`TCP_INFO`'s `tcpi_bytes_received`), or -1 (a Unix socket).
long long otp_pq_bytes_received(int socket);
/// The next notification received (`PQnotifies`): free it with `otp_pq_freemem`.
PGnotify *otp_pq_notifies(PGconn *conn);
#endif
