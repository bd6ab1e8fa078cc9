import FirTestSupport
import Foundation
import Testing

@testable import FirPipeline

/// The journal's key of a job names everything its output depends on: a job whose settings, files or
/// kernel changed gets another key (and is redone), an unchanged one the same key, however many jobs
/// of other settings were described in between (``SpecDescriptions`` keeps a few).
@Suite struct BatchJournalKeyTests {
    static func job(_ input: String, gain: Double = 0, kernel: String = "k.wav") -> BatchJob {
        var spec = JobSpec(input: input, output: input + ".out.wav", kernels: .shared(path: kernel))
        spec.gainDB = gain
        return BatchJob(spec: spec, fromConfig: false)
    }

    @Test func aKeyChangesWithTheSettingsAndTheFilesAndOnlyWithThem() throws {
        let dir = try TemporaryDirectory(prefix: "journal-key")
        defer { dir.remove() }
        for name in ["a.wav", "b.wav", "k.wav", "k2.wav"] { try Data([1, 2, 3]).write(to: dir.url.appendingPathComponent(name)) }
        let a = dir.path("a.wav"), b = dir.path("b.wav"), k = dir.path("k.wav"), k2 = dir.path("k2.wav")
        let key = BatchJournal.key(of: Self.job(a, kernel: k))
        #expect(BatchJournal.key(of: Self.job(a, kernel: k)) == key)
        #expect(BatchJournal.key(of: Self.job(b, kernel: k)) != key, "another input")
        #expect(BatchJournal.key(of: Self.job(a, gain: -3, kernel: k)) != key, "another gain")
        #expect(BatchJournal.key(of: Self.job(a, kernel: k2)) != key, "another kernel")
        var output = Self.job(a, kernel: k)
        output.spec?.output = a + ".other.wav"
        #expect(BatchJournal.key(of: output) != key, "another output")
        // More distinct settings than are kept described, then the first again: the same key.
        for g in 1...12 { _ = BatchJournal.key(of: Self.job(a, gain: Double(g), kernel: k)) }
        #expect(BatchJournal.key(of: Self.job(a, kernel: k)) == key)
        // The input's bytes changed (size and time): another key.
        try Data([1, 2, 3, 4]).write(to: dir.url.appendingPathComponent("a.wav"))
        #expect(BatchJournal.key(of: Self.job(a, kernel: k)) != key, "a changed input")
    }
}
