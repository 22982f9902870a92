#!/usr/bin/python3
"""Boot the realcore fixture guest under QEMU (TCG) and dump its memory over QMP.

    run-guest.py --kernel VMLINUZ --initrd INITRD --disk DATA.IMG --out PREFIX
                 [--formats elf,kdump-zlib,...] [--cpu max] [--mem 512] [--smp 2]
                 [--mode dump] [--append "..."] [--timeout 300]

Writes PREFIX.<format> for each format (elf -> PREFIX.elf, kdump-zlib -> PREFIX.kdump-zlib),
PREFIX.console.log (the serial console), and PREFIX.map (the workload's pfn runs, when the
guest prints them). Dumps are written to a temporary name and renamed when complete.

The guest prints "coresieve-realcore: READY" when its workload is in memory; then the VM
is stopped and dump-guest-memory (paging=false) runs once per format. A guest line
"coresieve-realcore: FAILED ..." or a timeout ends the run with exit 1 and the console
tail. -cpu max gives the guest LA57 (5-level paging); -cpu max,la57=off gives 4-level.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

READY = b"coresieve-realcore: READY"
FAILED = b"coresieve-realcore: FAILED"


def log(msg):
    print(f"[run-guest] {msg}", flush=True)


class QMP:
    """Minimal QMP client over a unix socket (skips asynchronous events)."""

    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.f = self.sock.makefile("rwb")
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError(f"unexpected QMP greeting: {greeting}")
        self.cmd("qmp_capabilities")

    def _read(self):
        line = self.f.readline()
        if not line:
            raise RuntimeError("QMP connection closed")
        return json.loads(line)

    def cmd(self, name, **args):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg).encode() + b"\n")
        self.f.flush()
        while True:
            r = self._read()
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise RuntimeError(f"QMP {name} failed: {r['error'].get('desc', r['error'])}")
            # else: an event such as STOP or DUMP_COMPLETED; ignore

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return "(no console log)"
    return "\n".join(lines[-n:])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--initrd", required=True)
    ap.add_argument("--disk", help="virtio data disk (opened with snapshot=on)")
    ap.add_argument("--out", required=True, help="output path prefix, e.g. fixtures/l5")
    ap.add_argument("--formats", default="elf", help="comma list: elf,kdump-zlib,kdump-lzo,kdump-snappy")
    ap.add_argument("--cpu", default="max")
    ap.add_argument("--mem", type=int, default=512, help="guest RAM in MiB")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--mode", default="dump", help="guest cs.mode= (only 'dump' is implemented)")
    ap.add_argument("--append", default="", help="extra kernel command line")
    ap.add_argument("--timeout", type=float, default=300, help="seconds to wait for READY")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    a = ap.parse_args()

    qemu = shutil.which(a.qemu)
    if not qemu:
        print(f"SKIP: {a.qemu} not found", flush=True)
        return 77
    for p in (a.kernel, a.initrd) + ((a.disk,) if a.disk else ()):
        if not os.path.isfile(p):
            log(f"error: missing {p}")
            return 1
    formats = [f for f in a.formats.split(",") if f]
    out_dir = os.path.dirname(os.path.abspath(a.out))
    os.makedirs(out_dir, exist_ok=True)
    console = a.out + ".console.log"
    rundir = tempfile.mkdtemp(prefix="realcore-qmp-")
    qmp_path = os.path.join(rundir, "qmp.sock")

    cmdline = f"console=ttyS0,115200 panic=-1 cs.mode={a.mode} {a.append}".strip()
    cmd = [qemu, "-accel", "tcg", "-cpu", a.cpu, "-m", str(a.mem), "-smp", str(a.smp),
           "-machine", "pc", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           "-serial", f"file:{console}", "-device", "vmcoreinfo",
           "-qmp", f"unix:{qmp_path},server=on,wait=off",
           "-kernel", a.kernel, "-initrd", a.initrd, "-append", cmdline]
    if a.disk:
        cmd += ["-drive", f"file={a.disk},if=virtio,format=raw,snapshot=on"]
    log("qemu: " + " ".join(cmd))

    t0 = time.monotonic()
    qerr = open(a.out + ".qemu.log", "wb")
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qerr, stderr=subprocess.STDOUT)
    qmp = None
    rc = 1
    try:
        # QMP is up as soon as QEMU runs: check the formats before the (slow) boot.
        while qmp is None:
            try:
                qmp = QMP(qmp_path, timeout=600)
            except (FileNotFoundError, ConnectionRefusedError):
                if proc.poll() is not None or time.monotonic() - t0 > 30:
                    raise RuntimeError(f"QEMU did not start (status {proc.poll()})"
                                       f"\n--- qemu output:\n{tail(a.out + '.qemu.log', 10)}")
                time.sleep(0.05)
        caps = qmp.cmd("query-dump-guest-memory-capability").get("formats", [])
        for fmt in formats:
            if fmt not in caps:
                raise RuntimeError(f"this QEMU cannot dump format {fmt!r} (it has: {', '.join(caps)})")

        # wait for READY (or FAILED, or qemu exiting, or the timeout)
        seen = b""
        pos = 0
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"qemu exited with status {proc.returncode} before the guest was ready"
                                   f"\n--- qemu output:\n{tail(a.out + '.qemu.log', 10)}")
            if os.path.exists(console):
                with open(console, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
                pos += len(chunk)
                seen = seen[-200:] + chunk
                if FAILED in seen:
                    raise RuntimeError("the guest reported a failure")
                if READY in seen:
                    break
            if time.monotonic() - t0 > a.timeout:
                raise RuntimeError(f"guest not ready after {a.timeout:.0f}s")
            time.sleep(0.25)
        t_ready = time.monotonic() - t0
        log(f"guest ready after {t_ready:.1f}s")

        qmp.cmd("stop")
        timings = {"ready": round(t_ready, 1)}
        for fmt in formats:
            dst = f"{a.out}.{fmt}"
            tmp = f"{dst}.tmp"
            if os.path.exists(tmp):
                os.unlink(tmp)
            t1 = time.monotonic()
            qmp.cmd("dump-guest-memory", paging=False, protocol=f"file:{os.path.abspath(tmp)}", format=fmt)
            st = qmp.cmd("query-dump")
            if st.get("status") != "completed":
                raise RuntimeError(f"dump {fmt} status: {st}")
            os.replace(tmp, dst)
            os.chmod(dst, 0o644)  # QEMU creates dumps 0400; let non-root test runs read them
            dt = time.monotonic() - t1
            timings[fmt] = round(dt, 1)
            log(f"dump {fmt}: {dst} {os.path.getsize(dst)} bytes in {dt:.1f}s")
        qmp.cmd("quit")
        proc.wait(timeout=60)
        rc = 0
        log("timings (s): " + json.dumps(timings))
    except Exception as e:  # report, show the console, and fail
        log(f"error: {e}")
        log(f"console tail ({console}):\n{tail(console)}")
        rc = 1
    finally:
        if qmp:
            qmp.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        qerr.close()
        shutil.rmtree(rundir, ignore_errors=True)

    # the workload's pfn map, when the guest printed one
    if rc == 0:
        try:
            with open(console, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            text = text.replace("\r", "")
            b, e = text.find("CSRC-MAP-BEGIN\n"), text.find("CSRC-MAP-END")
            if b >= 0 and e > b:
                with open(a.out + ".map", "w") as f:
                    f.write(text[b + len("CSRC-MAP-BEGIN\n"):e])
        except OSError as e:
            log(f"warning: cannot extract the workload map: {e}")
    log(f"total {time.monotonic() - t0:.1f}s, exit {rc}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
