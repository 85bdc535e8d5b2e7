#!/usr/bin/env python3
"""The `unix` suite: Linux i386 programs under the Unix personality server.

One boot (bootstrap, ns, console, personalities/unix with script=runs.txt and
the programs as start=no modules) runs every line of tests/unix/runs.txt in
turn; the server frames each one's console output (personalities/unix/runner.h).
Each command that also runs on the host (busybox, enosys, abi) is run there too,
with the same argv and environment, and the output and exit status must be
the same byte for byte. uname -a must say what the server says it is; an
unknown system call is logged once per number; garbage registers and a
faulting process leave the server serving; broken images are refused with
their reason.

A second boot is what `make run UNIX=1` boots, busybox sh -i on the console:
commands are typed at its prompt, and ^C must end a foreground job.

Prints `ok N - name` / `not ok N - name: why`, then `unix: N passed, N failed`.
Usage: run.py BUILD_DIR BUSYBOX
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "servers"))
from guest import Guest  # noqa: E402

B = sys.argv[1] if len(sys.argv) > 1 else "build"
BUSYBOX = sys.argv[2] if len(sys.argv) > 2 else B + "/bench/linux/busybox"
HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "runs.txt")
ENV = {"PATH": "/bin:/usr/bin", "HOME": "/", "TERM": "vt100", "LANG": "C"}
HOST_PROGRAMS = {"busybox": BUSYBOX, "enosys": B + "/tests/unix/enosys.elf", "abi": B + "/tests/unix/abi.elf",
                 "proc": B + "/tests/unix/proc.elf", "fds": B + "/tests/unix/fds.elf",
                 "sig": B + "/tests/unix/sig.elf", "socks": B + "/tests/unix/socks.elf"}
# what the guest alone can run, and what it must print
GUEST_ONLY = {
    "busybox sh /bin/sh-ls.sh": ("bin\ndev\nproc\nsbin\nusr\n/dev:\nconsole\nnull\ntty\n\n/proc/self:\ncmdline\ncwd\nenviron\nexe\nfd\nfdinfo\nmaps\nmounts\nroot\nstat\nstatus\n"
                                 "sh\nwc\nzcat\n/usr/bin\n../sbin\na relative path\nand another\n", "exit 0"),
    "proc names": ("names: readlink /proc/self/exe 9\n/bin/proc\nnames: readlink with 4 bytes of room 4\n"
                   "names: readlink of a file -22\nnames: readlink of nothing -2\nnames: PR_SET_NAME 0\n"
                   "names: PR_GET_NAME 0\na-name-longer-t\nnames: set_robust_list of a wrong size -22\n", "exit 0"),
    "proc settime": ("settime: settimeofday 1,000 days on 0\nsettime: gettimeofday's clock moved with it (within 5 s) yes\n"
                     "settime: CLOCK_MONOTONIC did not (within 5 s) yes\nsettime: clock_settime(CLOCK_REALTIME) 2,000 days on 0\n"
                     "settime: time() is there yes\nsettime: stime 10 days on 0\nsettime: time() is there yes\n"
                     "settime: clock_settime(CLOCK_MONOTONIC) -22\nsettime: clock_settime(42) -22\n"
                     "settime: clock_settime with a second of nanoseconds -22\nsettime: clock_settime before 1970 -22\n"
                     "settime: settimeofday with a second of microseconds -22\nsettime: settimeofday from a bad pointer -14\n"
                     "settime: settimeofday of the time zone alone 0\nsettime: stime from a bad pointer -14\n"
                     "settime: none of them moved the time yes\nsettime: clock_settime back 0\n", "exit 0"),
    "proc adjtime": ("adjtime: ADJ_SETOFFSET 1,000 days on 5\nadjtime: the time moved with it (within 5 s) yes\n"
                     "adjtime: ADJ_SETOFFSET | ADJ_NANO back 5\nadjtime: the time is back (within 5 s) yes\n"
                     "adjtime: STA_NANO says the offsets are in ns now yes\nadjtime: ADJ_MICRO 5\nadjtime: STA_NANO is off yes\n"
                     "adjtime: ADJ_SETOFFSET with a second of microseconds -22\n"
                     "adjtime: ADJ_SETOFFSET with negative microseconds -22\nadjtime: ADJ_FREQUENCY -22\n"
                     "adjtime: ADJ_OFFSET_SINGLESHOT 200 ms 5\nadjtime: nothing was left before yes\n"
                     "adjtime: ADJ_OFFSET_SS_READ 5\nadjtime: most of it is left (199 to 200 ms) yes\n"
                     "adjtime: ADJ_OFFSET 2 s 5\nadjtime: what is left is at most half a second yes\n"
                     "adjtime: ADJ_OFFSET_SINGLESHOT 0 5\nadjtime: gave back the half second left yes\n"
                     "adjtime: nothing is left now yes\n", "exit 0"),
    "proc clonevm": ("clonevm: clone(CLONE_VM | SIGCHLD) without CLONE_VFORK -22\n", "exit 0"),
    "proc script": ("argv: /bin/proc | echoargs | /bin/hello.sh | one | two\n\n", "exit 0"),
    "sig ttou": ("ttou: a background tcsetattr stopped its caller yes\nttou: status (0x167f: stopped by 22) 5759\n"
                 "ttou: with SIGTTOU ignored, tcsetattr answers 0\n"
                 "ttou: without TOSTOP a background write goes out 0\nttou: and its writer ended, status 0\n"
                 "ttou: TOSTOP set from the foreground 0\nttou: then a background write stopped its writer yes\n"
                 "ttou: status 5759\nttou: TOSTOP cleared 0\n", "exit 0"),
    "sig orphanio": ("orphanio: a background read by an orphaned group answers -5\n"
                     "orphanio: and its write with TOSTOP set -5\n", "exit 0"),
    # ^C typed when the program says it is ready: the console echoes it, the Unix server makes it SIGINT
    "sig ttin": ("ttin: a background read stopped its reader yes\nttin: status (0x157f: stopped by 21) 5503\n"
                 "ttin: with SIGTTIN ignored, the read answers -5\n", "exit 0"),
    # the tty echoes ^C (ECHOCTL) and, as Linux's, no newline after it
    "sig intr": ("intr: ready\n^Cintr: the read answered -4\nintr: the handler ran for 2\n", "exit 0"),
    "sig intrkill": ("intr: ready\n^C", "signal 2"),
    # the line discipline: what is typed at each ready line is TYPED's; its echo is in the output
    "tty canon": ("canon: ready\nabc\b \bd\b \b\b \b\b \bhello wurld\b \b\b \b\b \b\b \b\b \bworld\n"
                  "canon: a line edited with erase, kill and werase 12\n  [hello world^J]\n"
                  "canon: ready eof\nabccanon: a line ended by VEOF 3\n  [abc]\ncanon: VEOF alone 0\n  []\n"
                  "canon: ready short\nabcdefg\ncanon: a line read 4 bytes at a time 4\n  [abcd]\n"
                  "canon: and the rest of it 4\n  [efg^J]\n", "exit 0"),
    "tty raw": ("raw: ready\n" + "".join("raw: one byte, not echoed 1\n  [%s]\n" % c for c in "xyz") +
                "raw: ready echo\nqraw: one byte, echoed 1\n  [q]\n"
                "raw: ready ctl\n^Araw: a control byte, echoed as ^A 1\n  [^A]\n"
                "raw: ready cr\nraw: CR with ICRNL 1\n  [^J]\nraw: ready nocr\nraw: CR without ICRNL 1\n  [^M]\n",
                "exit 0"),
    "tty echo": ("echo: ready\necho: a line typed without ECHO 7\n  [secret^J]\n"
                 "echo: ready nl\n\necho: with ECHONL, only its newline echoed 3\n  [pw^J]\n", "exit 0"),
    "tty isig": ("isig: ready\n^Cisig: the read answered -4\nisig: the handler ran for 2\n"
                 "isig: ready off\n^Cisig: without ISIG, ^C is a byte 1\n  [^C]\nisig: and no signal came 0\n",
                 "exit 0"),
    "tty vtime": ("vtime: VMIN 0, VTIME 0, nothing typed: the read answers 0\n"
                  "vtime: VMIN 0, VTIME 3, nothing typed: after 0.3 s the read answers 0\n"
                  "vtime: ready\nvtime: VMIN 10, VTIME 5, two bytes typed: 0.5 s after the last the read answers 2\n"
                  "  [ab]\nvtime: ready min\nvtime: VMIN 3, VTIME 0, three bytes typed 3\n  [xyz]\n", "exit 0"),
    "tty flush": ("flush: ready\nline1\npartflush: poll says a line waits 1\n"
                  "flush: FIONREAD counts the finished line only 6\nflush: TCFLSH TCIFLUSH 0\nflush: then FIONREAD 0\n"
                  "flush: ready again\nafter\nflush: the next line, nothing of the dropped one 6\n  [after^J]\n"
                  "flush: ready sf\nflush: raw, FIONREAD counts every byte 4\n"
                  "flush: TCSETSF with the same settings 0\nflush: then FIONREAD 0\n", "exit 0"),
    # from column 2, a tab goes to 8: erasing it is six backspaces, as Linux's n_tty counts them
    "tty tab": ("tab: ready\nab\t\b\b\b\b\b\bc\ntab: a line with a tab erased 4\n  [abc^J]\n", "exit 0"),
    "tty winsz": ("winsz: TIOCSWINSZ 40 rows, 100 columns 0\nwinsz: SIGWINCH came 28\nwinsz: TIOCGWINSZ rows 40\n"
                  "winsz: columns 100\nwinsz: the same size again 0\nwinsz: and no SIGWINCH 0\n"
                  "winsz: the size it was put back 0\nwinsz: TIOCSWINSZ from a bad pointer -14\n", "exit 0"),
    "tty oflow": ("held\noflow: TCOOFF 0\noflow: a write while stopped answered 5\n"
                  "oflow: TIOCOUTQ while stopped (its CR LF) 6\noflow: TCOON 0\noflow: then TIOCOUTQ 0\n"
                  "oflow: TCXONC 7 -22\n", "exit 0"),
    # IXOFF: ^S down the line as the buffer fills, ^Q once the read has emptied it
    "tty ixoff": ("\x13\x11ixoff: TIOCSTI pushed 4000\nixoff: read back 4000\n", "exit 0"),
}
# scripts the guest finds as /bin/NAME (boot modules) and the host in this folder
SCRIPTS = ["sh-pipes.sh", "sh-jobs.sh", "sh-tools.sh", "sh-ls.sh", "sh-ps.sh", "sh-many.sh", "sh-proc.sh"]
# what run.py types on the console when a line of the first boot matches, in runs.txt's order
TYPED = [(r"^intr: ready$", "\x03"), (r"^intr: ready$", "\x03"),
         (r"^canon: ready$", "abc\x7fd\x15hello wurld\x17world\r"), (r"^canon: ready eof$", "abc\x04\x04"),
         (r"^canon: ready short$", "abcdefg\r"),
         (r"^raw: ready$", "xyz"), (r"^raw: ready echo$", "q"), (r"^raw: ready ctl$", "\x01"),
         (r"^raw: ready cr$", "\r"), (r"^raw: ready nocr$", "\r"),
         (r"^echo: ready$", "secret\r"), (r"^echo: ready nl$", "pw\r"),
         (r"^isig: ready$", "\x03"), (r"^isig: ready off$", "\x03"),
         (r"^vtime: ready$", "ab"), (r"^vtime: ready min$", "xyz"),
         (r"^flush: ready$", "line1\rpart"), (r"^flush: ready again$", "after\r"), (r"^flush: ready sf$", "junk"),
         (r"^tab: ready$", "ab\t\x7fc\r")]
MANY_REPLAYS_MAX = 5000
POLLMANY_REPLAYS_MAX = 400
GWAKE_REPLAYS_MAX = 30  # socks gwake: about 10 served again (3 sleeps, accept, recv, poll, wait4...); 150 with the ticker
FEED_REPLAYS_MAX = 40  # fds feed: 425 when each read that made room served the held write again, 92 with the last writer fed, 8 since
FEEDQ_REPLAYS_MAX = 40  # fds feedq: four writers, one a writev, held in a full pipe: 420 when each read served all again, 8 since
UNAME = "Linux manifold 6.1.0-manifold #1 Manifold unix personality i686 GNU/Linux\n"
MODULES = [
    B + "/servers/bootstrap.elf", B + "/servers/ns.elf", B + "/servers/console.elf",
    B + "/personalities/unix.elf script=runs.txt pagertest tasks=1024 noinputs clock",
    BUSYBOX + " start=no", SCRIPT + " start=no",
    B + "/tests/unix/enosys.elf start=no", B + "/tests/unix/garbage.elf start=no", B + "/tests/unix/abi.elf start=no",
    B + "/tests/unix/proc.elf start=no", B + "/tests/unix/fds.elf start=no",
    B + "/tests/unix/sig.elf start=no", B + "/tests/unix/socks.elf start=no",
    B + "/tests/unix/tty.elf start=no",
] + [os.path.join(HERE, s) + " start=no" for s in SCRIPTS] + [ os.path.join(HERE, "hello.sh") + " start=no",
    B + "/tests/notelf.bin start=no", B + "/tests/truncated.elf start=no", B + "/tests/x86_64.elf start=no",
]

n = passed = failed = 0


def check(name, ok, why=""):
    global n, passed, failed
    n += 1
    if ok:
        passed += 1
        print("ok %d - %s" % (n, name))
    else:
        failed += 1
        print("not ok %d - %s: %s" % (n, name, why))


def commands():
    out = []
    for line in open(SCRIPT):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split())
    return out


def guest_runs(text):
    """{K: (argv line, output, end)} from the server's framing; end is 'exit S', 'signal N' or 'refused: ...'."""
    runs = {}
    for m in re.finditer(r"^unix: run (\d+): (.*)\n", text, re.M):
        k, rest = int(m.group(1)), m.group(2)
        if k in runs:
            continue
        end = re.compile(r"^unix: run %d: (exit \d+|signal \d+|refused: .*?)( \(no final newline\))?$" % k, re.M)
        e = end.search(text, m.end())
        if not e:
            runs[k] = (rest, "", None)
            continue
        body = text[m.end():e.start()]
        # the server's own lines and the kernel's line about a killed task are not the program's output
        # (nor are gns's, which comes up beside the runs of the files boot)
        # gns's boot lines can come in the middle of a program's line (another task, one console)
        body = re.sub(r"gns: (no NIC found|serving|inter-node IPC)[^\n]*\n", "", body)
        body = "".join(l for l in body.splitlines(True) if not re.match(r"^(unix: |task \d+ |gns: )", l))
        if e.group(2):
            body = body[:-1] if body.endswith("\n") else body  # the newline the framing added
        runs[k] = (rest, body, e.group(1))
    return runs


