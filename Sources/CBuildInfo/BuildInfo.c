// The commit comes from a header the Makefile writes under .build/ before each build (`make commit`),
// rewritten only when the commit changes, so only this file recompiles. A C string rather than a Swift
// file: Swift has no -D with a value, and a generated Swift file would have to live in Sources/.
#include "BuildInfo.h"

#if __has_include("../../.build/generated/BuildCommit.h")
#include "../../.build/generated/BuildCommit.h"
#endif

#ifndef FIRPIPE_BUILD_COMMIT
#define FIRPIPE_BUILD_COMMIT "unknown"
#endif

const char *firpipe_build_commit(void) { return FIRPIPE_BUILD_COMMIT; }
