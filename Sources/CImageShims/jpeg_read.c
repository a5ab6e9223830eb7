#include "CImageShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct CImageShims_jpeg {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_error_mgr errors;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
    int truncated;
    int created;
    int components;
};

static void on_error_exit(j_common_ptr cinfo) {
    CImageShims_jpeg *decoder = (CImageShims_jpeg *)cinfo->client_data;
    if (cinfo->err->msg_code == JERR_INPUT_EMPTY) decoder->truncated = 1;
    (*cinfo->err->format_message)(cinfo, decoder->message);
    longjmp(decoder->jump, 1);
}

/* Warnings are recorded, never printed; a premature end of data marks the image truncated. */
static void on_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    CImageShims_jpeg *decoder = (CImageShims_jpeg *)cinfo->client_data;
    if (cinfo->err->msg_code == JWRN_JPEG_EOF) decoder->truncated = 1;
    (*cinfo->err->format_message)(cinfo, decoder->message);
    cinfo->err->num_warnings++;
}

CImageShims_jpeg *CImageShims_jpeg_create(void) {
    CImageShims_jpeg *decoder = calloc(1, sizeof(CImageShims_jpeg));
    if (decoder == NULL) return NULL;
    decoder->cinfo.err = jpeg_std_error(&decoder->errors);
    decoder->errors.error_exit = on_error_exit;
    decoder->errors.emit_message = on_emit_message;
    decoder->cinfo.client_data = decoder;
    if (setjmp(decoder->jump) != 0) {
        free(decoder);
        return NULL;
    }
    jpeg_create_decompress(&decoder->cinfo);
    decoder->created = 1;
    return decoder;
}

void CImageShims_jpeg_destroy(CImageShims_jpeg *decoder) {
    if (decoder == NULL) return;
    if (decoder->created) jpeg_destroy_decompress(&decoder->cinfo);
    free(decoder);
}

int CImageShims_jpeg_read_header(CImageShims_jpeg *decoder, const unsigned char *data, unsigned long length,
                                 unsigned *width, unsigned *height, int *components) {
    decoder->message[0] = 0;
    decoder->truncated = 0;
    if (setjmp(decoder->jump) != 0) {
        jpeg_abort_decompress(&decoder->cinfo);
        return -1;
    }
    jpeg_mem_src(&decoder->cinfo, data, length);
    jpeg_read_header(&decoder->cinfo, TRUE);
    switch (decoder->cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        decoder->cinfo.out_color_space = JCS_GRAYSCALE;
        decoder->components = 1;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        decoder->cinfo.out_color_space = JCS_CMYK;
        decoder->components = 4;
        break;
    default:
        /* YCbCr to grey keeps only the luma plane: no colour conversion work at all. */
        decoder->cinfo.out_color_space = JCS_GRAYSCALE;
        decoder->components = 1;
        break;
    }
    jpeg_calc_output_dimensions(&decoder->cinfo);
    *width = decoder->cinfo.output_width;
    *height = decoder->cinfo.output_height;
    *components = decoder->components;
    return 0;
}

int CImageShims_jpeg_decode(CImageShims_jpeg *decoder, unsigned char *out, size_t row_bytes, int *truncated) {
    if (setjmp(decoder->jump) != 0) {
        jpeg_abort_decompress(&decoder->cinfo);
        *truncated = decoder->truncated;
        return -1;
    }
    jpeg_start_decompress(&decoder->cinfo);
    while (decoder->cinfo.output_scanline < decoder->cinfo.output_height) {
        JSAMPROW row = out + (size_t)decoder->cinfo.output_scanline * row_bytes;
        jpeg_read_scanlines(&decoder->cinfo, &row, 1);
    }
    jpeg_finish_decompress(&decoder->cinfo);
    *truncated = decoder->truncated;
    return 0;
}

const char *CImageShims_jpeg_message(const CImageShims_jpeg *decoder) {
    return decoder->message;
}

int CImageShims_jpeg_ended_early(const CImageShims_jpeg *decoder) { return decoder->truncated; }
