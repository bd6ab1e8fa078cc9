import FirAudio
import FirPipeline
import FirTestSupport
import Foundation
import Testing

/// `Spool` on real directories: what arrives complete in the inbox comes out in the outbox exactly as a
/// direct job writes it and leaves the inbox; what cannot be processed lands in the failed directory with
/// its reason; nothing else is touched. Lifecycle and start-up checks are in SpoolTests+Lifecycle.
@Suite struct SpoolTests {
    let box: SpoolSandbox
    init() throws { box = try SpoolSandbox() }

    /// A settle time far longer than the test: only the rename can make the file count as complete.
    @Test func fileRenamedInIsFilteredLikeADirectRun() throws {
        defer { box.remove() }
        let spool = box.makeSpool(settle: 600)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        let x = [Signals.noise(count: 3000, seed: 1, amplitude: 0.5), Signals.noise(count: 3000, seed: 2)]
        let reference = try box.drop("take one.wav", x)

        #expect(waitUntil { spool.counts.done == 1 })
        #expect(SpoolSandbox.listing(box.inbox).isEmpty)
        #expect(SpoolSandbox.listing(box.outbox) == ["take one.wav"])
        #expect(try SpoolSandbox.read(box.outbox + "/take one.wav") == box.directRun(reference))
        #expect(spool.counts == SpoolCounts(done: 1))
        #expect(box.log.contains("spool job done file=take one.wav"))
    }

