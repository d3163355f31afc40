// zlib (Debian's zlib1g-dev): gzip and raw deflate, for the gzip-compressed data sets (IDX files).
#include <zlib.h>