def host_run(argv):
    """The same command on the host: stdout and stderr together, as the guest's console has both."""
    prog = os.path.abspath(HOST_PROGRAMS[argv[0]])
    args = [os.path.join(HERE, a[5:]) if a.startswith("/bin/") and a[5:] in SCRIPTS else a for a in argv[1:]]
    r = subprocess.run([prog] + args, executable=prog, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60, cwd="/")
    return r.stdout.decode("utf-8", "replace"), r.returncode


def fs_boot_args(disk, unix_words, extra_modules):
    """QEMU's arguments for a boot with fs at / on a fresh copy of the Unix root image (make run UNIX=1's)."""
    import shutil
    shutil.copyfile(B + "/images/unix-root.img", disk)
    mods = [B + "/servers/bootstrap.elf", B + "/servers/ns.elf", B + "/servers/console.elf",
            B + "/servers/pci.elf driver", B + "/servers/virtio_blk.elf driver",
            B + "/servers/fs.elf root=/servers/vd0 epoch=1700000000",
            B + "/personalities/unix.elf fs tasks=1024 " + unix_words] + extra_modules
    return ["-m", "64M", "-kernel", B + "/kernel.elf", "-append", "lockcheck", "-initrd", ",".join(mods),
            "-drive", "if=none,id=root,file=%s,format=raw" % disk,
            "-device", "virtio-blk-pci,drive=root,disable-modern=on,addr=5"]


