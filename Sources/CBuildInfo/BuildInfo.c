// The commit lives in a header that scripts/setup rewrites only when the commit
// changes, so that a new commit relinks kls without recompiling any Swift module
// (the Swift modules import CBuildInfo.h, which never changes).
#include "CBuildInfo.h"

#if __has_include("commit.h")
#include "commit.h"
#endif

#ifndef KLS_COMMIT
#define KLS_COMMIT ""
#endif

const char *kls_build_commit(void) { return KLS_COMMIT; }
