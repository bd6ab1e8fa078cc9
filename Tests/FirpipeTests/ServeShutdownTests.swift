import FirAudio
import FirTestSupport
import Foundation
import Testing

/// Shutdown when the stream cannot drain: the output is a named pipe whose reader never reads, shrunk
/// to one page, so the writer blocks and the stream cannot finish.
@Suite struct ServeShutdownTests {
    /// The reader end of the output pipe; kept open (and never read) for the test's length.
    final class StuckReader: @unchecked Sendable {
        let fd: Int32
        /// What the pipe holds once shrunk (F_SETPIPE_SZ can round up; the kernel answers the size).
        let capacity: Int32
        init(_ path: String) {
            fd = open(path, O_RDONLY | O_NONBLOCK)
            capacity = fcntl(fd, 1031, 4096)  // F_SETPIPE_SZ: one page of room
        }
        /// Bytes waiting in the pipe (FIONREAD).
        var buffered: Int32 {
            var n: Int32 = 0
            _ = ioctl(fd, UInt(FIONREAD), &n)
            return n
        }
        deinit { close(fd) }
    }

    private func stuckDaemon(_ f: Fixtures, timeout: Double) throws -> (DaemonProcess, StuckReader) {
        try f.text("k.txt", "1\n")
        let fifo = f.dir.path("nobody-reads.pcm")
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = StuckReader(fifo)
        let config = try f.text(
            "s.yaml",
            "kernel: k.txt\nserve:\n  stream: {output: \(fifo), format: s16le, channels: 1, rate: 8000}\n"
                + "  shutdown_timeout_s: \(timeout)\n")
        let daemon = try DaemonProcess(["serve", "--config", config])
        // Signal handlers are installed before the services start, and the log line comes after.
        #expect(daemon.waitUntil { daemon.stderr.contains("streaming 1 ch") }, "\(daemon.stderr)")
        #expect(reader.capacity == 4096, "F_SETPIPE_SZ answered \(reader.capacity)")
        try daemon.write(Data(count: 8000))
        // The signal must find the writer blocked with output still to drain: wait until the pipe is
        // full (8,000 bytes of output cannot fit in one page), else the drain can finish in time.
        #expect(daemon.waitUntil { reader.buffered >= reader.capacity }, "the pipe never filled")
        return (daemon, reader)
    }

    @Test func drainLongerThanTheTimeoutExits70() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        let (daemon, reader) = try stuckDaemon(f, timeout: 0.5)
        defer { withExtendedLifetime(reader) {} }
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 70, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("shutdown took longer than shutdown_timeout_s (0.5 s)"))
    }

    @Test func secondSignalExitsAtOnce() throws {
        let f = try Fixtures()
        defer { f.dir.remove() }
        // A timeout far beyond the wait below: only the second signal can end it in time.
        let (daemon, reader) = try stuckDaemon(f, timeout: 600)
        defer { withExtendedLifetime(reader) {} }
        daemon.send(SIGTERM)
        #expect(daemon.waitUntil { daemon.stderr.contains("stopping") })
        daemon.send(SIGINT)
        #expect(daemon.waitForExit(timeout: 20) == 128 + SIGINT, "\(daemon.stderr)")
        #expect(daemon.stderr.contains("second SIGINT during shutdown: exiting at once"))
        #expect(!FileManager.default.fileExists(atPath: daemon.runtimeDirectory + "/s.sock"),
                "the control socket goes with it")
    }
}
