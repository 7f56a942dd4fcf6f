#!/usr/bin/env python3
"""The folder rules of docs/architecture.md, checked on the source text (no build needed).

1. A harness file includes headers of its own folder or of folders below it in the layer order
   that docs/architecture.md states on its line starting "Layers, lowest first:".
2. No file of the measuring core's socket layers (net/, load/, server/) reaches
   nlohmann/json.hpp, directly or through any harness header it includes.
3. libuv handles are closed only through net/uv_handle.hpp, loops are made only by
   net/loop_thread.cpp, and CLI11 is read by one translation unit, cli/command_line.cpp.

Usage: check_layers.py SOURCE_DIR. Prints every violation and exits 1 if there is one.
"""
import pathlib
import re
import sys

JSON_FREE = ("net", "load", "server")
ONLY_IN = {
    r"\buv_close\(": {"net/uv_handle.hpp"},
    r"\buv_loop_init\(": {"net/loop_thread.cpp"},
    r"#include <CLI/": {"cli/command_line.cpp"},
}
QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
ANGLED = re.compile(r"^\s*#\s*include\s+<([^>]+)>", re.M)


def layer_order(source_dir):
    text = (source_dir / "docs" / "architecture.md").read_text()
    match = re.search(r"^Layers, lowest first: (.+)$", text, re.M)
    if not match:
        sys.exit("check_layers: docs/architecture.md has no line 'Layers, lowest first: ...'")
    return [name.strip(" `.") for name in match.group(1).split("<")]


def includes_of(path):
    text = path.read_text(errors="replace")
    return QUOTED.findall(text), ANGLED.findall(text)


def reaches_json(harness, relative, seen):
    if relative in seen:
        return None
    seen.add(relative)
    path = harness / relative
    if not path.is_file():
        return None  # a generated header (build_info.hpp) or a system one
    quoted, angled = includes_of(path)
    if "nlohmann/json.hpp" in angled:
        return [relative]
    for header in quoted:
        chain = reaches_json(harness, header, seen)
        if chain:
            return [relative] + chain
    return None


def main():
    source_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    harness = source_dir / "harness"
    order = layer_order(source_dir)
    rank = {name: index for index, name in enumerate(order)}
    problems = []
    for path in sorted(harness.rglob("*")):
        if path.suffix not in (".cpp", ".hpp"):
            continue
        relative = path.relative_to(harness).as_posix()
        folder = relative.split("/")[0]
        if folder not in rank:
            problems.append(f"{relative}: folder {folder}/ is not in the layer order {order}")
            continue
        quoted, _ = includes_of(path)
        for header in quoted:
            target = header.split("/")[0]
            if "/" in header and target in rank and rank[target] > rank[folder]:
                problems.append(f"{relative}: includes {header}, a folder above {folder}/")
        if folder in JSON_FREE:
            chain = reaches_json(harness, relative, set())
            if chain:
                problems.append(f"{relative}: reaches nlohmann/json.hpp through "
                                + " -> ".join(chain))
        text = path.read_text(errors="replace")
        for pattern, allowed in ONLY_IN.items():
            if relative not in allowed and re.search(pattern, text):
                problems.append(f"{relative}: {pattern} belongs only in {sorted(allowed)}")
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"check_layers: {sum(1 for _ in harness.rglob('*.?pp'))} files follow "
          f"{' < '.join(order)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