def interactive():
    """What make run UNIX=1 boots: busybox sh -i from fs's disk on the console, typed at."""
    g = Guest(fs_boot_args(B + "/test/unix/interactive.img", "run=/bin/sh+-i", []), B + "/test/unix/interactive.log")
    prompt = r"^/ # "

    def typed(line, want, timeout=30):
        g.send(line + "\r")
        return g.expect(want, timeout)
    try:
        check("sh -i: the prompt", g.expect(prompt, 120) is not None, "no '/ # '")
        check("sh -i: a pipeline typed", typed("echo typed | tr a-z A-Z", r"^TYPED$") is not None
              and g.expect(prompt, 20) is not None, "no TYPED")
        check("sh -i: $? of a pipeline", typed("seq 1 100 | wc -l; false; echo rc=$?", r"^100\nrc=1$") is not None,
              "no 100 and rc=1")
        g.expect(prompt, 20)
        # busybox's own line editing, the tty raw under it (ICANON and ECHO off): keys as a terminal sends them
        check("sh -i: line editing: left arrows, then a letter put in the middle",
              typed("echo hllo" + "\x1b[D" * 3 + "e", r"^hello$") is not None, "no 'hello'")
        g.expect(prompt, 20)
        check("sh -i: line editing: up arrow brings the line back, and it is added to",
              typed("\x1b[A again", r"^hello again$") is not None, "no 'hello again'")
        g.expect(prompt, 20)
        check("sh -i: line editing: backspace, ^W, and ^A to the line's start",
              typed("cho abx\x7fc one\x17two\x01e", r"^abc two$") is not None, "no 'abc two'")
        g.expect(prompt, 20)
        g.send("echo nope\x03")  # ^C at the prompt drops the line: busybox reads it as a byte
        time.sleep(1)
        m = typed("echo yes", r"^(yes|nope)$")
        check("sh -i: line editing: ^C drops the line being typed", m is not None and m.group(1) == "yes",
              "'nope' ran, or no 'yes'")
        g.expect(prompt, 20)
        # busybox's read -n 1 turns ICANON off: one key is enough, no Enter
        g.send("read -n 1 k; echo; echo key=$k\r")
        time.sleep(1)
        check("sh -i: read -n 1 takes one key", typed("x", r"^key=x$") is not None, "no 'key=x'")
        g.expect(prompt, 20)
        # stty -echo: what is typed next is not echoed, and sh reads it as it is
        g.send("stty -echo; read s; stty echo; echo s=$s\r")
        time.sleep(1)
        m = typed("hidden", r"^s=hidden$")
        check("sh -i: stty -echo: a line read without its echo", m is not None and
              "hidden" not in g.text()[g.text().rfind("stty -echo"):m.start()], "no 's=hidden', or it was echoed")
        g.expect(prompt, 20)
        # OPOST: the CR before each LF is the tty's (ONLCR); none with -onlcr, nor with -opost (the wire's bytes)
        at = len(g.wire)
        typed("printf 'c1\\nc2\\n'; stty -onlcr; printf 'n1\\nn2\\n'; stty onlcr -opost; printf 'p1\\np2\\n'; stty opost",
              r"^p2$")
        g.expect(prompt, 20)
        wire = g.wire[at:]
        check("sh -i: ONLCR: printf's LFs go out as CR LF", b"c1\r\nc2\r\n" in wire, repr(wire[-200:]))
        check("sh -i: stty -onlcr: an LF goes out alone", b"\nn1\nn2\n" in wire or b"n1\nn2\n" in wire, repr(wire[-200:]))
        check("sh -i: stty -opost: an LF goes out alone", b"p1\np2\n" in wire, repr(wire[-200:]))
        # IXON: ^S holds the output (the echo's line, written meanwhile, is not lost), ^Q lets it go
        time.sleep(0.5)
        g.send("sleep 2; echo released\r")
        time.sleep(0.5)
        g.send("\x13")
        check("sh -i: ^S holds what is written", g.expect(r"^released$", 5) is None, "'released' came while stopped")
        g.send("\x11")
        check("sh -i: ^Q lets it out", g.expect(r"^released$", 10) is not None, "no 'released' after ^Q")
        g.expect(prompt, 20)
        time.sleep(0.5)
        # the window size: stty's rows and cols round trip; a new size is SIGWINCH to the foreground group
        check("sh -i: stty rows and cols, then stty size", typed("stty rows 40 cols 100; stty size", r"^40 100$")
              is not None, "no '40 100'")
        g.expect(prompt, 20)
        time.sleep(0.5)
        check("sh -i: a new size is SIGWINCH to the foreground job",
              typed("sh -c 'trap \"echo winch\" WINCH; stty rows 30; echo done'", r"^winch\ndone$") is not None,
              "no 'winch' before 'done'")
        g.expect(prompt, 20)
        time.sleep(0.5)
        g.send("sleep 60\r")
        time.sleep(3)
        g.send("\x03")  # SIGINT to the foreground job, which sh put in a group of its own
        check("sh -i: ^C ends a foreground sleep, the prompt comes back", g.expect(prompt, 20) is not None,
              "no prompt after ^C")
        time.sleep(0.5)
        check("sh -i: the sleep's status was SIGINT's", typed("echo status $?", r"^status 130$") is not None,
              "no 'status 130'")
        g.expect(prompt, 20)
        time.sleep(0.5)
        # job control: a background cat reads the tty and is stopped by SIGTTIN; fg gives it the tty
        g.send("cat &\r")
        g.expect(prompt, 20)
        time.sleep(2)
        check("sh -i: a background read of the tty stops the job (SIGTTIN)",
              typed("jobs", r"Stopped \(tty input\)\s+cat") is not None, "no 'Stopped (tty input)'")
        g.expect(prompt, 20)
        g.send("fg\r")
        time.sleep(2)
        check("sh -i: fg gives the job the tty", typed("to cat", r"^to cat\nto cat$") is not None,
              "cat did not echo the line")
        g.send("\x03")
        g.expect(prompt, 20)
        time.sleep(0.5)
        g.send("sleep 100 &\r")  # a line of its own: sleep must have exec'd before the kill (sh -i ignores TERM)
        g.expect(prompt, 20)
        time.sleep(1)
        check("sh -i: a background job killed: sh says so", typed("kill %1", r"Terminated\s+sleep 100") is not None,
              "no 'Terminated'")
        g.expect(prompt, 20)
        time.sleep(0.5)
        check("sh -i: exit ends the run with its status", typed("exit 3", r"^unix: run 1: exit 3") is not None,
              "no exit 3")
    finally:
        g.stop()
    sys.stdout.write(g.text() + "\n")
    check("sh -i: no panic", not g.panicked(), "panic")


