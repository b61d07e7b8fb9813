// libjpeg(-turbo) reports errors by calling error_exit, which must not return: the classic answer is longjmp, which
// Swift cannot do. This file keeps the setjmp on the C side so no libjpeg error can unwind through Swift frames.
#include "otp_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#define OTP_MESSAGE_LENGTH 200

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
    int warnings;
} otp_error_manager;

typedef struct {
    struct jpeg_progress_mgr pub;
    int max_scans;
    j_common_ptr owner;
} otp_progress;

static void otp_error_exit(j_common_ptr cinfo) {
    otp_error_manager *manager = (otp_error_manager *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(manager->message, OTP_MESSAGE_LENGTH, "%s", text);
    longjmp(manager->jump, 1);
}

static void otp_emit_message(j_common_ptr cinfo, int level) {
    // level -1 is a warning (corrupt data, premature end); the decoder goes on, as every viewer does.
    if (level < 0) {
        ((otp_error_manager *)cinfo->err)->warnings++;
    }
}

static void otp_output_message(j_common_ptr cinfo) { (void)cinfo; }

// A progressive file may declare thousands of scans over the same coefficients: each costs a pass over the image.
static void otp_progress_monitor(j_common_ptr cinfo) {
    otp_progress *progress = (otp_progress *)cinfo->progress;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (progress->max_scans > 0 && dinfo->input_scan_number > progress->max_scans) {
        otp_error_manager *manager = (otp_error_manager *)cinfo->err;
        snprintf(manager->message, OTP_MESSAGE_LENGTH,
                 "more than %d progressive scans (a decoding-time bomb at this image size)", progress->max_scans);
        longjmp(manager->jump, 1);
    }
}

static void otp_setup(struct jpeg_decompress_struct *cinfo, otp_error_manager *errors, char *message) {
    memset(cinfo, 0, sizeof(*cinfo));
    cinfo->err = jpeg_std_error(&errors->pub);
    errors->pub.error_exit = otp_error_exit;
    errors->pub.emit_message = otp_emit_message;
    errors->pub.output_message = otp_output_message;
    errors->message = message;
    errors->warnings = 0;
    message[0] = 0;
}

int otp_jpeg_read_info(const uint8_t *data, size_t length, otp_jpeg_info *info, char *message) {
    struct jpeg_decompress_struct cinfo;
    otp_error_manager errors;
    otp_setup(&cinfo, &errors, message);
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    info->width = cinfo.image_width;
    info->height = cinfo.image_height;
    info->components = cinfo.num_components;
    info->progressive = cinfo.progressive_mode ? 1 : 0;
    jpeg_destroy_decompress(&cinfo);
    return 1;
}

int otp_jpeg_decode_gray(const uint8_t *data, size_t length, int scale_denom, otp_jpeg_limits limits,
                         uint8_t *out, size_t capacity, uint32_t *out_width, uint32_t *out_height,
                         int *warnings, char *message) {
    struct jpeg_decompress_struct cinfo;
    otp_error_manager errors;
    otp_progress progress;
    // volatile: read after a longjmp.
    JSAMPARRAY volatile row = NULL;
    otp_setup(&cinfo, &errors, message);
    if (setjmp(errors.jump)) {
        *warnings = errors.warnings;
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    jpeg_create_decompress(&cinfo);
    // libjpeg-turbo's memory manager refuses to allocate past this (the whole-image coefficient buffer of a
    // progressive file included) with an error instead of growing.
    cinfo.mem->max_memory_to_use = (long)limits.max_memory;
    memset(&progress, 0, sizeof(progress));
    progress.pub.progress_monitor = otp_progress_monitor;
    progress.max_scans = limits.max_scans;
    cinfo.progress = &progress.pub;
    jpeg_mem_src(&cinfo, data, (unsigned long)length);
    jpeg_read_header(&cinfo, TRUE);
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_GRAYSCALE;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_calc_output_dimensions(&cinfo);
    size_t width = cinfo.output_width;
    size_t height = cinfo.output_height;
    if (width == 0 || height == 0 || height > capacity / width) {
        snprintf(message, OTP_MESSAGE_LENGTH, "output of %zux%zu pixels does not fit the %zu-byte buffer", width, height,
                 capacity);
        jpeg_destroy_decompress(&cinfo);
        return 0;
    }
    jpeg_start_decompress(&cinfo);
    if (cmyk) {
        row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE, (JDIMENSION)(width * 4), 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        size_t y = cinfo.output_scanline;
        if (cmyk) {
            jpeg_read_scanlines(&cinfo, row, 1);
            const JSAMPLE *p = row[0];
            uint8_t *q = out + y * width;
            // Adobe writes inverted CMYK: each sample is 255 − ink. Luma of the RGB it stands for.
            for (size_t x = 0; x < width; x++, p += 4) {
                unsigned k = p[3];
                unsigned r = p[0] * k / 255, g = p[1] * k / 255, b = p[2] * k / 255;
                q[x] = (uint8_t)((r * 77 + g * 150 + b * 29) >> 8);
            }
        } else {
            JSAMPROW line = out + y * width;
            jpeg_read_scanlines(&cinfo, &line, 1);
        }
    }
    jpeg_finish_decompress(&cinfo);
    *out_width = (uint32_t)width;
    *out_height = (uint32_t)height;
    *warnings = errors.warnings;
    jpeg_destroy_decompress(&cinfo);
    return 1;
}
