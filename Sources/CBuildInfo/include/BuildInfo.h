#ifndef FIRPIPE_BUILD_INFO_H
#define FIRPIPE_BUILD_INFO_H

/// The git commit the binary was built from ("abc123def456", with "-dirty" when the tree had changes), or
/// "unknown" when it was built without the Makefile (which writes the commit before every build).
const char *firpipe_build_commit(void);

#endif
