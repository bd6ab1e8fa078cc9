#!/usr/bin/python3
"""Plays a known signal into a JACK client's inputs and records its outputs, frame-aligned (the JACK test
client of Tests/FirpipeTests/ServeJackTests.swift).

Two clients in this process: a player feeding TARGET:in_1… and a recorder reading TARGET:out_1…. JACK runs
the player, the target and the recorder in that order within each cycle, and all three see the same frame
time, so recorded frame t is the target's output for played frame t: any shift in the recording is latency
the target added. Writes the recording as raw float32, channel after channel (OUT), and prints one JSON
line: the capture latency range JACK reports at TARGET:out_1 and the xruns seen while playing.

Uses only the standard library and python3-jack-client (Debian), run by /usr/bin/python3.
"""
import argparse
import array
import ctypes
import errno
import json
import sys
import threading
import time

import jack


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--target", required=True, help="the client under test, e.g. firpipe")
    p.add_argument("--input", required=True, help="raw float32, channel after channel")
    p.add_argument("--inputs", type=int, required=True)
    p.add_argument("--outputs", type=int, required=True)
    p.add_argument("--frames", type=int, required=True, help="frames per input channel")
    p.add_argument("--record", type=int, required=True, help="frames to record per output channel")
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="fptest")
    a = p.parse_args()

    signal = array.array("f")
    with open(a.input, "rb") as f:
        signal.frombytes(f.read())
    assert len(signal) == a.inputs * a.frames, "input length"
    recording = [array.array("f", bytes(4 * a.record)) for _ in range(a.outputs)]

    player = jack.Client(a.name + "-play", no_start_server=True)
    recorder = jack.Client(a.name + "-rec", no_start_server=True)
    outs = [player.outports.register(f"p_{i + 1}") for i in range(a.inputs)]
    ins = [recorder.inports.register(f"r_{i + 1}") for i in range(a.outputs)]
    state = {"start": None, "recorded": 0, "xruns": 0}
    done = threading.Event()

    @player.set_process_callback
    def play(n):
        t0, start = player.last_frame_time, state["start"]
        for c, port in enumerate(outs):
            buf = port.get_buffer()
            block = array.array("f", bytes(4 * n))
            if start is not None:
                lo, hi = max(t0, start), min(t0 + n, start + a.frames)
                if lo < hi:
                    base = c * a.frames - start
                    block[lo - t0:hi - t0] = signal[base + lo:base + hi]
            buf[:] = block.tobytes()

    @recorder.set_process_callback
    def record(n):
        t0, start = recorder.last_frame_time, state["start"]
        if start is None:
            return
        lo, hi = max(t0, start), min(t0 + n, start + a.record)
        if lo >= hi:
            if t0 >= start + a.record:
                done.set()
            return
        for c, port in enumerate(ins):
            got = array.array("f")
            got.frombytes(bytes(port.get_buffer()))
            recording[c][lo - start:hi - start] = got[lo - t0:hi - t0]
        state["recorded"] = hi - start
        if hi - start >= a.record:
            done.set()

    def xrun(_delay):
        state["xruns"] += 1

    player.set_xrun_callback(xrun)
    with player, recorder:
        for i, port in enumerate(outs):
            connect(player, port, f"{a.target}:in_{i + 1}")
        for i, port in enumerate(ins):
            connect(recorder, f"{a.target}:out_{i + 1}", port)
        time.sleep(0.2)  # the connections are in the graph
        state["xruns"] = 0
        state["start"] = player.frame_time + player.blocksize * 8
        if not done.wait(timeout=30 + 2 * a.record / player.samplerate):
            sys.exit(f"recorded only {state['recorded']} of {a.record} frames")
        latency = capture_latency(player.get_port_by_name(f"{a.target}:out_1"))
    with open(a.out, "wb") as f:
        for channel in recording:
            f.write(channel.tobytes())
    print(json.dumps({"latency": latency, "xruns": state["xruns"]}))


def connect(client, source, destination):
    """Connects, unless the target already did (its jack_connect_* lists may name our ports)."""
    try:
        client.connect(source, destination)
    except jack.JackErrorCode as e:
        if e.code != errno.EEXIST:
            raise


def capture_latency(port):
    """[min, max] of JACK's capture latency at `port` (python3-jack-client does not wrap the call)."""
    lib = ctypes.CDLL("libjack.so.0")

    class Range(ctypes.Structure):
        _fields_ = [("min", ctypes.c_uint32), ("max", ctypes.c_uint32)]

    r = Range()
    lib.jack_port_get_latency_range.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(Range)]
    pointer = int(jack._ffi.cast("uintptr_t", port._ptr))
    lib.jack_port_get_latency_range(pointer, 0, ctypes.byref(r))  # 0: JackCaptureLatency
    return [r.min, r.max]


if __name__ == "__main__":
    main()
