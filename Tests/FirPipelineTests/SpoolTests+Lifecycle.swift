import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `Spool` start-up (what it checks, what it cleans, what it finds) and shutdown (stopping the intake,
/// draining, cancelling).
extension SpoolTests {
    /// What a restart after `kill -9` finds: inputs still in the inbox and temporary outputs beside the
    /// outbox's files. The temporary files go at once; the inputs are done.
    @Test func startRemovesLeftoversAndTakesFilesAlreadyThere() throws {
        defer { box.remove() }
        let leftovers = [".a.wav.firpipe-4242-1-9f3c.tmp", ".b.wav.error.firpipe-17-3-0.tmp"]
        for name in leftovers { try Data([0]).write(to: URL(fileURLWithPath: box.outbox + "/" + name)) }
        try Data([0]).write(to: URL(fileURLWithPath: box.failed + "/" + leftovers[1]))
        let kept = [".keep", "old.wav", ".a.wav.firpipe-notes.tmp"]
        for name in kept { try Data([0]).write(to: URL(fileURLWithPath: box.outbox + "/" + name)) }
        var references: [String: String] = [:]
        for name in ["a.wav", "b.wav"] {
            let x = [Signals.noise(count: 2000, seed: UInt64(name.utf8.first!), amplitude: 0.5)]
            references[name] = try AudioFixture.write(x, to: box.staging + "/" + name)
            try AudioFixture.write(x, to: box.inbox + "/" + name)
        }

        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        #expect(!SpoolSandbox.listing(box.outbox).contains { leftovers.contains($0) })
        #expect(SpoolSandbox.listing(box.failed).isEmpty)
        #expect(box.log.contains("spool removed a leftover temporary file"))

        #expect(waitUntil { spool.counts.done == 2 })
        #expect(SpoolSandbox.listing(box.outbox) == (kept + ["a.wav", "b.wav"]).sorted())
        for (name, reference) in references {
            #expect(try SpoolSandbox.read(box.outbox + "/" + name) == box.directRun(reference), "\(name)")
        }
    }

    /// Killed after the output was committed but before the input was removed: the job is done again
    /// and the output replaced whole.
    @Test func restartRedoesAJobWhoseInputWasNotYetRemoved() throws {
        defer { box.remove() }
        let x = [Signals.noise(count: 3000, seed: 11, amplitude: 0.5)]
        let reference = try AudioFixture.write(x, to: box.staging + "/again.wav")
        try AudioFixture.write(x, to: box.inbox + "/again.wav")
        try AudioFixture.write([[0.25, 0.25]], to: box.outbox + "/again.wav")
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        #expect(waitUntil { spool.counts.done == 1 })
        #expect(try SpoolSandbox.read(box.outbox + "/again.wav") == box.directRun(reference))
        #expect(SpoolSandbox.listing(box.outbox) == ["again.wav"])
    }

    /// Killed after a failure's report was written but before the input moved: the input fails again
    /// into the same name, so no report is left without its file.
    @Test func restartAfterAHalfDoneFailureReusesTheReportsName() throws {
        defer { box.remove() }
        try Data("stale report\n".utf8).write(to: URL(fileURLWithPath: box.failed + "/bad.wav.error"))
        try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: box.inbox + "/bad.wav"))
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        #expect(waitUntil { spool.counts.failed == 1 })
        #expect(SpoolSandbox.listing(box.failed) == ["bad.wav", "bad.wav.error"])
        let report = try String(contentsOfFile: box.failed + "/bad.wav.error", encoding: .utf8)
        #expect(report.contains(box.inbox + "/bad.wav: "), "\(report)")
    }

    @Test func missingDirectoryIsAConfigError() throws {
        defer { box.remove() }
        try FileManager.default.removeItem(atPath: box.failed)
        let spool = box.makeSpool()
        let error = try #require(throws: JobError.self) { try spool.start() }
        #expect(error.kind == .config)
        #expect(error.message.contains("spool failed directory \(box.failed): does not exist"), "\(error)")
        spool.stopIntake()  // harmless on a spool that never started
    }

    @Test func fileInPlaceOfADirectoryIsAConfigError() throws {
        defer { box.remove() }
        try FileManager.default.removeItem(atPath: box.outbox)
        try Data([0]).write(to: URL(fileURLWithPath: box.outbox))
        let error = try #require(throws: JobError.self) { try box.makeSpool().start() }
        #expect(error.kind == .config)
        #expect(error.message.contains("spool outbox directory \(box.outbox): is not a directory"), "\(error)")
    }

    @Test func sharedDirectoryIsAConfigError() throws {
        defer { box.remove() }
        let settings = SpoolSettings(inbox: box.inbox, outbox: box.inbox + "/", failed: box.failed)
        let spool = Spool(settings: settings, makeSpec: box.specFactory(), logger: box.log.logger)
        let error = try #require(throws: JobError.self) { try spool.start() }
        #expect(error.kind == .config)
        #expect(error.message.contains("is the same directory as the spool's inbox"), "\(error)")
    }

    /// /proc takes no new files, even from root, for whom permission bits are no test.
    @Test func unwritableDirectoryIsAConfigError() throws {
        defer { box.remove() }
        let settings = SpoolSettings(inbox: box.inbox, outbox: box.outbox, failed: "/proc")
        let spool = Spool(settings: settings, makeSpec: box.specFactory(), logger: box.log.logger)
        let error = try #require(throws: JobError.self) { try spool.start() }
        #expect(error.kind == .config)
        #expect(error.message.contains("spool failed directory /proc: is not writable"), "\(error)")
    }

    @Test func readOnlyDirectoryIsAConfigError() throws {
        defer { box.remove() }
        // Root writes through permission bits: as root, the test runs again as nobody.
        if let failure = try AsNobody.rerunTest("SpoolTests/readOnlyDirectoryIsAConfigError") {
            #expect(failure.isEmpty, "\(failure)")
            return
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: box.outbox)
        let error = try #require(throws: JobError.self) { try box.makeSpool().start() }
        #expect(error.kind == .config)
        #expect(error.message.contains("spool outbox directory \(box.outbox): is not writable"), "\(error)")
    }

    /// After stopIntake nothing new is taken; drain waits for the job in flight.
    @Test func stopIntakeThenDrainFinishesTheJobInFlight() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        try box.drop("first.wav", [Signals.noise(count: 200_000, seed: 8, amplitude: 0.5)])
        #expect(waitUntil { spool.counts.running == 1 || spool.counts.done == 1 })
        spool.stopIntake()
        try box.drop("second.wav", [Signals.noise(count: 100, seed: 9)])
        #expect(spool.drain(timeout: 30))
        #expect(spool.counts == SpoolCounts(done: 1))
        #expect(SpoolSandbox.listing(box.outbox) == ["first.wav"])
        #expect(SpoolSandbox.listing(box.inbox) == ["second.wav"])
    }

    /// A drain that times out cancels the job: its input stays, and no output or temporary file remains.
    @Test func drainTimeoutCancelsAndKeepsTheInput() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        // 4 M frames in 16-frame blocks: a quarter of a million blocks, seconds of work.
        let kernel = box.kernel
        spool.update { input, output in
            var spec = JobSpec(input: input, output: output, kernels: .shared(path: kernel))
            spec.blockSize = 16
            return spec
        }
        try box.drop("long.wav", [Signals.noise(count: 4_000_000, seed: 10, amplitude: 0.5)])
        #expect(waitUntil { spool.counts.running == 1 })
        #expect(!spool.drain(timeout: 0.05))
        #expect(waitUntil { spool.counts.running == 0 })
        #expect(spool.counts == SpoolCounts())
        #expect(SpoolSandbox.listing(box.inbox) == ["long.wav"])
        #expect(SpoolSandbox.listing(box.outbox).isEmpty)
        #expect(box.log.contains("spool job cancelled"))
    }
}
