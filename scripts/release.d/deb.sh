#!/usr/bin/env bash
# The .deb of a staged kls (scripts/release calls it):
#   deb.sh STAGE VERSION DEB_ARCH GLIBC OUT_DIR
# /usr/bin/kls (the launcher), /usr/lib/kls/ (the builds), the man page (gzipped,
# as Debian's policy has it), bash/zsh/fish completions, and README, CHANGELOG,
# docs and examples under /usr/share/doc/kls. The Jupyter kernel is the wheel's:
# here it would need Debian's python3-ipykernel and a spec in /usr/share/jupyter. Built with dpkg-deb
# alone: owners are root without fakeroot (--root-owner-group). xz at level 3:
# a tenth larger than level 6 (55 MB, not 50) in a third of the time.
set -euo pipefail
stage=$1 version=$2 deb_arch=$3 glibc=$4 out=$5
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/DEBIAN" "$tree/usr"
cp -R "$stage/bin" "$stage/lib" "$tree/usr/"
mkdir -p "$tree/usr/share"
cp -R "$stage/share/man" "$stage/share/doc" "$stage/share/bash-completion" "$stage/share/zsh" \
    "$stage/share/fish" "$tree/usr/share/"
gzip -9n "$tree/usr/share/man/man1/kls.1"
gzip -9n -c "$stage/share/doc/kls/CHANGELOG.md" >"$tree/usr/share/doc/kls/changelog.gz"
find "$tree/usr" -type d -exec chmod 755 {} +
find "$tree/usr" -type f ! -perm -u+x -exec chmod 644 {} +
size=$(du -sk "$tree/usr" | cut -f1)
cat >"$tree/DEBIAN/control" <<CONTROL
Package: kls
Version: $version
Architecture: $deb_arch
Maintainer: kls developers <noreply@kls.invalid>
Installed-Size: $size
Depends: libc6 (>= $glibc), libstdc++6, libgcc-s1
Section: science
Priority: optional
Description: interactive shell for KL divergence by experiment
 kls is a small expression language over tensors and probability
 distributions behind a GNU readline shell: analytic and Monte Carlo KL
 with honest uncertainty, k1/k2/k3 estimators, diagnostics, gradients,
 joints of several stochastic layers, NumPy files and plots. It runs .kls
 scripts for replay in class and serves notebooks (the wheel carries the
 Jupyter kernel).
CONTROL
dpkg-deb --root-owner-group -Zxz -z3 --build "$tree" "$out/kls_${version}_${deb_arch}.deb" >/dev/null
