#!/usr/bin/env bash
# kls.1, the man page (scripts/release calls it):
#   manual.sh GENERATE_MANUAL KLS OUT
# The NAME, SYNOPSIS, options and EXIT STATUS come from swift-argument-parser's
# generate-manual tool, which reads `kls --experimental-dump-help` — the same
# declarations as `--help`. Two of its quirks are mended: the implicit `help`
# subcommand every ArgumentParser command has (kls has no subcommands, so the
# synopsis's "subcommand" and its entry go), and a date that would change on
# every build (the commit's date instead). What no declaration says — the
# environment, files, examples and where to read more — is manual.tail.
set -euo pipefail
generate=$1 kls=$2 out=$3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
date=$(git -C "$here" log -1 --format=%cs 2>/dev/null || date +%F)
"$generate" "$kls" --date "$date" --output-directory - |
    python3 -c '
import re, sys
page = sys.stdin.read()
page = page.replace(".Ar subcommand\n", "", 1)
# The implicit help subcommand: from its .It Em help to the end of its nested list.
page = re.sub(r"\.It Em help\n.*?\.El\n", "", page, count=1, flags=re.S)
tail = open(sys.argv[1]).read()
page = page.replace(".Sh \"EXIT STATUS\"", tail.rstrip("\n") + "\n.Sh \"EXIT STATUS\"", 1)
sys.stdout.write(page)
' "$here/manual.tail" >"$out"
if grep -q 'Em help\|Ar subcommand' "$out"; then
    echo "manual: the implicit help subcommand is still in the page (generate-manual changed?)" >&2
    exit 1
fi
