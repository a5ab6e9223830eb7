#include "CImageShims.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

struct write_state {
    CImageShims_write_fn write;
    void *context;
    char *message;
    size_t message_capacity;
};

static void on_error(png_structp png, png_const_charp text) {
    struct write_state *state = (struct write_state *)png_get_error_ptr(png);
    if (state->message_capacity > 0) {
        snprintf(state->message, state->message_capacity, "%s", text);
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void on_write(png_structp png, png_bytep data, size_t length) {
    struct write_state *state = (struct write_state *)png_get_io_ptr(png);
    state->write(state->context, data, length);
}

static void on_flush(png_structp png) { (void)png; }

int CImageShims_png_write_gray(const unsigned char *pixels, unsigned width, unsigned height,
                               size_t row_bytes, int bit_depth, int compression_level,
                               CImageShims_write_fn write, void *context,
                               char *message, size_t message_capacity) {
    struct write_state state = {write, context, message, message_capacity};
    if (message_capacity > 0) message[0] = 0;
    if (bit_depth != 1 && bit_depth != 8) {
        snprintf(message, message_capacity, "unsupported bit depth %d", bit_depth);
        return -1;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &state, on_error, on_warning);
    if (png == NULL) {
        snprintf(message, message_capacity, "png_create_write_struct failed");
        return -1;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        snprintf(message, message_capacity, "png_create_info_struct failed");
        return -1;
    }
    /* volatile: modified between setjmp and longjmp. */
    volatile int result = -1;
    if (setjmp(png_jmpbuf(png)) == 0) {
        png_set_write_fn(png, &state, on_write, on_flush);
        png_set_compression_level(png, compression_level);
        png_set_IHDR(png, info, width, height, bit_depth, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        if (bit_depth == 1) {
            png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
        }
        png_write_info(png, info);
        for (unsigned y = 0; y < height; y++) {
            png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
        }
        png_write_end(png, info);
        result = 0;
    }
    png_destroy_write_struct(&png, &info);
    return result;
}
