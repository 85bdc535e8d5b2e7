"""A QEMU guest whose serial console a test can read and type into.

The console is QEMU's stdio, through pipes: what the guest prints is appended
to a log file as it comes, and send() types bytes as a terminal would. Used by
run.py (the `servers` suite); see tests/README.md.
"""
import os
import re
import select
import subprocess
import time


class Guest:
    def __init__(self, qemu_args, log_path):
        self.log_path = log_path
        self.out = b""
        self.wire = b""          # the bytes as they came, CRs and all
        self.cursor = 0          # expect() searches from here on
        os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            # -nic none: QEMU's default NIC would be on an unrestricted user network
            ["qemu-system-i386", "-display", "none", "-no-reboot", "-nic", "none",
             "-chardev", "stdio,id=s0,signal=off", "-serial", "chardev:s0",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=4"] + qemu_args,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def _pump(self, seconds):
        """Reads what the guest printed for up to seconds; False once QEMU has ended."""
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], seconds)
        if ready:
            data = os.read(fd, 65536)
            if data:
                self.wire += data
                self.out += data.replace(b"\r", b"")
                self.log.write(data.replace(b"\r", b""))
                self.log.flush()
                return True
        if self.proc.poll() is not None:
            return False
        return True

    def text(self):
        return self.out.decode("utf-8", "replace")

    def panicked(self):
        return re.search(r"^panic:", self.text(), re.M) is not None

    def expect(self, pattern, timeout=20):
        """Waits until pattern appears after the cursor; moves the cursor past it."""
        deadline = time.time() + timeout
        rx = re.compile(pattern, re.M)
        partial = None
        while True:
            text = self.text()
            m = rx.search(text, self.cursor)
            # a pattern ending in $ that matched a line still being written (its end is
            # the end of the output so far) waits up to 2 s for the rest of that line
            if m and pattern.endswith("$") and m.end() == len(text) and not text.endswith("\n"):
                partial = partial or time.time() + 2
                if time.time() < partial and self._pump(0.1):
                    continue
            if m:
                self.cursor = m.end()
                return m
            if self.panicked() or time.time() > deadline or not self._pump(0.1):
                return None

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def wait_exit(self, timeout):
        """The guest's isa-debug-exit status, or None if QEMU did not end in time."""
        deadline = time.time() + timeout
        while time.time() < deadline and not self.panicked() and self._pump(0.1):
            pass
        if self.proc.poll() is None:
            return None
        while True:  # the rest of what it printed
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                break
            self.wire += data
            self.out += data.replace(b"\r", b"")
            self.log.write(data.replace(b"\r", b""))
        return self.proc.returncode

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