    /// Written in place, in pieces more than a settle time in all: the spool must wait until the file has
    /// stopped changing for the settle time, and then take it whole.
    @Test func fileWrittenInPlaceIsTakenOnlyOnceItSettles() throws {
        defer { box.remove() }
        let settle = 0.6
        let spool = box.makeSpool(settle: settle)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        let x = [Signals.noise(count: 20_000, seed: 3, amplitude: 0.5)]
        let reference = try AudioFixture.write(x, to: box.staging + "/reference.wav")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: reference)))

        let target = box.inbox + "/slow.wav"
        // Created in place with open(2): FileManager.createFile writes a temporary file and renames it,
        // which the spool rightly takes as a finished file.
        let fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        // 60 pieces 25 ms apart: 1.5 s of writing, each pause far below the settle time.
        let pieces = 60, size = (bytes.count + pieces - 1) / pieces
        for start in stride(from: 0, to: bytes.count, by: size) {
            try handle.write(contentsOf: bytes[start..<min(start + size, bytes.count)])
            #expect(spool.counts == SpoolCounts(), "taken while still being written")
            Thread.sleep(forTimeInterval: 0.025)  // pacing the writer, not waiting for the spool
        }
        try handle.close()
        let lastWrite = try #require(
            FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date)

        #expect(waitUntil { spool.counts.done == 1 })
        #expect(try SpoolSandbox.read(box.outbox + "/slow.wav") == box.directRun(reference))
        let written = try #require(
            FileManager.default.attributesOfItem(atPath: box.outbox + "/slow.wav")[.modificationDate] as? Date)
        // Timestamps are kernel-tick coarse; allow 20 ms of it.
        #expect(written.timeIntervalSince(lastWrite) >= settle - 0.02, "taken before it settled")
        #expect(SpoolSandbox.listing(box.inbox).isEmpty)
    }

    @Test func severalFilesRunAtMostMaxJobsAtOnce() throws {
        defer { box.remove() }
        let spool = box.makeSpool(maxJobs: 2)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        var references: [String: String] = [:]
        for i in 0..<6 {
            let name = "f\(i).wav"
            references[name] = try box.drop(name, [Signals.noise(count: 40_000, seed: UInt64(10 + i), amplitude: 0.5)])
        }
        var mostRunning = 0
        #expect(waitUntil {
            let counts = spool.counts
            mostRunning = max(mostRunning, counts.running)
            return counts.done == 6
        })
        #expect(mostRunning <= 2)
        #expect(SpoolSandbox.listing(box.outbox) == references.keys.sorted())
        for (name, reference) in references {
            #expect(try SpoolSandbox.read(box.outbox + "/" + name) == box.directRun(reference), "\(name)")
        }
        #expect(SpoolSandbox.listing(box.inbox).isEmpty)
    }

    /// Random bytes named .wav: moved to failed beside a one-line report naming the file and the trouble;
    /// a second file of the same name does not overwrite the first.
    @Test func corruptFileMovesToFailedWithItsReason() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        var rng = SeededGenerator(seed: 4)
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try box.drop("x.wav", bytes: garbage)
        #expect(waitUntil { spool.counts.failed == 1 })
        #expect(SpoolSandbox.listing(box.inbox).isEmpty)
        #expect(SpoolSandbox.listing(box.outbox).isEmpty)
        #expect(SpoolSandbox.listing(box.failed) == ["x.wav", "x.wav.error"])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: box.failed + "/x.wav"))) == garbage)

        let report = try String(contentsOfFile: box.failed + "/x.wav.error", encoding: .utf8)
        #expect(report.hasSuffix("\n") && report.dropLast().allSatisfy { !$0.isNewline }, "one line: \(report)")
        #expect(report.contains(box.inbox + "/x.wav: "), "names the file: \(report)")
        let stamp = try #require(report.split(separator: " ").first)
        #expect(ISO8601DateFormatter().date(from: String(stamp)) != nil, "starts with a UTC time: \(report)")

        try box.drop("x.wav", bytes: Array(garbage.prefix(100)))
        #expect(waitUntil { spool.counts.failed == 2 })
        #expect(SpoolSandbox.listing(box.failed) == ["x.wav", "x.wav.1", "x.wav.1.error", "x.wav.error"])
        #expect(box.log.contains("spool job failed file=x.wav moved_to=\(box.failed)/x.wav.1"))
    }

    /// Hidden files, partial and temporary names, reports and directories stay where they are. They are
    /// there before the start and sort before the good file, so were any taken it would be before it.
    @Test func skippedNamesAreLeftAlone() throws {
        defer { box.remove() }
        let skipped = [".hidden.wav", "a.part", "b.TMP", "c.firpipe-tmp", "d.wav.error"]
        for name in skipped { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: box.inbox + "/" + name)) }
        try FileManager.default.createDirectory(atPath: box.inbox + "/dir.wav", withIntermediateDirectories: false)
        try AudioFixture.write([Signals.noise(count: 100, seed: 5)], to: box.inbox + "/z.wav")

        let spool = box.makeSpool(settle: 0.1)
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        #expect(waitUntil { spool.counts.done == 1 })
        #expect(spool.counts == SpoolCounts(done: 1))
        #expect(SpoolSandbox.listing(box.inbox) == (skipped + ["dir.wav"]).sorted())
        #expect(SpoolSandbox.listing(box.failed).isEmpty)
    }

    /// A full disk or an outbox that went away is not the input's fault: it stays in the inbox and is
    /// done once the outbox is back.
    @Test func outputTroubleKeepsTheInputAndRetries() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        try FileManager.default.removeItem(atPath: box.outbox)
        let reference = try box.drop("later.wav", [Signals.noise(count: 1000, seed: 6)])

        #expect(waitUntil { box.log.contains("spool job cannot write its output") })
        #expect(SpoolSandbox.listing(box.inbox) == ["later.wav"])
        #expect(SpoolSandbox.listing(box.failed).isEmpty)
        #expect(spool.counts.failed == 0)

        try FileManager.default.createDirectory(atPath: box.outbox, withIntermediateDirectories: false)
        #expect(waitUntil { spool.counts.done == 1 })
        #expect(try SpoolSandbox.read(box.outbox + "/later.wav") == box.directRun(reference))
        #expect(SpoolSandbox.listing(box.inbox).isEmpty)
    }

    /// A reload's factory applies to jobs that start after it.
    @Test func updatedSpecAppliesToLaterJobs() throws {
        defer { box.remove() }
        let spool = box.makeSpool()
        try spool.start()
        defer { _ = spool.drain(timeout: 10) }
        spool.update(makeSpec: box.specFactory(gainDB: -6))
        let reference = try box.drop("quiet.wav", [Signals.noise(count: 1000, seed: 7)])
        #expect(waitUntil { spool.counts.done == 1 })
        let got = try SpoolSandbox.read(box.outbox + "/quiet.wav")
        #expect(got == (try box.directRun(reference, gainDB: -6)))
        #expect(got != (try box.directRun(reference)))
    }
}
