import FirAudio
import Foundation
import Testing

/// `Poll` and `WakePipe`, the one way firpipe's threads wait on descriptors.
@Suite struct PollTests {
    struct Failure: Error { let code: Int32 }

    /// Before, the control socket's wait retried a failing poll at once, forever.
    @Test func pollFailuresAreErrors() throws {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        // More descriptors than RLIMIT_NOFILE allows: poll fails with EINVAL.
        var fds = [pollfd](repeating: pollfd(fd: -1, events: 0, revents: 0), count: Int(limit.rlim_cur) + 1)
        let error = try #require(throws: Failure.self) { try Poll.wait(&fds, until: nil) { Failure(code: $0) } }
        #expect(error.code == EINVAL)
    }

    @Test func wakeEndsAWaitAndDrainEndsTheWake() throws {
        let pipe = try WakePipe { Failure(code: $0) }
        var fds = [pollfd(fd: pipe.descriptor, events: Int16(POLLIN), revents: 0)]
        #expect(try !Poll.wait(&fds, until: .now.advanced(by: .milliseconds(20))) { Failure(code: $0) }, "times out")
        #expect(!pipe.isWoken)
        for _ in 0..<3 { pipe.wake() }
        #expect(pipe.isWoken)
        #expect(try Poll.wait(&fds, until: nil) { Failure(code: $0) })
        pipe.drain()
        #expect(!pipe.isWoken, "one drain empties several wakes")
        // A full pipe: wake never blocks its caller.
        for _ in 0..<100_000 { pipe.wake() }
        #expect(pipe.isWoken)
    }
}
