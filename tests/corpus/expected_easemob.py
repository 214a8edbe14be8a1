#!/usr/bin/env python3
"""Writes easemob-im-limits-en.expected.jsonl: the endpoints a reader of the document expects.

Independent of the Rust parser on purpose: rows are the document's table lines split on `|`,
and each of the document's 15 distinct limit cells is read BY HAND in LIMITS below. The
output was checked by eye against the document. Run: python3 expected_easemob.py
"""
import json
import re

DOC = "easemob-im-limits-en.md"


def w(max_, per, cost="call", scope="tenant", every=1):
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[per] * every
    return {"max": max_, "every": every, "per": per, "seconds": seconds, "cost": cost, "scope": scope}


# Each distinct limit cell, read by hand: (windows, caps, unit of the first window, adjustable).
LIMITS = {
    "For a single app, this REST API has the following three limits:<br/> - 100 calls/second/App Key <br/> - 6000 messages/minute  <br/> - 600 users/request. Sending a message to 600 users in one request counts as 600 messages.":
        ([w(100, "second"), w(6000, "minute", "message")], [{"max": 600, "cost": "user", "unit": "users"}], "calls", False),
    "For a single app, this REST API has the following three limits:<br/> - 20 messages/second/App Key   <br/> - 20 calls/second <br/> -  3 chat groups/request":
        ([w(20, "second", "message"), w(20, "second")], [{"max": 3, "cost": "target_group", "unit": "chat groups"}], "messages", False),
    "100 messages/second/App Key": ([w(100, "second", "message")], [], "messages", False),
    "For a single app, this REST API has the following three limits:<br/> - 100 messages/second  <br/> - 100 calls/second   <br/> -  10 chat rooms/request":
        ([w(100, "second", "message"), w(100, "second")], [{"max": 10, "cost": "target_chatroom", "unit": "chat rooms"}], "messages", False),
    # Every 30 minutes 1 call (fixed), 3 calls a day (raised on request), 1000 users a
    # second (fixed): the last word on raising it says it cannot be.
    "<br/> - Every 30 minutes, 1 call is allowed. This limit cannot be increased.<br/> - 3 calls/day. Contact the EasyIM business manager to request a higher limit.<br/> - Messages can be sent to up to 1000 users/second. This limit cannot be increased.":
        ([w(1, "minute", every=30), w(3, "day"), w(1000, "second", "user")], [], "call", False),
    "1 call/minute and 50 calls/day. Contact the EasyIM business manager to request a higher limit.":
        ([w(1, "minute"), w(50, "day")], [], "call", True),
    "10 calls/minute and 100 broadcast messages/day.": ([w(10, "minute"), w(100, "day", "message")], [], "calls", False),
    "100 calls/second/App Key": ([w(100, "second")], [], "calls", False),
    "100 calls/second/App Key.": ([w(100, "second")], [], "calls", False),
    "10 calls/minute/App Key": ([w(10, "minute")], [], "calls", False),
    "5 calls/minute/single user ID, 100 calls/second/App Key": ([w(5, "minute", scope="user"), w(100, "second")], [], "calls", False),
    "50 calls/second/App Key": ([w(50, "second")], [], "calls", False),
    "300 calls/second/App Key": ([w(300, "second")], [], "calls", False),
    "10 calls/second/App Key": ([w(10, "second")], [], "calls", False),
}

# The sentence above the two tables without a limit column (user management, offline push):
# their rows share one quota of 100 calls/second/App Key.
PROSE_LINE = 204
PROSE_LIMIT = "100 calls/second/App Key"
# A row of the first of those tables has a fourth cell (its own limit) under a header of
# three: it is reported, not read.
SHIFTED_ROW = 213


def path_of(cell):
    cell = cell.strip()
    paths = re.findall(r"(/\{org[^\s<]*)", cell)
    out = []
    for p in paths:
        p = p.split("?")[0]
        p = p.replace("${time}", "{time}").replace("(list_id)", "{list_id}")
        p = re.sub(r"\(,\{member2\},…\)$", "", p)
        out.append(p)
    return out


def words(text):
    out, start, prev_lower = "", True, False
    for c in text:
        if not c.isascii() or not c.isalnum():
            start, prev_lower = True, False
            continue
        out += c.upper() if start or (prev_lower and c.isupper()) else c
        start, prev_lower = False, c.islower() or c.isdigit()
    return out


def variant(method, path):
    name, seen_static = words(method.lower()), False
    for seg in path.strip("/").split("/"):
        if seg.startswith("{"):
            if seen_static:
                name += "By" + words(seg[1:-1])
        else:
            seen_static = True
            name += words(seg)
    return name


def main():
    lines = open(DOC, encoding="utf-8").read().split("\n")
    section, in_comment, header_cells = None, False, 0
    endpoints, order = {}, []
    for number, line in enumerate(lines, 1):
        if "<!--" in line:
            in_comment = True
        if "-->" in line:
            in_comment = False
            continue
        if in_comment:
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "RESTful API":
            header_cells = len(cells)
            continue
        if "/{org" not in line or number == SHIFTED_ROW:
            continue
        name, method, url = cells[0], cells[1].upper(), cells[2]
        paths = path_of(url)
        names = name.split("/") if len(paths) > 1 else [name]
        if header_cells == 3:
            windows, caps, unit, adjustable = LIMITS[PROSE_LIMIT]
            origin, at = "prose", PROSE_LINE
        else:
            windows, caps, unit, adjustable = LIMITS[cells[3]]
            origin, at = "row", number
        for path, n in zip(paths, names):
            key = (method, path)
            if key in endpoints:
                e = endpoints[key]
                if n.strip() not in e["names"]:
                    e["names"].append(n.strip())
                continue
            non_call = [x["cost"] for x in windows if x["cost"] != "call"]
            endpoints[key] = {
                "provider": "easemob_im",
                "endpoint": variant(method, path),
                "method": method,
                "path": path,
                "host": None,
                "names": [n.strip()],
                "section": section,
                "windows": windows,
                "unit": unit,
                "cost": non_call[0] if non_call else "call",
                "caps": caps,
                "adjustable": adjustable,
                "deprecated": False,
                "published": True,
                "bucket": "PostUsersGroup" if origin == "prose" else variant(method, path),
                "sub_limits": [],
                "source": f"{DOC}:{number}",
                "limit_source": {"origin": origin, "at": f"{DOC}:{at}"},
            }
            order.append(key)
    with open("easemob-im-limits-en.expected.jsonl", "w", encoding="utf-8") as out:
        for key in order:
            out.write(json.dumps(endpoints[key], ensure_ascii=False) + "\n")
    print(len(order), "endpoints")


main()
