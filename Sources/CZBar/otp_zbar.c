#include "otp_zbar.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    zbar_image_scanner_t *(*scanner_create)(void);
    void (*scanner_destroy)(zbar_image_scanner_t *);
    int (*scanner_set_config)(zbar_image_scanner_t *, zbar_symbol_type_t, zbar_config_t, int);
    int (*scan_image)(zbar_image_scanner_t *, zbar_image_t *);
    zbar_image_t *(*image_create)(void);
    void (*image_destroy)(zbar_image_t *);
    void (*image_set_format)(zbar_image_t *, unsigned long);
    void (*image_set_size)(zbar_image_t *, unsigned, unsigned);
    void (*image_set_data)(zbar_image_t *, const void *, unsigned long, zbar_image_cleanup_handler_t *);
    const zbar_symbol_t *(*image_first_symbol)(const zbar_image_t *);
    zbar_symbol_type_t (*symbol_get_type)(const zbar_symbol_t *);
    unsigned (*symbol_get_data_length)(const zbar_symbol_t *);
    const char *(*symbol_get_data)(const zbar_symbol_t *);
    unsigned (*symbol_get_loc_size)(const zbar_symbol_t *);
    int (*symbol_get_loc_x)(const zbar_symbol_t *, unsigned);
    int (*symbol_get_loc_y)(const zbar_symbol_t *, unsigned);
    const zbar_symbol_t *(*symbol_next)(const zbar_symbol_t *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[256];

#define OTP_RESOLVE(field, name)                                                                                       \
    do {                                                                                                               \
        *(void **)(&api.field) = dlsym(library, name);                                                                 \
        if (!api.field) {                                                                                              \
            snprintf(load_error, sizeof load_error, "libzbar.so.0 has no %s", name);                                   \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static void load(void) {
    void *library = dlopen("libzbar.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libzbar.so.0 not found");
        return;
    }
    OTP_RESOLVE(scanner_create, "zbar_image_scanner_create");
    OTP_RESOLVE(scanner_destroy, "zbar_image_scanner_destroy");
    OTP_RESOLVE(scanner_set_config, "zbar_image_scanner_set_config");
    OTP_RESOLVE(scan_image, "zbar_scan_image");
    OTP_RESOLVE(image_create, "zbar_image_create");
    OTP_RESOLVE(image_destroy, "zbar_image_destroy");
    OTP_RESOLVE(image_set_format, "zbar_image_set_format");
    OTP_RESOLVE(image_set_size, "zbar_image_set_size");
    OTP_RESOLVE(image_set_data, "zbar_image_set_data");
    OTP_RESOLVE(image_first_symbol, "zbar_image_first_symbol");
    OTP_RESOLVE(symbol_get_type, "zbar_symbol_get_type");
    OTP_RESOLVE(symbol_get_data_length, "zbar_symbol_get_data_length");
    OTP_RESOLVE(symbol_get_data, "zbar_symbol_get_data");
    OTP_RESOLVE(symbol_get_loc_size, "zbar_symbol_get_loc_size");
    OTP_RESOLVE(symbol_get_loc_x, "zbar_symbol_get_loc_x");
    OTP_RESOLVE(symbol_get_loc_y, "zbar_symbol_get_loc_y");
    OTP_RESOLVE(symbol_next, "zbar_symbol_next");
    loaded = 1;
}

int otp_zbar_load(char *message) {
    pthread_once(&once, load);
    if (!loaded) snprintf(message, 256, "%s", load_error);
    return loaded;
}

zbar_image_scanner_t *otp_zbar_image_scanner_create(void) { return api.scanner_create(); }
void otp_zbar_image_scanner_destroy(zbar_image_scanner_t *s) { api.scanner_destroy(s); }
int otp_zbar_image_scanner_set_config(zbar_image_scanner_t *s, zbar_symbol_type_t symbology, zbar_config_t config,
                                      int value) {
    return api.scanner_set_config(s, symbology, config, value);
}
int otp_zbar_scan_image(zbar_image_scanner_t *s, zbar_image_t *image) { return api.scan_image(s, image); }
zbar_image_t *otp_zbar_image_create(void) { return api.image_create(); }
void otp_zbar_image_destroy(zbar_image_t *image) { api.image_destroy(image); }
void otp_zbar_image_set_format(zbar_image_t *image, unsigned long format) { api.image_set_format(image, format); }
void otp_zbar_image_set_size(zbar_image_t *image, unsigned w, unsigned h) { api.image_set_size(image, w, h); }
void otp_zbar_image_set_data(zbar_image_t *image, const void *data, unsigned long size) {
    api.image_set_data(image, data, size, NULL);
}
const zbar_symbol_t *otp_zbar_image_first_symbol(const zbar_image_t *image) { return api.image_first_symbol(image); }
zbar_symbol_type_t otp_zbar_symbol_get_type(const zbar_symbol_t *s) { return api.symbol_get_type(s); }
unsigned otp_zbar_symbol_get_data_length(const zbar_symbol_t *s) { return api.symbol_get_data_length(s); }
const char *otp_zbar_symbol_get_data(const zbar_symbol_t *s) { return api.symbol_get_data(s); }
unsigned otp_zbar_symbol_get_loc_size(const zbar_symbol_t *s) { return api.symbol_get_loc_size(s); }
int otp_zbar_symbol_get_loc_x(const zbar_symbol_t *s, unsigned i) { return api.symbol_get_loc_x(s, i); }
int otp_zbar_symbol_get_loc_y(const zbar_symbol_t *s, unsigned i) { return api.symbol_get_loc_y(s, i); }
const zbar_symbol_t *otp_zbar_symbol_next(const zbar_symbol_t *s) { return api.symbol_next(s); }
