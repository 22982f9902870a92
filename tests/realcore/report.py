#!/usr/bin/python3
"""Page counts of a makedumpfile-style report, normalised for comparison.

    report.py text FILE     the report block makedumpfile (or coresieve) prints at
                            --message-level 16 ("Pages filled with zero  : 0x...", ...)
    report.py json FILE     coresieve's --report-json file ({"pages": {...}} or flat)

Both print one line "total=N hole=N zero=N cache=N cache_private=N user=N free=N
hwpoison=N offline=N remaining=N" (decimal, fixed key order), or "missing: KEYS" and exit 1
when a count is absent. Equal lines mean equal counts.
"""
import json
import re
import sys

KEYS = ["total", "hole", "zero", "cache", "cache_private", "user", "free", "hwpoison",
        "offline", "remaining"]
LABELS = {
    "Pages filled with zero": "zero",
    "Non-private cache pages": "cache",
    "Private cache pages": "cache_private",
    "User process data pages": "user",
    "Free pages": "free",
    "Hwpoison pages": "hwpoison",
    "Offline pages": "offline",
    "Remaining pages": "remaining",
    "Memory Hole": "hole",
    "Total pages": "total",
}


def from_text(text):
    out = {}
    for line in text.splitlines():
        m = re.match(r"\s*([A-Za-z -]+?)\s*:\s*(0x[0-9a-fA-F]+)", line)
        if m and m.group(1) in LABELS:
            out.setdefault(LABELS[m.group(1)], int(m.group(2), 16))
    return out


def from_json(text):
    obj = json.loads(text)
    pages = obj.get("pages", obj)
    return {k: int(pages[k]) for k in KEYS if k in pages}


def main(argv):
    if len(argv) != 3 or argv[1] not in ("text", "json"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[2], encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        counts = from_text(text) if argv[1] == "text" else from_json(text)
    except (ValueError, TypeError) as e:
        print(f"unreadable: {e}")
        return 1
    missing = [k for k in KEYS if k not in counts]
    if missing:
        print("missing: " + " ".join(missing))
        return 1
    print(" ".join(f"{k}={counts[k]}" for k in KEYS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
