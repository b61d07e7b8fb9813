#ifndef OTP_JPEG_H
#define OTP_JPEG_H
#include <stddef.h>
#include <stdint.h>

/// What the header of a JPEG file declares.
typedef struct {
    uint32_t width;
    uint32_t height;
    int components;
    int progressive;
} otp_jpeg_info;

/// Limits applied while decoding: libjpeg's own memory pool and the number of progressive scans.
typedef struct {
    size_t max_memory;
    int max_scans;
} otp_jpeg_limits;

/// Reads the header only. Returns 1, or 0 with libjpeg's message in `message` (at least 200 bytes).
int otp_jpeg_read_info(const uint8_t *data, size_t length, otp_jpeg_info *info, char *message);

/// Decodes to 8-bit gray at 1/`scale_denom` (1, 2, 4 or 8) in the DCT domain, into `out` (`capacity` bytes).
/// The output size is checked against `capacity` before any scan line is written; `out_width`/`out_height` say what
/// was written. Returns 1, or 0 with libjpeg's message (errors never longjmp past this function).
int otp_jpeg_decode_gray(const uint8_t *data, size_t length, int scale_denom, otp_jpeg_limits limits,
                         uint8_t *out, size_t capacity, uint32_t *out_width, uint32_t *out_height,
                         int *warnings, char *message);

#endif
