#!/usr/bin/python3
"""Checks docs/ci.md's GitHub Actions workflow as far as it can be checked without GitHub:

1. It is valid YAML with one job whose steps are in the order that works in a debian:12
   container: git installed before actions/checkout, safe.directory set before any other git
   command (git worktree fails on the host-owned workspace otherwise).
2. Every `tcpharness SUBCOMMAND --flag` in a run step exists: the flag appears in that
   subcommand's --help, and `--format VALUE` is one the subcommand accepts.
3. The base binary runs the base tree's own scenario (it is started from the base worktree).
4. Each github-action-benchmark step reads the file that `convert --format` wrote for its tool.

Usage: check_ci_workflow.py CI_MD TCPHARNESS_BINARY; exit 0, or 1 naming each problem.
"""
import re
import shlex
import subprocess
import sys

import yaml


def workflow_of(ci_md):
    with open(ci_md, encoding="utf-8") as doc:
        blocks = re.findall(r"```yaml\n(.*?)```", doc.read(), re.S)
    if len(blocks) != 1:
        sys.exit(f"check_ci_workflow: expected one yaml block in {ci_md}, found {len(blocks)}")
    return yaml.safe_load(blocks[0])


def commands_in(script):
    """Each tcpharness invocation of a run script, continuation lines joined, as word lists."""
    joined = re.sub(r"\\\n\s*", " ", script)
    for line in joined.splitlines():
        for match in re.finditer(r"build/tcpharness\s+([^;&|>)]*)", line):
            yield shlex.split(match.group(1).replace("${{", "X").replace("}}", "X"))


def main():
    ci_md, binary = sys.argv[1:]
    problems = []
    workflow = workflow_of(ci_md)
    jobs = list(workflow["jobs"].values())
    steps = jobs[0]["steps"]
    for step in steps:
        step["run"] = str(step.get("run", ""))  # YAML reads `run: true` as a boolean
    runs = [step["run"] for step in steps]
    uses = [step.get("uses", "") for step in steps]

    def first(predicate, what):
        for index, step in enumerate(steps):
            if predicate(step):
                return index
        problems.append(f"no step {what}")
        return len(steps)

    checkout = first(lambda s: s.get("uses", "").startswith("actions/checkout"), "checks out")
    install_git = first(lambda s: re.search(r"apt-get install[^\n]*\bgit\b", s["run"]),
                        "installs git")
    trust = first(lambda s: "safe.directory" in s["run"], "sets safe.directory")
    worktree = first(lambda s: "git worktree add" in s["run"], "adds the base worktree")
    if not install_git < checkout:
        problems.append("git must be installed before actions/checkout (or it fetches a tarball)")
    if not checkout < trust < worktree:
        problems.append("safe.directory must be set after the checkout and before git worktree")
    if not re.search(r"cd \"\$1\" && build/tcpharness run", "\n".join(runs)):
        problems.append("the measure step must start each binary from its own tree (cd \"$1\")")

    help_of = {}
    formats_written = {}
    for script in runs:
        for words in commands_in(script):
            if not words:
                continue
            subcommand = words[0]
            if subcommand not in help_of:
                result = subprocess.run([binary, subcommand, "--help"], capture_output=True,
                                        text=True)
                if result.returncode != 0:
                    problems.append(f"tcpharness {subcommand}: not a subcommand")
                    continue
                help_of[subcommand] = result.stdout
            for index, word in enumerate(words):
                flag = word.split("=")[0]
                if flag.startswith("-") and not re.search(rf"(^|[ ,]){re.escape(flag)}\b",
                                                          help_of[subcommand], re.M):
                    problems.append(f"tcpharness {subcommand}: no option {flag}")
                if word == "--format":
                    value = words[index + 1]
                    if not re.search(rf"\b{re.escape(value)}\b", help_of[subcommand]):
                        problems.append(f"tcpharness {subcommand} --format {value}: not offered")
                    if "-o" in words:
                        formats_written[words[words.index("-o") + 1]] = value
    for step, action in zip(steps, uses):
        if action.startswith("benchmark-action/github-action-benchmark"):
            tool = step["with"]["tool"]
            path = step["with"]["output-file-path"]
            if formats_written.get(path) != tool:
                problems.append(f"dashboard step '{step['name']}' reads {path} as {tool}, but "
                                f"that file is written as {formats_written.get(path)}")
    for problem in problems:
        print(f"{ci_md}: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
