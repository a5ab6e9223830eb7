#ifndef CIMAGESHIMS_H
#define CIMAGESHIMS_H

/*
 * The only C in the package: libpng and libjpeg report errors with longjmp, which Swift cannot
 * catch. Each function here sets the jump buffer, calls the library, and turns any error into a
 * return code plus a message in a caller-provided buffer. Nothing here frees memory it did not
 * allocate, and every handle created here is destroyed before the function returns, except the
 * JPEG decoder, which its Swift owner destroys.
 */

#include <stddef.h>

/* Receives encoded bytes as the PNG writer produces them. */
typedef void (*CImageShims_write_fn)(void *context, const unsigned char *bytes, size_t count);

/*
 * Encodes a grey image as PNG. `bit_depth` is 1 (rows packed MSB first, 1 = white) or 8.
 * Returns 0 on success, -1 on error with a message in `message`.
 */
int CImageShims_png_write_gray(const unsigned char *pixels, unsigned width, unsigned height,
                               size_t row_bytes, int bit_depth, int compression_level,
                               CImageShims_write_fn write, void *context,
                               char *message, size_t message_capacity);

/* A libjpeg decompressor with an error manager that longjmps instead of exiting. */
typedef struct CImageShims_jpeg CImageShims_jpeg;

CImageShims_jpeg *CImageShims_jpeg_create(void);
void CImageShims_jpeg_destroy(CImageShims_jpeg *decoder);

/*
 * Reads the header of the JPEG in `data` (which must stay valid until decoding ends).
 * On success stores the size and the number of output components (1 grey, 3 RGB, 4 CMYK)
 * and returns 0; returns -1 with a message on error.
 */
int CImageShims_jpeg_read_header(CImageShims_jpeg *decoder, const unsigned char *data, unsigned long length,
                                 unsigned *width, unsigned *height, int *components);

/*
 * Decodes the image into `out` (height rows of `row_bytes`, width * components bytes used).
 * Returns 0 on success, -1 on error. `truncated` is set to 1 when the data ended early
 * (libjpeg fills the rest with grey and only warns).
 */
int CImageShims_jpeg_decode(CImageShims_jpeg *decoder, unsigned char *out, size_t row_bytes, int *truncated);

/* 1 when the data ended early (libjpeg's JWRN_JPEG_EOF or JERR_INPUT_EMPTY), by its message code. */
int CImageShims_jpeg_ended_early(const CImageShims_jpeg *decoder);

/* The message of the last error or warning, never NULL. */
const char *CImageShims_jpeg_message(const CImageShims_jpeg *decoder);

/*
 * Encodes a grey image as baseline JPEG at `quality` (1-100), handing the bytes to `write` once.
 * Returns 0 on success, -1 on error with a message in `message`.
 */
int CImageShims_jpeg_write_gray(const unsigned char *pixels, unsigned width, unsigned height, size_t row_bytes,
                                int quality, CImageShims_write_fn write, void *context, char *message,
                                size_t message_capacity);

#endif
