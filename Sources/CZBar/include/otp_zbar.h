#ifndef OTP_ZBAR_H
#define OTP_ZBAR_H
// zbar, loaded on the first scan. Debian's libzbar0 links libX11, libdbus, libv4l and (through them) systemd,
// xcb and libgcrypt: linked directly, every otp process, `otp code` included, would map them. Types from zbar.h.
#include <zbar.h>

/// Loads libzbar.so.0 once (thread-safe). Returns 1, or 0 with dlerror's text in `message` (at least 256 bytes).
int otp_zbar_load(char *message);

/// The `Y800` fourcc (8-bit gray), which `zbar_fourcc` builds with a function-like macro Swift cannot import.
static inline unsigned long otp_zbar_fourcc_y800(void) { return zbar_fourcc('Y', '8', '0', '0'); }

zbar_image_scanner_t *otp_zbar_image_scanner_create(void);
void otp_zbar_image_scanner_destroy(zbar_image_scanner_t *scanner);
int otp_zbar_image_scanner_set_config(zbar_image_scanner_t *scanner, zbar_symbol_type_t symbology,
                                      zbar_config_t config, int value);
int otp_zbar_scan_image(zbar_image_scanner_t *scanner, zbar_image_t *image);
zbar_image_t *otp_zbar_image_create(void);
void otp_zbar_image_destroy(zbar_image_t *image);
void otp_zbar_image_set_format(zbar_image_t *image, unsigned long format);
void otp_zbar_image_set_size(zbar_image_t *image, unsigned width, unsigned height);
void otp_zbar_image_set_data(zbar_image_t *image, const void *data, unsigned long size);
const zbar_symbol_t *otp_zbar_image_first_symbol(const zbar_image_t *image);
zbar_symbol_type_t otp_zbar_symbol_get_type(const zbar_symbol_t *symbol);
unsigned otp_zbar_symbol_get_data_length(const zbar_symbol_t *symbol);
const char *otp_zbar_symbol_get_data(const zbar_symbol_t *symbol);
unsigned otp_zbar_symbol_get_loc_size(const zbar_symbol_t *symbol);
int otp_zbar_symbol_get_loc_x(const zbar_symbol_t *symbol, unsigned index);
int otp_zbar_symbol_get_loc_y(const zbar_symbol_t *symbol, unsigned index);
const zbar_symbol_t *otp_zbar_symbol_next(const zbar_symbol_t *symbol);
#endif