FILES_SCRIPT = os.environ.get("UNIX_FILES_SCRIPT") or os.path.join(HERE, "files-runs.txt")  # another list while working on it


def split_cases(text):
    """diff.sh's output: [(case, its output and status)] by its '=== ' lines."""
    cases = []
    for part in re.split(r"^=== ", text, flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        cases.append((head, body))
    return cases


def differential(out, end, tmp):
    """tests/unix/diff.sh under Manifold (out) and on the host, in a copy of tests/unix/tree, case by case."""
    import shutil
    here = os.path.join(tmp, "t")
    shutil.copytree(os.path.join(HERE, "tree"), here, symlinks=True)
    shutil.copy2(os.path.join(HERE, "diff.sh"), here)
    # the host's PATH has busybox's applets only, as the guest's /bin does: no host tool stands in
    bindir = os.path.join(tmp, "bin")
    os.mkdir(bindir)
    applets = subprocess.run([BUSYBOX, "--list"], stdout=subprocess.PIPE).stdout.decode().split()
    for a in applets:
        os.symlink(os.path.abspath(BUSYBOX), os.path.join(bindir, a))
    env = dict(ENV, PATH=bindir)
    r = subprocess.run([os.path.abspath(BUSYBOX), "sh", "t/diff.sh", here], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, cwd=tmp)
    host = split_cases(r.stdout.decode("utf-8", "replace"))
    guest = dict(split_cases(out))
    check("differential: diff.sh ends as on the host", end == "exit %d" % r.returncode and len(host) >= 60,
          "guest %s, host exit %d, %d cases" % (end, r.returncode, len(host)))
    for head, body in host:
        got = guest.get(head)
        check("differential: " + head, got == body, "guest %r, host %r" % (got, body))


def files_boot(script=None, timeout=600):
    """Files from fs: a copy of the Unix root image on virtio-blk, fs at /, the server with `fs`.

    Each `files CASE DIR` line runs on the host too, in a temporary folder, and the output
    and status must be the same; /bin/busybox runs from the disk (exec from fs). script is
    the list of runs (files-runs.txt; fuzz-long-runs.txt for make check-unix-fuzz-long).
    """
    import shutil
    import tempfile
    script = script or FILES_SCRIPT
    tag = os.environ.get("UNIX_TAG", "")  # a second files boot beside a running one: its own disk and log
    # the server's syscall inputs (paths in the request, main.c; on unless noinputs) are held against the
    # host by this boot's file cases and callfuzz; the first boot runs without them (noinputs)
    g = Guest(fs_boot_args(B + "/test/unix/files%s.img" % tag, "net script=" + os.path.basename(script),
                           [B + "/servers/gns.elf node=3", script + " start=no",
                            B + "/tests/unix/files.elf start=no", B + "/tests/unix/socks.elf start=no",
                            B + "/tests/unix/callfuzz.elf start=no", B + "/tests/unix/garbage.elf start=no"]),
              B + "/test/unix/files%s.log" % tag)
    try:
        done = g.expect(r"^unix: all \d+ runs done", timeout)
    finally:
        g.stop()
    text = g.text()
    sys.stdout.write(text + "\n")
    check("files boot: every run ended without a panic", done is not None and not g.panicked(),
          "panic" if g.panicked() else "no 'all runs done' line")
    runs = guest_runs(text)
    lines = [l.strip().split() for l in open(script) if l.strip() and not l.startswith("#")]
    tmp = tempfile.mkdtemp(prefix="unix-files-")
    try:
        for k, argv in enumerate(lines, 1):
            got = runs.get(k)
            name = "files boot: " + " ".join(argv)
            if not got or got[2] is None:
                check(name, False, "no framed result in the log")
                continue
            _, out, end = got
            if argv[0] == "files":
                prog = os.path.abspath(B + "/tests/unix/files.elf")
                r = subprocess.run([prog, argv[1], os.path.join(tmp, os.path.basename(argv[2]))], env=ENV,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60, cwd=tmp)
                hout = r.stdout.decode("utf-8", "replace")
                check(name + ": same output and status as on the host",
                      out == hout and end == "exit %d" % r.returncode,
                      "guest %r (%s), host %r (exit %d)" % (out, end, hout, r.returncode))
            elif argv[0] == "callfuzz":
                prog = os.path.abspath(B + "/tests/unix/callfuzz.elf")
                r = subprocess.run([prog, argv[1], argv[2], os.path.join(tmp, os.path.basename(argv[3]))], env=ENV,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, cwd=tmp)
                hout = r.stdout.decode("utf-8", "replace")
                first = next((i for i, (a, b) in enumerate(zip(out.splitlines(), hout.splitlines())) if a != b), None)
                why = "guest %s, host exit %d" % (end, r.returncode)
                if first is not None:
                    why += "; first difference: guest %r, host %r" % (out.splitlines()[first], hout.splitlines()[first])
                check("files boot: callfuzz seed %s: %s calls, every answer as on the host" % (argv[1], argv[2]),
                      out == hout and end == "exit %d" % r.returncode and hout.endswith("callfuzz: done\n"), why)
            elif argv[0] == "garbage":
                check("files boot: garbage registers in %s calls with fs and gns there: answered, the process lives"
                      % argv[1], end == "exit 0" and "%s calls with garbage registers, still here" % argv[1] in out,
                      "%r (%s)" % (out[-300:], end))
            elif argv[0] == "socks":
                hout, hrc = host_run(argv)
                check(name + ": same output and status as on the host (loopback sockets)",
                      out == hout and end == "exit %d" % hrc,
                      "guest %r (%s), host %r (exit %d)" % (out, end, hout, hrc))
                if argv[1] == "gwake":
                    # gns says when a socket is ready (socket_notify): the held accept, recv and poll go
                    # again once each, not at every tick of a 10 ms ticker (about 150 for its 1.5 s)
                    m = re.search(r"^unix: (\d+) held calls served again in run %d$" % k, text, re.M)
                    check(name + ": its held socket calls are served again only when woken (fewer than %d)"
                          % GWAKE_REPLAYS_MAX, m is not None and int(m.group(1)) < GWAKE_REPLAYS_MAX,
                          m.group(0) if m else "no count of held calls served again")
                    m = re.search(r"^unix: (\d+) socket notices, (\d+) socket ticks, \d+ context switches in run %d$"
                                  % k, text, re.M)
                    check(name + ": woken by gns's notices (the accept's, the recv's, the poll's), never by the ticker",
                          m is not None and int(m.group(1)) >= 3 and int(m.group(2)) == 0,
                          m.group(0) if m else "no count of socket notices")
            elif argv[-2:] == ["t/diff.sh", "/t"]:
                differential(out, end, tmp)
            else:
                check(name, False, "no expectation for this command")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if os.environ.get("UNIX_ONLY") == "fuzz-long":  # make check-unix-fuzz-long: 100,000 calls, one run
        files_boot(os.path.join(HERE, "fuzz-long-runs.txt"), 3000)
        print("unix: %d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    if os.environ.get("UNIX_ONLY") in ("files", "interactive"):  # one boot alone, while working on it
        files_boot() if os.environ["UNIX_ONLY"] == "files" else interactive()
        print("unix: %d passed, %d failed" % (passed, failed))
        return 0 if failed == 0 else 1
    cmds = commands()
    g = Guest(["-m", "64M", "-kernel", B + "/kernel.elf", "-append", "lockcheck",
               "-initrd", ",".join(MODULES)], B + "/test/unix/guest.log")
    try:
        for ready, keys in TYPED:
            if g.expect(ready, 300):
                g.send(keys)
        done = g.expect(r"^unix: all \d+ runs done", 600)
    finally:
        g.stop()
    text = g.text()
    sys.stdout.write(text)
    print()
    check("the guest ran every command without a panic", done is not None and not g.panicked(),
          "panic" if g.panicked() else "no 'all runs done' line")
    runs = guest_runs(text)
    for k, argv in enumerate(cmds, 1):
        name = " ".join(argv)
        got = runs.get(k)
        if not got or got[2] is None:
            check(name, False, "no framed result in the log")
            continue
        _, out, end = got
        if name in GUEST_ONLY:
            want_out, want_end = GUEST_ONLY[name]
            check(name + ": what it must print", out == want_out and end == want_end,
                  "got %r (%s), want %r (%s)" % (out, end, want_out, want_end))
        elif argv == ["busybox", "date", "+%s"]:
            # the time of day from the kernel's host_get_time (the CMOS clock's at boot: QEMU's is the host's, UTC)
            ok = out.strip().isdigit() and abs(int(out.strip()) - time.time()) < 900 and end == "exit 0"
            check("busybox date +%s: the time of day, as the host's clock says within 15 minutes", ok,
                  "guest %r (%s), host %d" % (out, end, time.time()))
        elif argv[0] in HOST_PROGRAMS and argv[:2] != ["busybox", "uname"] or argv == ["busybox", "uname", "-s"]:
            hout, hrc = host_run(argv)
            check("%s: same output and status as on the host" % name, out == hout and end == "exit %d" % hrc,
                  "guest %r (%s), host %r (exit %d)" % (out, end, hout, hrc))
        elif argv == ["busybox", "uname", "-a"]:
            check(name + ": what the server says it is", out == UNAME and end == "exit 0",
                  "got %r (%s)" % (out, end))
        elif argv == ["garbage", "100000"]:
            check("garbage registers in 100,000 calls: answered, the process lives",
                  end == "exit 0" and "100000 calls with garbage registers, still here" in out, "%r (%s)" % (out, end))
        elif argv == ["garbage", "crash"]:
            check("a process killed by a fault is reported as SIGSEGV", end == "signal 11", "%r (%s)" % (out, end))
        elif argv[0] == "notelf.bin":
            check("a module that is not ELF is refused with its reason",
                  end == "refused: not an ELF file (bad magic)", str(end))
        elif argv[0] == "truncated":
            check("a truncated ELF is refused with its reason", end is not None and
                  end.startswith("refused: ") and "past the end" in end, str(end))
        elif argv[0] == "x86_64":
            check("a 64-bit ELF is refused with its reason", end == "refused: not a 32-bit ELF file", str(end))
        else:
            check(name, False, "no expectation for this command")
    check("the images' pager refuses requests that do not come from the kernel",
          re.search(r"^unix: pagertest: 2 of 2 forged requests refused, nothing supplied", text, re.M) is not None,
          "no such pagertest line")
    m = re.search(r"^unix: after the runs: (\d+) live processes, (\d+) zombies", text, re.M)
    check("every process of every run ended and was reaped", m is not None and m.group(1) == "0" and m.group(2) == "0",
          m.group(0) if m else "no 'after the runs' line")
    names = [int(x) for x in re.findall(r"^unix: (\d+) port names after run \d+", text, re.M)]
    check("the server's port names do not grow over the second half of the runs",
          len(names) > 4 and names[-1] <= names[len(names) // 2], "names after each run: %s" % names)
    # keyed held calls: a sleep's held call goes again only for a signal to its process or at its
    # deadline, not whenever another process ends (200 sleeps once went again 367,705 times here)
    many = [k for k, argv in enumerate(cmds, 1) if argv == ["busybox", "sh", "/bin/sh-many.sh"]]
    m = many and re.search(r"^unix: (\d+) held calls served again in run %d$" % many[0], text, re.M)
    check("sh-many.sh: its 200 held sleeps are not served again at every event (fewer than %d replays)"
          % MANY_REPLAYS_MAX, m and int(m.group(1)) < MANY_REPLAYS_MAX, m.group(0) if m else "no such line")
    # keyed polls: 16 polls held on pipes of their own are not served again at each of the 400
    # closes of other pipes (each went again at every change before: 6,539 replays, 19 now)
    pm = [k for k, argv in enumerate(cmds, 1) if argv == ["fds", "pollmany"]]
    m = pm and re.search(r"^unix: (\d+) held calls served again in run %d$" % pm[0], text, re.M)
    check("fds pollmany: held polls go again only for what they asked (fewer than %d replays)" % POLLMANY_REPLAYS_MAX,
          m and int(m.group(1)) < POLLMANY_REPLAYS_MAX, m.group(0) if m else "no such line")
    # a read that makes room in a full pipe goes on with the write held for it from its own handler
    # (pipe.c's feed_writers): the writer is not served again at every read
    fd = [k for k, argv in enumerate(cmds, 1) if argv == ["fds", "feed"]]
    m = fd and re.search(r"^unix: (\d+) held calls served again in run %d$" % fd[0], text, re.M)
    check("fds feed: writes held for room go on without being served again at each read (fewer than %d replays)"
          % FEED_REPLAYS_MAX, m and int(m.group(1)) < FEED_REPLAYS_MAX, m.group(0) if m else "no such line")
    # every held writer, writev's too, is gone on with by the reads in order: none is served again
    fq = [k for k, argv in enumerate(cmds, 1) if argv == ["fds", "feedq"]]
    m = fq and re.search(r"^unix: (\d+) held calls served again in run %d$" % fq[0], text, re.M)
    check("fds feedq: held writes and writevs go on in order without being served again (fewer than %d replays)"
          % FEEDQ_REPLAYS_MAX, m and int(m.group(1)) < FEEDQ_REPLAYS_MAX, m.group(0) if m else "no such line")
    if os.environ.get("UNIX_ONLY") != "main":  # UNIX_ONLY=main: the first boot alone, while working on it
        interactive()
        files_boot()
    for nr, what in (("500", "not implemented"), ("100000", "is past the table")):
        lines = re.findall(r"^unix: pid \d+ \(enosys\): system call %s %s" % (nr, what), text, re.M)
        check("system call %s answers -ENOSYS and is logged once" % nr, len(lines) == 1,
              "%d log lines" % len(lines))
    print("unix: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


sys.exit(main())
