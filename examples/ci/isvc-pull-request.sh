#!/usr/bin/env bash
# isvc in a pull request: checks every manifest under DIR, then writes the rollout summary of the
# change from BASE (a git ref) to the working tree as Markdown, for a bot to post on the pull request.
#   isvc-pull-request.sh BASE [DIR] [SUMMARY]
# DIR: where the InferenceService manifests are (default deploy); SUMMARY: where the Markdown goes
# (default isvc-summary.md). ISVC_FORMAT=github makes the diagnostics GitHub annotations.
# Exit status: 0 clean (changed or not), 1 errors in the manifests, 2 isvc could not run.
set -uo pipefail
base="${1:?usage: isvc-pull-request.sh BASE [DIR] [SUMMARY]}"
dir="${2:-deploy}"
summary="${3:-isvc-summary.md}"
format="${ISVC_FORMAT:-text}"

mapfile -t files < <(git ls-files -- "$dir/*.yaml" "$dir/*.yml")
if [ "${#files[@]}" -eq 0 ]; then
  echo "isvc-pull-request: no YAML under $dir" >&2
  exit 2
fi
isvc check --format "$format" "${files[@]}" || exit $?

# Each side as one YAML stream: the files of BASE and of the working tree, joined with ---.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
join() { for f in "$@"; do echo '---'; cat "$f"; echo; done; }
join "${files[@]}" > "$work/new.yaml"
mkdir -p "$work/base"
git archive "$base" -- "$dir" | tar -x -C "$work/base"
mapfile -t old < <(cd "$work/base" && find "$dir" -name '*.yaml' -o -name '*.yml' | sort)
if [ "${#old[@]}" -eq 0 ]; then
  printf '### isvc\n\nNo InferenceServices at %s before this change.\n' "$base" > "$summary"
  exit 0
fi
(cd "$work/base" && join "${old[@]}") > "$work/old.yaml"
{
  printf '### isvc diff --summary\n\n```\n'
  isvc diff --summary "$work/old.yaml" "$work/new.yaml"
  status=$?
  printf '```\n'
} > "$summary"
# isvc diff: 0 nothing changes, 1 something changes, 2 error.
[ "${status:-0}" -le 1 ] || { cat "$summary" >&2; exit 2; }
cat "$summary"
