#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Compares network state field by field, with iproute2's `ip -j` output as
the reference nobody here wrote.

  netstate-compare.py capture NETSTATE.json IPDIR
      what netstate captured vs what `ip -j` shows in the same namespace
  netstate-compare.py restore IPDIR_A IPDIR_B [--ignore-route KEY]... [--ignore-rule PRIO]...
                        [--ignore-settings LINK]... [--ignore-link LINK]...
      two namespaces (the original, the restored one), ignoring ifindex,
      kernel-made link-locals, DAD flags and lifetimes; an ignored link
      (one restore skips) takes its addresses and routes through it along

IPDIR holds link.json (ip -j -d link), addr.json, route4.json, route6.json
(ip -j -4/-6 route show table all), rule4.json, rule6.json.
A route KEY is "family table dst", e.g. "inet 254 10.27.0.0/16".
"""

import ipaddress
import json
import os
import sys

PROTOS = {"redirect": 1, "kernel": 2, "boot": 3, "static": 4, "gated": 8, "ra": 9, "mrt": 10,
          "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15, "dhcp": 16,
          "keepalived": 18, "babel": 42, "openr": 99, "bgp": 186, "isis": 187, "ospf": 188,
          "rip": 189, "eigrp": 192}
SCOPES = {"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}
TABLES = {"default": 253, "main": 254, "local": 255}
ADDR_FLAGS = {"secondary": "secondary", "temporary": "temporary", "nodad": "nodad",
              "optimistic": "optimistic", "home": "homeaddress", "mngtmpaddr": "managetempaddr",
              "noprefixroute": "noprefixroute", "autojoin": "mcautojoin"}
FOREVER = 4294967295

errors = []


def fail(msg):
    errors.append(msg)


def load(d, name):
    with open(os.path.join(d, name)) as f:
        text = f.read().strip()
    return json.loads(text) if text else []


def num(table, value, default=0):
    if value is None:
        return default
    if isinstance(value, int):
        return value
    if value in table:
        return table[value]
    return int(value, 0)


def prefix(dst, family):
    if dst == "default":
        return "0.0.0.0/0" if family == "inet" else "::/0"
    net = ipaddress.ip_network(dst if "/" in dst else dst + ("/32" if family == "inet" else "/128"), strict=False)
    return str(net)


def eui64_link_local(mac):
    if not mac:
        return None
    b = bytes(int(x, 16) for x in mac.split(":"))
    if len(b) != 6:
        return None
    iid = bytes([b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]])
    return str(ipaddress.IPv6Address(b"\xfe\x80" + b"\0" * 6 + iid))


# ---- normalisation of `ip -j` -------------------------------------------

def ip_links(d):
    out = {}
    for l in load(d, "link.json"):
        info = l.get("linkinfo", {})
        kind = info.get("info_kind", "")
        out[l["ifname"]] = {
            "mac": l.get("address"),
            "perm": l.get("permaddr"),
            "mtu": l["mtu"],
            "up": "UP" in l.get("flags", []),
            "kind": kind,
            "master": l.get("master", ""),
            "parent": l.get("link", "") if kind in ("vlan", "macvlan") else "",
            "loopback": l.get("link_type") == "loopback",
            "settings": kind_settings(kind, info.get("info_data", {})),
        }
    return out


# What a restore must give each kind back, as `ip -j -d link` names it.
KIND_SETTINGS = {"bond": ("mode", "miimon", "primary", "ad_lacp_rate", "xmit_hash_policy", "ad_select", "min_links"),
                 "vlan": ("protocol", "id"), "macvlan": ("mode",)}


def kind_settings(kind, data):
    return {k: data.get(k) for k in KIND_SETTINGS.get(kind, ())}


def ip_addrs(d, links):
    out = []
    for l in load(d, "addr.json"):
        mac = links.get(l["ifname"], {}).get("mac") or ""
        for a in l.get("addr_info", []):
            fam = a["family"]
            if fam not in ("inet", "inet6"):
                continue
            if links.get(l["ifname"], {}).get("loopback") and a["local"] in ("127.0.0.1", "::1"):
                continue
            if fam == "inet6" and a["prefixlen"] == 64 and a["local"] == eui64_link_local(mac):
                continue        # the kernel's own link-local
            flags = sorted(v for k, v in ADDR_FLAGS.items() if a.get(k))
            out.append({
                "dev": l["ifname"], "family": fam, "local": a["local"], "prefixlen": a["prefixlen"],
                "peer": a.get("address"), "broadcast": a.get("broadcast"),
                "label": a.get("label") if a.get("label") not in (None, l["ifname"]) else None,
                "scope": num(SCOPES, a.get("scope")), "flags": flags,
                "dynamic": a.get("valid_life_time", FOREVER) != FOREVER,
            })
    return out


def ip_routes(d):
    out = []
    for fam, name in (("inet", "route4.json"), ("inet6", "route6.json")):
        for r in load(d, name):
            table = num(TABLES, r.get("table"), 254)
            if table == 255:
                continue
            rtype = r.get("type", "unicast")
            nhs = []
            if "nexthops" in r:
                for n in r["nexthops"]:
                    nhs.append(nexthop(n.get("gateway") or (n.get("via") or {}).get("host"), n.get("dev"),
                                       n.get("weight", 1), "onlink" in n.get("flags", [])))
                multipath = True
            else:
                gw = r.get("gateway") or (r.get("via") or {}).get("host")
                dev = r.get("dev")
                if rtype in ("blackhole", "unreachable", "prohibit", "throw"):
                    dev = None
                if gw or dev:
                    nhs.append(nexthop(gw, dev, None, "onlink" in r.get("flags", [])))
                multipath = False
            metrics = (r.get("metrics") or [{}])[0]
            out.append({
                "family": fam, "table": table, "type": rtype, "dst": prefix(r["dst"], fam),
                "src": r.get("prefsrc"), "metric": r.get("metric", 0),
                "protocol": num(PROTOS, r.get("protocol"), 3), "scope": num(SCOPES, r.get("scope")),
                "mtu": metrics.get("mtu"), "advmss": metrics.get("advmss"),
                "multipath": multipath, "nexthops": nhs,
            })
    return out


def nexthop(gw, dev, weight, onlink):
    return {"gateway": gw, "dev": dev, "weight": weight, "onlink": onlink}


def ip_rules(d):
    out = []
    for fam, name in (("inet", "rule4.json"), ("inet6", "rule6.json")):
        full = 32 if fam == "inet" else 128      # ip -j leaves out a host prefix's length
        for r in load(d, name):
            prio = r.get("priority", 0)
            if "action" in r:
                action = r["action"]
            elif "goto" in r:
                action = "goto"
            else:
                action = "lookup"
            table = num(TABLES, r.get("table")) if action == "lookup" else None
            sel = (r.get("src", "all") != "all" or "dst" in r or "fwmark" in r or "iif" in r or
                   "oif" in r or "tos" in r or "not" in r)
            if not sel and action == "lookup" and (prio, table) in ((0, 255), (32766, 254), (32767, 253)):
                continue
            out.append({
                "family": fam, "priority": prio, "not": "not" in r,
                "from": f"{r['src']}/{r.get('srclen', full)}" if r.get("src", "all") != "all" else None,
                "to": f"{r['dst']}/{r.get('dstlen', full)}" if "dst" in r else None,
                "tos": int(r["tos"], 16) if "tos" in r else None,
                "fwmark": int(r["fwmark"], 16) if "fwmark" in r else None,
                "fwmask": int(r.get("fwmask", "0xffffffff"), 16) if "fwmark" in r else None,
                "iif": r.get("iif"), "oif": r.get("oif"), "action": action, "table": table,
                "goto": r.get("goto"),
                "suppress_prefixlen": r.get("suppress_prefixlen"),
            })
    return out


# ---- normalisation of netstate's JSON ------------------------------------

def ns_links(j):
    return {l["name"]: {
        "mac": l.get("mac"), "perm": l.get("perm"), "mtu": l["mtu"], "up": l["up"],
        "kind": l.get("kind", ""), "master": l.get("master", ""), "parent": l.get("parent", ""),
        "loopback": l["loopback"]} for l in j["links"]}


def ns_addrs(j):
    return [{
        "dev": a["dev"], "family": a["family"], "local": a["local"], "prefixlen": a["prefixlen"],
        "peer": a.get("peer"), "broadcast": a.get("broadcast"), "label": a.get("label"),
        "scope": num(SCOPES, a["scope"]), "flags": sorted(a["flags"]), "dynamic": a["dynamic"],
    } for a in j["addresses"]]


def ns_routes(j):
    out = []
    for r in j["routes"]:
        nhs = [nexthop(n.get("gateway"), n.get("dev"), n.get("weight") if r["multipath"] else None,
                       n["onlink"]) for n in r["nexthops"]]
        out.append({
            "family": r["family"], "table": num(TABLES, r["table"]), "type": r["type"],
            "dst": prefix(r["dst"], r["family"]), "src": r.get("src"), "metric": r["metric"],
            "protocol": num(PROTOS, r["protocol"]), "scope": num(SCOPES, r["scope"]),
            "mtu": r.get("mtu"), "advmss": r.get("advmss"), "multipath": r["multipath"], "nexthops": nhs,
        })
    return out


def ns_rules(j):
    return [{
        "family": r["family"], "priority": r["priority"], "not": r["not"], "from": r.get("from"),
        "to": r.get("to"), "tos": r.get("tos"), "fwmark": r.get("fwmark"), "fwmask": r.get("fwmask"),
        "iif": r.get("iif"), "oif": r.get("oif"), "action": r["action"],
        "table": num(TABLES, r["table"]) if "table" in r else None, "goto": r.get("goto"),
        "suppress_prefixlen": r.get("suppress_prefixlen"),
    } for r in j["rules"]]


# ---- comparison -----------------------------------------------------------

def canon(x):
    return json.dumps(x, sort_keys=True)


def compare_lists(what, ours, ref):
    a = sorted(canon(x) for x in ours)
    b = sorted(canon(x) for x in ref)
    for x in sorted(set(a) - set(b)):
        fail(f"{what}: only in first: {x} (x{a.count(x)} vs x{b.count(x)})")
    for x in sorted(set(b) - set(a)):
        fail(f"{what}: only in second: {x}")
    for x in set(a) & set(b):
        if a.count(x) != b.count(x):
            fail(f"{what}: count differs for {x}: {a.count(x)} vs {b.count(x)}")


def compare_links(ours, ref, fields):
    if set(ours) != set(ref):
        fail(f"links: names differ: {sorted(ours)} vs {sorted(ref)}")
    for name in sorted(set(ours) & set(ref)):
        for f in fields:
            o, r = ours[name][f], ref[name][f]
            if f == "perm" and r is None:
                continue        # iproute2 shows permaddr only when it differs
            if o != r:
                fail(f"link {name}: {f}: {o!r} vs {r!r}")


def cmd_capture(args):
    with open(args[0]) as f:
        j = json.load(f)
    d = args[1]
    ref_links = ip_links(d)
    compare_links(ns_links(j), ref_links, ["mac", "perm", "mtu", "up", "kind", "master", "parent", "loopback"])
    compare_lists("addresses", ns_addrs(j), ip_addrs(d, ref_links))
    compare_lists("routes", ns_routes(j), ip_routes(d))
    compare_lists("rules", ns_rules(j), ip_rules(d))
    counts = (len(j["links"]), len(j["addresses"]), len(j["routes"]), len(j["rules"]))
    print("compared links/addresses/routes/rules: %d/%d/%d/%d" % counts)


def cmd_restore(args):
    a, b = args[0], args[1]
    ignore_routes, ignore_rules, ignore_settings, ignore_links = set(), set(), set(), set()
    rest = args[2:]
    while rest:
        if rest[0] == "--ignore-route":
            ignore_routes.add(rest[1])
        elif rest[0] == "--ignore-rule":
            ignore_rules.add(rest[1])
        elif rest[0] == "--ignore-settings":
            ignore_settings.add(rest[1])
        elif rest[0] == "--ignore-link":
            ignore_links.add(rest[1])
        else:
            sys.exit(f"unknown argument {rest[0]}")
        rest = rest[2:]

    la, lb = ip_links(a), ip_links(b)
    for name in ignore_links:
        for links in (la, lb):
            links.pop(name, None)
            for l in links.values():
                if l["master"] == name:
                    l["master"] = ""
    for name in ignore_settings:
        for links in (la, lb):
            if name in links:
                links[name]["settings"] = None
    compare_links(la, lb, ["mac", "mtu", "up", "kind", "master", "parent", "loopback", "settings"])

    def addrs(d, links):
        out = []
        for x in ip_addrs(d, links):
            if x["dev"] in ignore_links:
                continue
            x["flags"] = [f for f in x["flags"] if f != "nodad"]     # DAD is off by sysctl instead
            x["dynamic"] = None                                      # restored as permanent
            out.append(x)
        return out
    compare_lists("addresses", addrs(a, la), addrs(b, lb))

    def routes(d):
        return [r for r in ip_routes(d) if f"{r['family']} {r['table']} {r['dst']}" not in ignore_routes and
                not any(n["dev"] in ignore_links for n in r["nexthops"])]
    compare_lists("routes", routes(a), routes(b))

    def rules(d):
        return [r for r in ip_rules(d) if f"{r['family']} {r['priority']}" not in ignore_rules]
    compare_lists("rules", rules(a), rules(b))
    print("restored state matches (ignored routes: %d, rules: %d)" % (len(ignore_routes), len(ignore_rules)))


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("capture", "restore"):
        sys.exit(__doc__)
    (cmd_capture if sys.argv[1] == "capture" else cmd_restore)(sys.argv[2:])
    for e in errors:
        print("MISMATCH " + e, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
