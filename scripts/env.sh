# Sourced by the scripts: what every build of kls here needs.
# - Debian's readline.pc brings -D flags (through tinfo) that SwiftPM rejects
#   with a warning: scripts/setup writes a copy without them, from this
#   machine's own file, to .build/pkgconfig; scripts/pkgconfig holds a path-free
#   fallback for a machine with no readline.pc.
# - KLS_TUNE_CPU=1 builds the kernels for this machine's vector width (AVX-512 or
#   AVX2+FMA); Package.swift leaves it off for other packages that depend on kls.
export PKG_CONFIG_PATH="$root/.build/pkgconfig:$root/scripts/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export KLS_TUNE_CPU="${KLS_TUNE_CPU:-1}"
