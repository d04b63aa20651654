#!/usr/bin/env python3
"""Print a deploy/ template with its @NAME@ placeholders filled in.

    scripts/render-config.py deploy/nginx/tsprotect-locations.conf STATIC_ROOT=/srv/… …

A placeholder without a value stops it: a half-rendered nginx file would fail later, and less
clearly. @NAME@ rather than $NAME, which nginx uses for its own variables.
"""

import re
import sys

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


def render(text: str, values: dict) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise SystemExit(f"render-config: no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main(argv):
    if len(argv) < 2 or any("=" not in arg for arg in argv[2:]):
        raise SystemExit("usage: render-config.py TEMPLATE NAME=VALUE …")
    with open(argv[1], encoding="utf-8") as template:
        text = template.read()
    sys.stdout.write(render(text, dict(arg.split("=", 1) for arg in argv[2:])))


if __name__ == "__main__":
    main(sys.argv)
