#include "otp_pq.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static struct {
    int (*lib_version)(void);
    PGconn *(*connectdb_params)(const char *const *, const char *const *, int);
    ConnStatusType (*status)(const PGconn *);
    char *(*error_message)(const PGconn *);
    void (*finish)(PGconn *);
    PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
    int (*socket)(const PGconn *);
    PGTransactionStatusType (*transaction_status)(const PGconn *);
    char *(*host)(const PGconn *);
    char *(*port)(const PGconn *);
    char *(*db)(const PGconn *);
    char *(*user)(const PGconn *);
    int (*ssl_in_use)(PGconn *);
    PQconninfoOption *(*conninfo_parse)(const char *, char **);
    void (*conninfo_free)(PQconninfoOption *);
    void (*freemem)(void *);
    int (*send_query_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *,
                             int);
    int (*set_single_row_mode)(PGconn *);
    int (*consume_input)(PGconn *);
    int (*is_busy)(PGconn *);
    PGresult *(*get_result)(PGconn *);
    ExecStatusType (*result_status)(const PGresult *);
    char *(*result_error_field)(const PGresult *, int);
    char *(*result_error_message)(const PGresult *);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getlength)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
    void (*clear)(PGresult *);
    PGnotify *(*notifies)(PGconn *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[256];

#define OTP_RESOLVE(field, name)                                                                                       \
    do {                                                                                                               \
        *(void **)(&api.field) = dlsym(library, name);                                                                 \
        if (!api.field) {                                                                                              \
            snprintf(load_error, sizeof load_error, "libpq.so.5 has no %s", name);                                     \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static void load(void) {
    void *library = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libpq.so.5 not found");
        return;
    }
    OTP_RESOLVE(lib_version, "PQlibVersion");
    OTP_RESOLVE(connectdb_params, "PQconnectdbParams");
    OTP_RESOLVE(status, "PQstatus");
    OTP_RESOLVE(error_message, "PQerrorMessage");
    OTP_RESOLVE(finish, "PQfinish");
    OTP_RESOLVE(set_notice_processor, "PQsetNoticeProcessor");
    OTP_RESOLVE(socket, "PQsocket");
    OTP_RESOLVE(transaction_status, "PQtransactionStatus");
    OTP_RESOLVE(host, "PQhost");
    OTP_RESOLVE(port, "PQport");
    OTP_RESOLVE(db, "PQdb");
    OTP_RESOLVE(user, "PQuser");
    OTP_RESOLVE(ssl_in_use, "PQsslInUse");
    OTP_RESOLVE(conninfo_parse, "PQconninfoParse");
    OTP_RESOLVE(conninfo_free, "PQconninfoFree");
    OTP_RESOLVE(freemem, "PQfreemem");
    OTP_RESOLVE(send_query_params, "PQsendQueryParams");
    OTP_RESOLVE(set_single_row_mode, "PQsetSingleRowMode");
    OTP_RESOLVE(consume_input, "PQconsumeInput");
    OTP_RESOLVE(is_busy, "PQisBusy");
    OTP_RESOLVE(get_result, "PQgetResult");
    OTP_RESOLVE(result_status, "PQresultStatus");
    OTP_RESOLVE(result_error_field, "PQresultErrorField");
    OTP_RESOLVE(result_error_message, "PQresultErrorMessage");
    OTP_RESOLVE(ntuples, "PQntuples");
    OTP_RESOLVE(nfields, "PQnfields");
    OTP_RESOLVE(getvalue, "PQgetvalue");
    OTP_RESOLVE(getlength, "PQgetlength");
    OTP_RESOLVE(getisnull, "PQgetisnull");
    OTP_RESOLVE(clear, "PQclear");
    OTP_RESOLVE(notifies, "PQnotifies");
    loaded = 1;
}

int otp_pq_load(char *message) {
    pthread_once(&once, load);
    if (!loaded) snprintf(message, 256, "%s", load_error);
    return loaded;
}

int otp_pq_lib_version(void) { return loaded ? api.lib_version() : 0; }

PGconn *otp_pq_connectdb_params(const char *const *keywords, const char *const *values, int expand_dbname) {
    return api.connectdb_params(keywords, values, expand_dbname);
}
ConnStatusType otp_pq_status(const PGconn *conn) { return api.status(conn); }
const char *otp_pq_error_message(const PGconn *conn) { return api.error_message(conn); }
void otp_pq_finish(PGconn *conn) { api.finish(conn); }

static void ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}
void otp_pq_quiet_notices(PGconn *conn) { api.set_notice_processor(conn, ignore_notice, NULL); }
int otp_pq_socket(const PGconn *conn) { return api.socket(conn); }
PGTransactionStatusType otp_pq_transaction_status(const PGconn *conn) { return api.transaction_status(conn); }
const char *otp_pq_host(const PGconn *conn) { return api.host(conn); }
const char *otp_pq_port(const PGconn *conn) { return api.port(conn); }
const char *otp_pq_db(const PGconn *conn) { return api.db(conn); }
const char *otp_pq_user(const PGconn *conn) { return api.user(conn); }
int otp_pq_ssl_in_use(PGconn *conn) { return api.ssl_in_use(conn); }

PQconninfoOption *otp_pq_conninfo_parse(const char *conninfo, char **errmsg) {
    return api.conninfo_parse(conninfo, errmsg);
}
void otp_pq_conninfo_free(PQconninfoOption *options) { api.conninfo_free(options); }
void otp_pq_freemem(void *pointer) { api.freemem(pointer); }

int otp_pq_send_query_params(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                             const char *const *paramValues, const int *paramLengths, const int *paramFormats,
                             int resultFormat) {
    return api.send_query_params(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats,
                                 resultFormat);
}
int otp_pq_set_single_row_mode(PGconn *conn) { return api.set_single_row_mode(conn); }
int otp_pq_consume_input(PGconn *conn) { return api.consume_input(conn); }
int otp_pq_is_busy(PGconn *conn) { return api.is_busy(conn); }
PGresult *otp_pq_get_result(PGconn *conn) { return api.get_result(conn); }
ExecStatusType otp_pq_result_status(const PGresult *res) { return api.result_status(res); }
const char *otp_pq_result_error_field(const PGresult *res, int fieldcode) {
    return api.result_error_field(res, fieldcode);
}
const char *otp_pq_result_error_message(const PGresult *res) { return api.result_error_message(res); }
int otp_pq_ntuples(const PGresult *res) { return api.ntuples(res); }
int otp_pq_nfields(const PGresult *res) { return api.nfields(res); }
char *otp_pq_getvalue(const PGresult *res, int row, int column) { return api.getvalue(res, row, column); }
int otp_pq_getlength(const PGresult *res, int row, int column) { return api.getlength(res, row, column); }
int otp_pq_getisnull(const PGresult *res, int row, int column) { return api.getisnull(res, row, column); }
void otp_pq_clear(PGresult *res) { api.clear(res); }
PGnotify *otp_pq_notifies(PGconn *conn) { return api.notifies(conn); }

long otp_pq_pending_bytes(int socket) {
    int count = 0;
    if (ioctl(socket, FIONREAD, &count) != 0 || count < 0) return 0;
    return count;
}

long long otp_pq_bytes_received(int socket) {
    struct tcp_info info;
    socklen_t length = sizeof info;
    if (getsockopt(socket, IPPROTO_TCP, TCP_INFO, &info, &length) != 0 ||
        length < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return -1;
    return (long long)info.tcpi_bytes_received;
}
