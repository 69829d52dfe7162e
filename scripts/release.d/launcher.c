// The `kls` a release installs: it picks the build of kls whose kernels this CPU
// runs fastest and becomes it (execv), before any of kls has started. The builds
// sit in ../lib/kls beside this program's own folder (the wheel, the .deb and the
// .tar.gz all lay them out so):
//   kls-avx512    x86-64-v4: AVX-512 F/BW/CD/DQ/VL, AVX2, FMA, BMI2 (Skylake-X, Zen 4 and later)
//   kls-avx2      x86-64-v3: AVX2, FMA, BMI1/2, F16C, MOVBE (Haswell, Zen 1 and later)
//   kls-baseline  any x86-64
// KLS_CPU=avx512|avx2|baseline chooses one by hand (the tests run each build this
// way); a choice the CPU cannot run is refused rather than left to crash with an
// illegal instruction. The check asks the CPU and the kernel (whether the OS saves
// the wide registers), as GCC's and Clang's __builtin_cpu_supports do.
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct build {
    const char *name;
    int (*runs_here)(void);
};

static int runs_anywhere(void) { return 1; }

#if defined(__x86_64__)
static int runs_avx512(void) { return __builtin_cpu_supports("x86-64-v4"); }
static int runs_avx2(void) { return __builtin_cpu_supports("x86-64-v3"); }

static const struct build builds[] = {
    {"avx512", runs_avx512},
    {"avx2", runs_avx2},
    {"baseline", runs_anywhere},
};
#define KLS_BUILD_NAMES "avx512, avx2 or baseline"
#else
// Elsewhere (aarch64) scripts/release makes the baseline build only.
static const struct build builds[] = {
    {"baseline", runs_anywhere},
};
#define KLS_BUILD_NAMES "baseline"
#endif
enum { build_count = sizeof builds / sizeof builds[0] };

// The folder holding the builds: <this program's folder>/../lib/kls, links resolved.
static int builds_folder(char *folder, size_t size) {
    char self[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) return -1;
    self[length] = '\0';
    char *slash = strrchr(self, '/');
    if (slash == NULL) return -1;
    *slash = '\0';
    int written = snprintf(folder, size, "%s/../lib/kls", self);
    return written > 0 && (size_t)written < size ? 0 : -1;
}

static const struct build *chosen_build(void) {
    const char *wanted = getenv("KLS_CPU");
    if (wanted != NULL && *wanted != '\0') {
        for (int i = 0; i < build_count; i++) {
            if (strcmp(wanted, builds[i].name) != 0) continue;
            if (builds[i].runs_here()) return &builds[i];
            fprintf(stderr, "kls: KLS_CPU=%s: this CPU cannot run the %s kernels\n", wanted, wanted);
            exit(2);
        }
        fprintf(stderr, "kls: KLS_CPU=%s: expected " KLS_BUILD_NAMES "\n", wanted);
        exit(2);
    }
    for (int i = 0; i < build_count; i++) {
        if (builds[i].runs_here()) return &builds[i];
    }
    return &builds[build_count - 1];
}

int main(int argc, char **argv) {
    (void)argc;
#if defined(__x86_64__)
    __builtin_cpu_init();
#endif
    const struct build *build = chosen_build();
    char folder[PATH_MAX];
    char path[PATH_MAX];
    if (builds_folder(folder, sizeof folder) != 0 ||
        snprintf(path, sizeof path, "%s/kls-%s", folder, build->name) >= (int)sizeof path) {
        fprintf(stderr, "kls: cannot find the folder this program was installed in\n");
        return 127;
    }
    execv(path, argv);
    fprintf(stderr, "kls: cannot run %s: %s (is the installation complete?)\n", path, strerror(errno));
    return 127;
}
