#!/usr/bin/env python3
"""Extract KServe's well-known LLMInferenceServiceConfig presets into data/llmisvc-presets.yaml.

Usage: python3 scripts/extract-llmisvc-presets.py [--repo GIT_DIR] [--commit COMMIT] [--out FILE]

Reads the preset files config/llmisvcconfig/config-llm-*.yaml of kserve/kserve at COMMIT (default: the
commit schemas/SOURCES.md names) from GIT_DIR, a clone or bare mirror of kserve/kserve (default: $KSERVE_REPO,
else ../kserve next to this project), with `git show`, so the work tree is not used. Writes them, in file-name
order, as one YAML stream: a header comment, then each file's text byte for byte (comments and Go template text
included; isvc renders the templates itself), preceded by `---` and `# source: config/llmisvcconfig/<file>`.
scripts/embed-data.py then embeds the result in the binary. Re-running overwrites FILE.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
COMMIT = "aaac4e294dae2c7b1aa1886447793f3aa1c30912"
PRESET_DIR = "config/llmisvcconfig"

HEADER = """\
# KServe's well-known LLMInferenceServiceConfig presets: config/llmisvcconfig/config-llm-*.yaml of kserve/kserve
# at commit %s, each file's text as upstream has it, Go template text
# included (the controller renders it after merging, and so does isvc). KServe installs them into namespace
# `kserve`: the folder's kustomization.yaml sets `namespace: kserve` and changes nothing else (no name prefix, no
# image replacement; the Helm chart kserve-runtime-configs ships the same kustomize output), so a preset below
# without metadata.namespace is in `kserve`. isvc embeds this file (scripts/embed-data.py); it is made by
# scripts/extract-llmisvc-presets.py.
"""


def git(repo, *args):
    r = subprocess.run(["git", "-C", repo] + list(args), capture_output=True)
    if r.returncode != 0:
        sys.exit("git %s in %s: %s" % (" ".join(args), repo, r.stderr.decode().strip()))
    return r.stdout


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", default=os.environ.get("KSERVE_REPO", os.path.join(ROOT, "..", "kserve")))
    ap.add_argument("--commit", default=COMMIT)
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "llmisvc-presets.yaml"))
    args = ap.parse_args(argv)
    commit = git(args.repo, "rev-parse", "--verify", args.commit + "^{commit}").decode().strip()
    names = git(args.repo, "ls-tree", "--name-only", commit, PRESET_DIR + "/").decode().split("\n")
    files = sorted(os.path.basename(n) for n in names
                   if os.path.basename(n).startswith("config-llm-") and n.endswith(".yaml"))
    if not files:
        sys.exit("no %s/config-llm-*.yaml at %s in %s" % (PRESET_DIR, commit, args.repo))
    parts = [HEADER % commit]
    for name in files:
        path = "%s/%s" % (PRESET_DIR, name)
        text = git(args.repo, "show", "%s:%s" % (commit, path)).decode("utf-8")
        if not text.endswith("\n"):
            text += "\n"
        if text.startswith("---") or "\n---" in text:
            sys.exit("%s holds more than one YAML document; one is expected" % path)
        parts.append("---\n# source: %s\n%s" % (path, text))
    with open(args.out, "w") as f:
        f.write("".join(parts))
    print("wrote %s: %d presets from %s" % (os.path.relpath(args.out, ROOT), len(files), commit))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
