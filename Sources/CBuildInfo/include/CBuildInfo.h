#ifndef CBUILDINFO_H
#define CBUILDINFO_H

/// The commit kls was built from ("abc123def456", "abc123def456-dirty" when the
/// working tree had changes), or "" when it was not built from a git checkout.
const char *kls_build_commit(void);

#endif
