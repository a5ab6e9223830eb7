#include "CImageShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

struct write_errors {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t capacity;
};

static void on_write_error(j_common_ptr cinfo) {
    struct write_errors *errors = (struct write_errors *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    if (errors->capacity > 0) {
        strncpy(errors->message, text, errors->capacity - 1);
        errors->message[errors->capacity - 1] = 0;
    }
    longjmp(errors->jump, 1);
}

static void on_write_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

/* The encoder's output buffer lives on the heap, so it is still known after a longjmp. */
struct output {
    unsigned char *bytes;
    unsigned long size;
};

int CImageShims_jpeg_write_gray(const unsigned char *pixels, unsigned width, unsigned height, size_t row_bytes,
                                int quality, CImageShims_write_fn write, void *context, char *message,
                                size_t message_capacity) {
    struct jpeg_compress_struct cinfo;
    struct write_errors errors;
    struct output *output = calloc(1, sizeof(struct output));
    if (output == NULL) {
        if (message_capacity > 0) {
            strncpy(message, "out of memory", message_capacity - 1);
            message[message_capacity - 1] = 0;
        }
        return -1;
    }
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&errors.base);
    errors.base.error_exit = on_write_error;
    errors.base.emit_message = on_write_message;
    errors.message = message;
    errors.capacity = message_capacity;
    if (setjmp(errors.jump) != 0) {
        jpeg_destroy_compress(&cinfo);
        free(output->bytes);
        free(output);
        return -1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &output->bytes, &output->size);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = 1;
    cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    write(context, output->bytes, output->size);
    free(output->bytes);
    free(output);
    return 0;
}
