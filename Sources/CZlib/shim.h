// zlib from the system (Debian: zlib1g-dev), for joblib's zlib-compressed model files.
#include <zlib.h>
