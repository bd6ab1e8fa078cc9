// The loader is here; the rest of CSystem is static inline in the header.
#include "CSystem.h"
#include <dlfcn.h>
#include <stdio.h>

const char *firpipe_load_library(const char *soname, const char *const names[], void *table[], int count,
                                 char *error, int errorSize) {
    // RTLD_GLOBAL: alsa-lib's own plugins (dlopened by it) may expect its symbols in the global scope.
    void *library = dlopen(soname, RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(error, (size_t)errorSize, "%s", dlerror());
        return error;
    }
    for (int i = 0; i < count; i++) {
        table[i] = dlsym(library, names[i]);
        if (!table[i]) {
            snprintf(error, (size_t)errorSize, "%s has no %s (too old?)", soname, names[i]);
            return error;
        }
    }
    return NULL;
}
