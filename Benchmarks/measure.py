"""Runs one command and measures it: wall time, user + system CPU and peak RSS, from wait4's rusage.

Two things make a plain wait4 on the tool wrong, and the harness avoids both:
- Linux keeps a process's peak RSS across exec, so a tool spawned straight from the harness (a Python
  process holding hundreds of MB of workload data) would report the harness's size as its own. The tool
  is therefore started by a small shell in the background (`sh -c '"$@" &'`): it is forked from the
  shell, whose footprint is about 1 MB, and the shell exits at once, leaving the tool to the harness.
- Some tools fork workers that they do not wait for (BruteFIR does), so the tool's rusage misses them
  (`perf stat`, which counts inherited tasks, does see them). The harness makes itself a child subreaper
  (prctl PR_SET_CHILD_SUBREAPER), so every orphaned process of the tree, the tool included, is
  re-parented to it and reaped by it with wait4.
A run ends when the last process of the tree is reaped; its wall time runs from the spawn to then.
CPU is the sum of user + system time over the tool and its workers (a process's rusage includes the
children it waited for itself); the launching shell is left out. Peak RSS is the largest ru_maxrss among
them, that is the largest single process: summing would count pages the workers share several times.
"""

import ctypes
import os
import signal
import subprocess
import time
from dataclasses import dataclass

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper():
    """Makes orphaned descendants of this process its children, so they can be reaped and measured."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


@dataclass
class Measurement:
    """One timed run of one command."""

    wall: float  # seconds from spawn to the last process of the tree reaped
    cpu: float  # user + system seconds of every process in the tree
    max_rss_kib: int  # largest ru_maxrss of a single process in the tree
    returncode: int
    processes: int  # processes reaped: the tool plus the workers it left behind
    tool_cpu: float  # CPU of the tool's own process and the children it waited for: what a plain wait4 sees


def run(argv, env=None, log_path=None):
    """Runs argv with stdin closed, stdout and stderr to log_path, and measures it (see the module doc)."""
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL
    pid_read, pid_write = os.pipe()
    try:
        start = time.perf_counter()
        # The shell starts the tool in the background, writes its pid to the pipe and exits.
        launcher = subprocess.Popen(
            ["sh", "-c", f'"$@" {pid_write}>&- & echo $! >&{pid_write}', "sh", *argv],
            env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, pass_fds=(pid_write,))
        os.close(pid_write)
        pid_write = None
        with os.fdopen(pid_read, "rb") as f:
            pid_read = None
            text = f.read().strip()
        tool_pid = int(text) if text else None
        return _reap(start, launcher, tool_pid)
    except KeyboardInterrupt:
        _stop_children()
        raise
    finally:
        for fd in (pid_read, pid_write):
            if fd is not None:
                os.close(fd)
        if log_path:
            log.close()


def _reap(start, launcher, tool_pid):
    cpu = 0.0
    max_rss = 0
    returncode = None
    processes = 0
    tool_cpu = 0.0
    # Reap the launcher, the tool and whatever the tool left behind; ChildProcessError means none is left.
    while True:
        try:
            pid, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        if pid == launcher.pid:
            launcher.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait for it again
            if tool_pid is None:
                returncode = launcher.returncode
            continue
        processes += 1
        cpu += usage.ru_utime + usage.ru_stime
        max_rss = max(max_rss, usage.ru_maxrss)
        if pid == tool_pid:
            returncode = os.waitstatus_to_exitcode(status)
            tool_cpu = usage.ru_utime + usage.ru_stime
    wall = time.perf_counter() - start
    return Measurement(wall, cpu, max_rss, returncode, processes, tool_cpu)


def _stop_children():
    """On Ctrl-C: the tool runs in the background, where SIGINT is ignored, so end it (and its workers)."""
    me = str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # the parent pid: only processes this harness started or inherited
            try:
                os.kill(int(entry), signal.SIGTERM)
            except ProcessLookupError:
                pass
