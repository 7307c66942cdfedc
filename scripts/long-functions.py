#!/usr/bin/env python3
"""Lists Swift functions, initializers and closures-as-properties longer than a limit (default 80
lines), longest first: `python3 scripts/long-functions.py [LIMIT] [DIR...]` (default Sources;
folders named Generated, protoc's output, left out). A body runs from the line of its declaration
to its closing brace; braces inside strings and comments are skipped. A rough measure, for keeping
functions short, not a parser."""
import os
import re
import sys

DECL = re.compile(r'^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|class|override|'
                  r'mutating|nonmutating|final|nonisolated|convenience|required|@inlinable|@discardableResult)\s+)*'
                  r'(func\s+[^\s(<]+|init[?!]?\s*[(<]|subscript\s*[(<]|(?:var|let)\s+\w+[^=]*\{\s*$)')


def strip(line, in_block):
    """The line without strings and comments; whether a block comment continues after it."""
    out, i = [], 0
    while i < len(line):
        if in_block:
            end = line.find('*/', i)
            if end < 0:
                return ''.join(out), True
            i, in_block = end + 2, False
        elif line.startswith('//', i):
            break
        elif line.startswith('/*', i):
            in_block, i = True, i + 2
        elif line[i] == '"':
            i += 1
            while i < len(line) and line[i] != '"':
                i += 2 if line[i] == '\\' else 1
            i += 1
        else:
            out.append(line[i])
            i += 1
    return ''.join(out), in_block


def functions(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    found, in_block = [], False
    stripped = []
    for line in lines:
        s, in_block = strip(line, in_block)
        stripped.append(s)
    for n, line in enumerate(lines):
        m = DECL.match(line)
        if not m:
            continue
        depth, started = 0, False
        for k in range(n, len(lines)):
            for ch in stripped[k]:
                if ch == '{':
                    depth, started = depth + 1, True
                elif ch == '}':
                    depth -= 1
            if started and depth <= 0:
                found.append((k - n + 1, path, n + 1, m.group(1).strip()))
                break
            if not started and k > n + 8:
                break
    return found


def main():
    args = sys.argv[1:]
    limit = int(args.pop(0)) if args and args[0].isdigit() else 80
    roots = args or ['Sources']
    rows = []
    for root in roots:
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != 'Generated']  # protoc's output (scripts/generate-grpc)
            for name in files:
                if name.endswith('.swift'):
                    rows += [r for r in functions(os.path.join(dirpath, name)) if r[0] > limit]
    for length, path, line, name in sorted(rows, reverse=True):
        print(f'{length:5d}  {path}:{line}  {name}')


if __name__ == '__main__':
    main()
