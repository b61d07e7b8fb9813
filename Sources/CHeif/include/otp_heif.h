#ifndef OTP_HEIF_H
#define OTP_HEIF_H
// libheif, loaded on first use. Linking libheif directly loads x265, libaom, dav1d and libde265 into every otp
// process and costs about 7 ms of start-up (measured), which every `otp code` would pay for a format it rarely reads.
#include <libheif/heif.h>

/// Loads libheif.so.1 once (thread-safe). Returns 1, or 0 with dlerror's text in `message` (at least 256 bytes).
int otp_heif_load(char *message);

struct heif_context *otp_heif_context_alloc(void);
void otp_heif_context_free(struct heif_context *context);
void otp_heif_context_set_maximum_image_size_limit(struct heif_context *context, int maximum_width);
struct heif_error otp_heif_context_read_from_memory_without_copy(struct heif_context *context, const void *memory,
                                                                  size_t size);
struct heif_error otp_heif_context_get_primary_image_handle(struct heif_context *context,
                                                            struct heif_image_handle **handle);
void otp_heif_image_handle_release(const struct heif_image_handle *handle);
int otp_heif_image_handle_get_width(const struct heif_image_handle *handle);
int otp_heif_image_handle_get_height(const struct heif_image_handle *handle);
struct heif_error otp_heif_decode_image(const struct heif_image_handle *handle, struct heif_image **image,
                                        enum heif_colorspace colorspace, enum heif_chroma chroma);
void otp_heif_image_release(const struct heif_image *image);
int otp_heif_image_get_width(const struct heif_image *image, enum heif_channel channel);
int otp_heif_image_get_height(const struct heif_image *image, enum heif_channel channel);
int otp_heif_image_get_bits_per_pixel_range(const struct heif_image *image, enum heif_channel channel);
const uint8_t *otp_heif_image_get_plane_readonly(const struct heif_image *image, enum heif_channel channel,
                                                 int *stride);
#endif
