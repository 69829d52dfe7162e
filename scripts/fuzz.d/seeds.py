"""Writes the fuzzer's seed inputs: one file per statement line of examples/ and
the end-to-end test scripts, and one per source of the bad-input table."""
import pathlib
import re
import sys

root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
seeds = set()
for script in list(root.glob("examples/*.kls")) + list(root.glob("Tests/EndToEndTests/Scripts/*.kls")):
    for line in script.read_text(encoding="utf-8").splitlines():
        line = line.split("#=>")[0].rstrip()
        if line.strip() and not line.lstrip().startswith("#"):
            seeds.add(line)
table = (root / "Tests/EndToEndTests/BadInputTests.swift").read_text(encoding="utf-8")
for match in re.finditer(r'Case\(source: "((?:[^"\\]|\\.)*)"', table):
    seeds.add(match.group(1).replace('\\"', '"').replace("\\\\", "\\"))
for i, seed in enumerate(sorted(seeds)):
    (out / f"seed-{i:04d}.kls").write_text(seed + "\n", encoding="utf-8")
print(f"fuzz: {len(seeds)} seeds", file=sys.stderr)
