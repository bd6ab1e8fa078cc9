// CSystem is header-only (static inline functions); SwiftPM needs one source file for a C target.
#include "CSystem.h"
