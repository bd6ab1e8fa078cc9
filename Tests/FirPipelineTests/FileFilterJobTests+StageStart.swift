import FirAudio
import FirCore
@testable import FirPipeline
import FirTestSupport
import Foundation
import Synchronization
import Testing

/// A batch job whose stage threads the system refuses: the stages already running are let go, and the
/// run fails at once with EX_OSERR's kind and no output, instead of waiting forever on a queue that the
/// missing stage would have fed (issue 14, defect 1: a hang at 0% CPU under `ulimit -v`).
@Suite struct FileFilterJobStageStartTests {
    let dir: TemporaryDirectory
    init() throws { dir = try TemporaryDirectory(prefix: "firpipe-stagestart") }

    /// Runs a 4-thread job whose `refused` thread cannot start, on a thread of its own so a hang fails
    /// the test (after 20 s) instead of stopping the suite. Returns the error, the threads that started
    /// and those of them whose body returned within 5 s of the run's end.
    func runRefusing(_ refused: String) throws -> (JobError?, started: [String], ended: [String]) {
        let x = (0..<4).map { Signals.noise(count: 20_000, seed: UInt64(60 + $0), amplitude: 0.5) }
        let input = try AudioFixture.write(x, to: dir.path("in.wav"))
        let kernel = try AudioFixture.write([Signals.decayingNoise(count: 500, seed: 7)], to: dir.path("k.wav"))
        var spec = JobSpec(input: input, output: dir.path("out.wav"), kernels: .shared(path: kernel))
        spec.threads = 4
        spec.blockSize = 256
        let started = Mutex<[String]>([]), ended = Mutex<[String]>([])
        let job = FileFilterJob(spec: spec, fromConfig: false, costModel: .default) { (name, body) throws(ResourceError) in
            if name == refused { throw ResourceError(.thread(name: name, errno: EAGAIN)) }
            started.withLock { $0.append(name) }
            try NamedThread.start(name) {
                body()
                ended.withLock { $0.append(name) }
            }
        }
        let outcome = Mutex<JobError??>(nil)
        let done = DispatchSemaphore(value: 0)
        try NamedThread.start("test-job") {
            do throws(JobError) {
                _ = try job.run()
                outcome.withLock { $0 = .some(nil) }
            } catch {
                outcome.withLock { $0 = .some(error) }
            }
            done.signal()
        }
        guard done.wait(timeout: .now() + 20) == .success else {
            Issue.record("the job still waits 20 s after \(refused) was refused")
            return (nil, started.withLock { $0 }, ended.withLock { $0 })
        }
        // The stages that did start must be let go, not left waiting on their queues.
        let deadline = Date().addingTimeInterval(5)
        while ended.withLock({ $0.count }) < started.withLock({ $0.count }) && Date() < deadline { usleep(1000) }
        return (outcome.withLock { $0 } ?? nil, started.withLock { $0 }, ended.withLock { $0 })
    }

    @Test(arguments: ["firpipe-work-0", "firpipe-work-2", "firpipe-read"])
    func refusedThreadEndsTheRun(refused: String) throws {
        defer { dir.remove() }
        let (outcome, started, ended) = try runRefusing(refused)
        let error = try #require(outcome, "the run succeeded without its \(refused) thread")
        #expect(error.kind == JobError.Kind.osError, "\(error)")
        #expect(error.message.contains("cannot start thread \(refused)"), "\(error)")
        #expect(error.message.contains("out.wav"), "\(error)")
        // The workers before the refused one (all of them, when the reader is refused) did start, and
        // were let go: no output, no temporary file.
        #expect(!started.contains(refused))
        #expect(Set(ended) == Set(started), "still waiting: \(Set(started).subtracting(ended).sorted())")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.wav")))
        #expect(dir.listing() == ["in.wav", "k.wav"], "\(dir.listing())")
    }
}
