#!/usr/bin/env python3
"""The `dissector` suite: tools/wireshark/manifold.lua, read by tshark, on
captures that tests/dissector/capture.c writes (two transports on the
simulated wire exchanging gns payloads):

- auth-only: every datagram says so; the first fragment of each message
  shows what gns carries (a MSG's kind, destination node, number, check field
  and Mach message id; a NAK's kind), later fragments nothing of it;
- encrypted: the same traffic shows the headers only, no carried field.

Prints `ok N - dissector: name`, then `dissector: N passed, N failed`.
Usage: run.py CAPTURE_PROGRAM
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "net"))
import lan  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "..", "..", "tools", "wireshark", "manifold.lua")
FIELDS = ["manifold.auth_only", "manifold.src", "manifold.frag", "manifold.frags", "manifold.msg_len",
          "manifold.carry.kind", "manifold.carry.dest_node", "manifold.carry.dest_port", "manifold.carry.dest_check",
          "manifold.carry.msgh_id"]
suite = lan.Suite("dissector")
case = suite.case


def rows(pcap):
    """The DATA datagrams of pcap, each a dict of FIELDS (empty strings where a field is absent)."""
    out = subprocess.run(["tshark", "-r", pcap, "-X", "lua_script:" + LUA, "-Y", "manifold.type == 3", "-T", "fields",
                          "-E", "separator=|"] + sum((["-e", f] for f in FIELDS), []),
                         capture_output=True, text=True, timeout=120)
    return [dict(zip(FIELDS, line.split("|"))) for line in out.stdout.splitlines() if line]


def main():
    prog = sys.argv[1]
    base = os.path.dirname(prog)
    auth, enc = base + "/authonly.pcap", base + "/encrypted.pcap"
    made = subprocess.run([prog, auth, enc]).returncode
    case("the_capture_program_writes_both_captures", made == 0 and os.path.exists(auth) and os.path.exists(enc))
    a = rows(auth)
    firsts = [r for r in a if r["manifold.frag"] == "0"]
    later = [r for r in a if r["manifold.frag"] not in ("", "0")]
    case("auth_only_datagrams_are_marked_so", len(a) >= 6 and all(r["manifold.auth_only"] in ("True", "1") for r in a),
         "%d DATA datagrams: %s" % (len(a), sorted({r["manifold.auth_only"] for r in a})))
    msg = [r for r in firsts if r["manifold.carry.kind"] == "1" and r["manifold.carry.msgh_id"] == "4242"]
    case("a_msgs_first_fragment_shows_its_destination_and_mach_id",
         len(msg) >= 1 and all(r["manifold.carry.dest_node"] == "2" and r["manifold.carry.dest_port"] == "77" and
                               r["manifold.carry.dest_check"].lower() == "0x1122334455667788" and
                               r["manifold.frags"] == "4" for r in msg), "rows %s" % msg)
    back = [r for r in firsts if r["manifold.carry.kind"] == "1" and r["manifold.src"] == "2"]
    case("a_negative_mach_id_is_shown_signed", len(back) >= 1 and all(r["manifold.carry.msgh_id"] == "-7" and
                                                                        r["manifold.carry.dest_node"] == "1" and
                                                                        r["manifold.carry.dest_port"] == "5"
                                                                        for r in back), "rows %s" % back)
    case("a_control_payload_shows_its_kind", any(r["manifold.carry.kind"] == "2" for r in firsts),
         "kinds %s" % sorted({r["manifold.carry.kind"] for r in firsts}))
    case("later_fragments_show_nothing_of_the_carried_message",
         len(later) >= 3 and all(r["manifold.carry.kind"] == "" for r in later), "rows %s" % later)
    e = rows(enc)
    case("encrypted_datagrams_show_their_headers_but_nothing_carried",
         len(e) >= 6 and all(r["manifold.auth_only"] in ("False", "0") and r["manifold.carry.kind"] == "" for r in e)
         and {r["manifold.frags"] for r in e} >= {"4", "1"}, "%d rows, e.g. %s" % (len(e), e[:2]))
    return suite.summary()


if __name__ == "__main__":
    sys.exit(main())
