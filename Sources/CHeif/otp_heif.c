#include "otp_heif.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static struct {
    struct heif_context *(*context_alloc)(void);
    void (*context_free)(struct heif_context *);
    void (*set_maximum_image_size_limit)(struct heif_context *, int);
    struct heif_error (*read_from_memory_without_copy)(struct heif_context *, const void *, size_t,
                                                       const struct heif_reading_options *);
    struct heif_error (*get_primary_image_handle)(struct heif_context *, struct heif_image_handle **);
    void (*handle_release)(const struct heif_image_handle *);
    int (*handle_get_width)(const struct heif_image_handle *);
    int (*handle_get_height)(const struct heif_image_handle *);
    struct heif_error (*decode_image)(const struct heif_image_handle *, struct heif_image **, enum heif_colorspace,
                                      enum heif_chroma, const struct heif_decoding_options *);
    void (*image_release)(const struct heif_image *);
    int (*image_get_width)(const struct heif_image *, enum heif_channel);
    int (*image_get_height)(const struct heif_image *, enum heif_channel);
    int (*image_get_bits_per_pixel_range)(const struct heif_image *, enum heif_channel);
    const uint8_t *(*image_get_plane_readonly)(const struct heif_image *, enum heif_channel, int *);
} api;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static char load_error[256];

#define OTP_RESOLVE(field, name)                                                                                       \
    do {                                                                                                               \
        *(void **)(&api.field) = dlsym(library, name);                                                                 \
        if (!api.field) {                                                                                              \
            snprintf(load_error, sizeof load_error, "libheif.so.1 has no %s", name);                                   \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

static void load(void) {
    void *library = dlopen("libheif.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "%s", why ? why : "libheif.so.1 not found");
        return;
    }
    OTP_RESOLVE(context_alloc, "heif_context_alloc");
    OTP_RESOLVE(context_free, "heif_context_free");
    OTP_RESOLVE(set_maximum_image_size_limit, "heif_context_set_maximum_image_size_limit");
    OTP_RESOLVE(read_from_memory_without_copy, "heif_context_read_from_memory_without_copy");
    OTP_RESOLVE(get_primary_image_handle, "heif_context_get_primary_image_handle");
    OTP_RESOLVE(handle_release, "heif_image_handle_release");
    OTP_RESOLVE(handle_get_width, "heif_image_handle_get_width");
    OTP_RESOLVE(handle_get_height, "heif_image_handle_get_height");
    OTP_RESOLVE(decode_image, "heif_decode_image");
    OTP_RESOLVE(image_release, "heif_image_release");
    OTP_RESOLVE(image_get_width, "heif_image_get_width");
    OTP_RESOLVE(image_get_height, "heif_image_get_height");
    OTP_RESOLVE(image_get_bits_per_pixel_range, "heif_image_get_bits_per_pixel_range");
    OTP_RESOLVE(image_get_plane_readonly, "heif_image_get_plane_readonly");
    loaded = 1;
}

int otp_heif_load(char *message) {
    pthread_once(&once, load);
    if (!loaded) snprintf(message, 256, "%s", load_error);
    return loaded;
}

struct heif_context *otp_heif_context_alloc(void) { return api.context_alloc(); }
void otp_heif_context_free(struct heif_context *c) { api.context_free(c); }
void otp_heif_context_set_maximum_image_size_limit(struct heif_context *c, int w) {
    api.set_maximum_image_size_limit(c, w);
}
struct heif_error otp_heif_context_read_from_memory_without_copy(struct heif_context *c, const void *m, size_t n) {
    return api.read_from_memory_without_copy(c, m, n, NULL);
}
struct heif_error otp_heif_context_get_primary_image_handle(struct heif_context *c, struct heif_image_handle **h) {
    return api.get_primary_image_handle(c, h);
}
void otp_heif_image_handle_release(const struct heif_image_handle *h) { api.handle_release(h); }
int otp_heif_image_handle_get_width(const struct heif_image_handle *h) { return api.handle_get_width(h); }
int otp_heif_image_handle_get_height(const struct heif_image_handle *h) { return api.handle_get_height(h); }
struct heif_error otp_heif_decode_image(const struct heif_image_handle *h, struct heif_image **i,
                                        enum heif_colorspace s, enum heif_chroma c) {
    return api.decode_image(h, i, s, c, NULL);
}
void otp_heif_image_release(const struct heif_image *i) { api.image_release(i); }
int otp_heif_image_get_width(const struct heif_image *i, enum heif_channel c) { return api.image_get_width(i, c); }
int otp_heif_image_get_height(const struct heif_image *i, enum heif_channel c) { return api.image_get_height(i, c); }
int otp_heif_image_get_bits_per_pixel_range(const struct heif_image *i, enum heif_channel c) {
    return api.image_get_bits_per_pixel_range(i, c);
}
const uint8_t *otp_heif_image_get_plane_readonly(const struct heif_image *i, enum heif_channel c, int *stride) {
    return api.image_get_plane_readonly(i, c, stride);
}
