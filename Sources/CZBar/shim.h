#ifndef CZBAR_SHIM_H
#define CZBAR_SHIM_H
#include <zbar.h>

/// The `Y800` fourcc (8-bit gray), which `zbar_fourcc` builds with a function-like macro Swift cannot import.
static inline unsigned long CZBar_fourccY800(void) { return zbar_fourcc('Y', '8', '0', '0'); }

#endif
