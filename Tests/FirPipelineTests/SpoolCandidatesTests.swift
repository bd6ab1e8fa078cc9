@testable import FirPipeline
import Testing

/// When an inbox file counts as complete, on a clock the test sets: no threads, no files.
@Suite struct SpoolCandidatesTests {
    let t0 = ContinuousClock.now

    func signature(size: Int64, inode: UInt64 = 7, mtime: Int = 100) -> FileSignature {
        FileSignature(device: 1, inode: inode, size: size, modifiedSeconds: mtime, modifiedNanoseconds: 0)
    }

    @Test func renamedInIsCompleteAtOnce() {
        var candidates = SpoolCandidates(settleSeconds: 5)
        candidates.observe("a.wav", signature(size: 10), at: t0, renamedIn: true)
        #expect(candidates.takeComplete(at: t0) == ["a.wav"])
        #expect(candidates.names.isEmpty)
    }

    @Test func writtenInPlaceWaitsForTheSettleTimeWithoutChange() {
        var candidates = SpoolCandidates(settleSeconds: 2)
        candidates.observe("a.wav", signature(size: 10), at: t0)
        #expect(candidates.takeComplete(at: t0 + .seconds(1.9)).isEmpty)
        // It grew: the settle time starts again.
        candidates.observe("a.wav", signature(size: 20), at: t0 + .seconds(1.9))
        #expect(candidates.takeComplete(at: t0 + .seconds(3.8)).isEmpty)
        candidates.observe("a.wav", signature(size: 20), at: t0 + .seconds(3.8))
        #expect(candidates.takeComplete(at: t0 + .seconds(3.9)) == ["a.wav"])
    }

    /// Renamed in, then written again: no longer taken as finished.
    @Test func changeAfterRenameNeedsTheSettleTime() {
        var candidates = SpoolCandidates(settleSeconds: 2)
        candidates.observe("a.wav", signature(size: 10), at: t0, renamedIn: true)
        candidates.observe("a.wav", signature(size: 10, mtime: 101), at: t0)
        #expect(candidates.takeComplete(at: t0 + .seconds(1)).isEmpty)
        #expect(candidates.takeComplete(at: t0 + .seconds(2)) == ["a.wav"])
    }

    @Test func goneFilesAreDroppedAndOrderIsFirstSeen() {
        var candidates = SpoolCandidates(settleSeconds: 1)
        candidates.observe("c.wav", signature(size: 1, inode: 3), at: t0)
        candidates.observe("a.wav", signature(size: 1, inode: 1), at: t0)
        candidates.observe("b.wav", signature(size: 1, inode: 2), at: t0)
        candidates.observe("a.wav", nil, at: t0)
        // A new version keeps its place in line.
        candidates.observe("c.wav", signature(size: 2, inode: 3), at: t0)
        #expect(candidates.takeComplete(at: t0 + .seconds(1)) == ["c.wav", "b.wav"])
    }

    @Test(arguments: [
        (".hidden.wav", true), ("a.part", true), ("a.PART", true), ("a.tmp", true), ("a.firpipe-tmp", true),
        ("a.wav.error", true), ("a.wav", false), ("part.wav", false), ("a.wav.1", false), ("error", false),
    ])
    func ignoredNames(name: String, ignored: Bool) {
        #expect(SpoolCandidates.isIgnored(name) == ignored)
    }
}
