import FirAudio
import FirTestSupport
import Foundation
import Glibc
import Testing

/// ``AudioFileWriter``: clipping, refusals, and a write that runs out of room.
///
/// Serialized because the short-write tests lower the process-wide file size limit for a moment.
/// The limits they set (about 440 KB and 1 MiB) are above any file the other suites write (at most
/// 240 KB), so tests running alongside them in other suites are not affected.
@Suite("AudioFileWriter", .serialized)
final class AudioFileWriterTests {
    let directory: TemporaryDirectory
    init() throws { directory = try TemporaryDirectory() }

    static let outOfRange: [Float] = [1.5, -2.0, 0.5, 1.0, -1.0, 0.25, 1.000_1, -7]

    /// `reserve` takes the samples' disk blocks ahead (on ext4 and tmpfs, which can) without changing
    /// the file's size, so the file still ends where its last write does; FLAC reserves nothing.
    @Test func reserveTakesBlocksButNotSize() throws {
        let frames = 100_000, channels = 2
        let path = directory.path("reserved.wav")
        let writer = try AudioFileWriter(
            path: path, format: AudioFormat(container: .wav, sampleFormat: .pcm24), channels: channels, sampleRate: 48000)
        let header = try Self.stat(path).size
        try writer.reserve(frames: frames)
        let reserved = try Self.stat(path)
        #expect(reserved.size == header, "the size must not change")
        if ["ext4", "tmpfs", "xfs"].contains(Self.fileSystemType(of: path)) {
            #expect(reserved.blocks * 512 >= frames * channels * 3, "\(reserved.blocks) blocks")
        }
        let samples = [Float](repeating: 0.25, count: 1000 * channels)
        try samples.withUnsafeBufferPointer { try writer.write(from: $0.baseAddress!, frames: 1000) }
        try writer.finish()
        #expect(try Self.stat(path).size == header + 1000 * channels * 3)
        #expect(try AudioFileReader(path: path).info.frames == 1000)

        let flac = directory.path("reserved.flac")
        let compressed = try AudioFileWriter(
            path: flac, format: AudioFormat(container: .flac, sampleFormat: .pcm16), channels: 1, sampleRate: 48000)
        try compressed.reserve(frames: 10_000_000)
        #expect(try Self.stat(flac).blocks * 512 < 1 << 20, "FLAC's size is not known ahead: nothing reserved")
        try samples.withUnsafeBufferPointer { try compressed.write(from: $0.baseAddress!, frames: 1000) }
        try compressed.finish()
    }

    /// Size and 512-byte blocks allocated.
    static func stat(_ path: String) throws -> (size: Int, blocks: Int) {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else { throw CocoaError(.fileReadNoSuchFile) }
        return (Int(st.st_size), Int(st.st_blocks))
    }

    /// The type of the file system holding `path`, from the longest mount point that prefixes it.
    static func fileSystemType(of path: String) -> String? {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        var best: (point: String, type: String)?
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 2 else { continue }
            let point = fields[1], type = fields[2]
            guard point == "/" || path.hasPrefix(point + "/") else { continue }
            if best == nil || point.count > best!.point.count { best = (point, type) }
        }
        return best?.type
    }

    @Test("integer formats clip out-of-range samples to full scale and count them", arguments: [
        AudioFormat(container: .wav, sampleFormat: .pcm16), AudioFormat(container: .flac, sampleFormat: .pcm16),
        AudioFormat(container: .aiff, sampleFormat: .pcm24), AudioFormat(container: .caf, sampleFormat: .pcm32),
    ])
    func clipping(format: AudioFormat) throws {
        let path = directory.path("clip.\(format.container.rawValue)")
        let writer = try AudioFixture.write(interleaved: Self.outOfRange, to: path, format: format, channels: 1)
        // 1.5, -2.0, 1.0001 and -7 clip; exactly ±1.0 does not.
        #expect(writer.clippedSamples == 4)
        let back = try TestAudio.read(AudioFileReader(path: path), blockFrames: 3)
        try #require(back.count == Self.outOfRange.count)
        // Full scale, not wrapped: positive overs read as the largest positive code, negative as -1.
        for i in [0, 3, 6] { #expect(back[i] > 0.999_9, "sample \(i) = \(back[i])") }
        for i in [1, 4, 7] { #expect(back[i] == -1, "sample \(i) = \(back[i])") }
        #expect(abs(back[2] - 0.5) < 1e-4 && abs(back[5] - 0.25) < 1e-4)
    }

    @Test("integer formats round to the nearest step, not towards minus infinity as libsndfile would", arguments: [
        (SampleFormat.pcm16, Float(0x1p15)), (.pcm24, Float(0x1p23)),
    ])
    func roundsToNearestStep(sampleFormat: SampleFormat, steps: Float) throws {
        let path = directory.path("round.wav")
        let offsets: [Float] = [1.4, -0.6, 0.6, -1.4, 2.49, -2.51, 1000.0, -1000.0]
        let samples = offsets.map { $0 / steps }
        _ = try AudioFixture.write(
            interleaved: samples, to: path, format: AudioFormat(container: .wav, sampleFormat: sampleFormat), channels: 1)
        let back = try TestAudio.read(AudioFileReader(path: path), blockFrames: 8).map { $0 * steps }
        #expect(back == [1, -1, 1, -1, 2, -3, 1000, -1000])
    }

    @Test("integer output turns NaN into 0, never full scale; infinities clip; all count as clipped", arguments: [
        SampleFormat.pcm16, .pcm24, .pcm32,
    ])
    func nonFiniteNeverFullScale(sampleFormat: SampleFormat) throws {
        let path = directory.path("nonfinite.wav")
        let samples: [Float] = [.nan, 0.5, .infinity, -.infinity, -.nan, 0.25]
        let writer = try AudioFixture.write(interleaved: 
            samples, to: path, format: AudioFormat(container: .wav, sampleFormat: sampleFormat), channels: 2)
        #expect(writer.clippedPerChannel == [3, 1], "NaN, −NaN and ±∞ are counted")
        let back = try TestAudio.read(AudioFileReader(path: path), blockFrames: 3)
        #expect(back[0] == 0 && back[4] == 0, "NaN reads back as silence: \(back)")
        #expect(back[2] > 0.999 && back[3] == -1 && back[1] == 0.5 && back[5] == 0.25, "\(back)")
    }

    @Test("float formats keep out-of-range samples and count nothing", arguments: [SampleFormat.float, .double])
    func floatKeepsOvers(sampleFormat: SampleFormat) throws {
        let path = directory.path("over.wav")
        let writer = try AudioFixture.write(interleaved: 
            Self.outOfRange, to: path, format: AudioFormat(container: .wav, sampleFormat: sampleFormat), channels: 2)
        #expect(writer.clippedSamples == 0)
        #expect(writer.framesWritten == Self.outOfRange.count / 2)
        #expect(try TestAudio.read(AudioFileReader(path: path), blockFrames: 3) == Self.outOfRange)
    }

    @Test("float WAV and AIFF carry no PEAK chunk, so the same samples give the same bytes", arguments: [
        AudioContainer.wav, .aiff,
    ])
    func floatHasNoPeakChunk(container: AudioContainer) throws {
        let format = AudioFormat(container: container, sampleFormat: .float)
        let samples = TestAudio.interleaved(frames: 1000, channels: 2)
        var files: [Data] = []
        for name in ["a", "b"] {
            let path = directory.path("\(name).\(container.rawValue)")
            _ = try AudioFixture.write(interleaved: samples, to: path, format: format, channels: 2)
            // libsndfile stamps the PEAK chunk with the time: a second apart, two writes would differ.
            if name == "a" { Thread.sleep(forTimeInterval: 1.05) }
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(try TestAudio.read(AudioFileReader(path: path), blockFrames: 333) == samples)
        }
        #expect(files[0].range(of: Data("PEAK".utf8)) == nil)
        #expect(files[0] == files[1])
    }

    @Test("FLAC with float samples is .unsupported and creates no file")
    func flacFloat() {
        let path = directory.path("x.flac")
        let error = #expect(throws: AudioError.self) {
            try AudioFileWriter(path: path, format: AudioFormat(container: .flac, sampleFormat: .float),
                                channels: 2, sampleRate: 48_000)
        }
        #expect(error?.kind == .unsupported)
        #expect(error?.message == "flac cannot hold float samples; choose one of pcm16, pcm24, or another container")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a channel count the container cannot hold is .unsupported")
    func tooManyChannels() {
        let error = #expect(throws: AudioError.self) {
            try AudioFileWriter(path: self.directory.path("nine.flac"),
                                format: AudioFormat(container: .flac, sampleFormat: .pcm16), channels: 9, sampleRate: 48_000)
        }
        #expect(error?.kind == .unsupported)
        #expect(error?.message.contains("9 channels") == true)
    }

    @Test("a path in a missing directory is .cannotCreate")
    func missingDirectory() {
        let path = directory.path("no/such/dir/out.wav")
        let error = #expect(throws: AudioError.self) {
            try AudioFileWriter(path: path, format: AudioFormat(container: .wav, sampleFormat: .pcm16),
                                channels: 1, sampleRate: 48_000)
        }
        #expect(error?.kind == .cannotCreate)
        #expect(error?.description.hasPrefix(path + ": cannot be created (No such file or directory); ") == true)
    }

    @Test("finish is idempotent, and an empty file is valid")
    func finishTwice() throws {
        let path = directory.path("empty.caf")
        let writer = try AudioFileWriter(path: path, format: AudioFormat(container: .caf, sampleFormat: .pcm24),
                                         channels: 2, sampleRate: 96_000)
        try writer.finish()
        try writer.finish()
        let reader = try AudioFileReader(path: path)
        #expect(reader.info.frames == 0 && reader.info.channels == 2 && reader.info.sampleRate == 96_000)
    }

    /// libsndfile's sf_close drops the errors of the writes it makes itself (FLAC's last blocks, the final
    /// header), so finish checks the frame count by reading the file back. Here every write fits under the
    /// limit but the encoder's final flush does not.
    @Test("a failure in the final flush inside finish is .ioError")
    func shortFinish() throws {
        // The file size limit is the process's (see shortWrite): alone, in a runner of its own.
        if let failure = try AloneRun.rerun("AudioFileWriterTests/shortFinish") {
            #expect(failure.isEmpty, "alone: \(failure)")
            return
        }
        let format = AudioFormat(container: .flac, sampleFormat: .pcm16)
        let block = TestAudio.interleaved(frames: 40_000, channels: 2, seed: 11)
        func writeAll(_ path: String) throws -> AudioFileWriter {
            let writer = try AudioFileWriter(path: path, format: format, channels: 2, sampleRate: 48_000)
            for _ in 0..<3 { try block.withUnsafeBufferPointer { try writer.write(from: $0.baseAddress!, frames: 40_000) } }
            return writer
        }
        let complete = directory.path("complete.flac")
        try writeAll(complete).finish()
        let size = try #require(FileManager.default.attributesOfItem(atPath: complete)[.size] as? Int)

        let writer = try withFileSizeLimit(rlim_t(size - 50)) { try writeAll(directory.path("cut.flac")) }
        let error = try withFileSizeLimit(rlim_t(size - 50)) {
            #expect(throws: AudioError.self) { try writer.finish() }
        }
        #expect(error?.kind == .ioError)
        #expect(error?.message.hasPrefix("is incomplete: it reads back with ") == true, "\(error?.message ?? "")")
    }

    /// Simulates a full disk: RLIMIT_FSIZE makes write(2) fail with EFBIG once the file reaches the limit
    /// (SIGXFSZ is ignored so the process is not killed instead). Both are restored before returning.
    @Test("a write that hits a file size limit is .ioError, and so is finish", arguments: [
        AudioFormat(container: .wav, sampleFormat: .pcm16), AudioFormat(container: .flac, sampleFormat: .pcm24),
    ])
    func shortWrite(format: AudioFormat) throws {
        // The limit and SIGXFSZ's disposition are the process's: in a parallel run they reached the
        // tests beside this one and the children they spawned (a crash test's firpipe failed with
        // "File too large"). So the test runs alone, in a test runner of its own.
        if let failure = try AloneRun.rerun("AudioFileWriterTests/shortWrite") {
            #expect(failure.isEmpty, "alone: \(failure)")
            return
        }
        let path = directory.path("full.\(format.container.rawValue)")
        let writer = try AudioFileWriter(path: path, format: format, channels: 2, sampleRate: 48_000)
        // Noise, so FLAC cannot compress it below the limit: 2 channels × 400,000 frames ≥ 2.4 MB.
        let block = TestAudio.interleaved(frames: 40_000, channels: 2, seed: 11)
        let error = try withFileSizeLimit(1 << 20) {
            #expect(throws: AudioError.self) {
                for _ in 0..<10 { try block.withUnsafeBufferPointer { try writer.write(from: $0.baseAddress!, frames: 40_000) } }
            }
        }
        #expect(error?.kind == .ioError)
        #expect(error?.path == path)
        #expect(error?.message.contains("File too large") == true, "\(error?.message ?? "")")
        #expect(writer.framesWritten < 400_000)
        let again = #expect(throws: AudioError.self) { try writer.finish() }
        #expect(again?.kind == .ioError)
    }

    /// Runs `body` with the soft file size limit at `limit` bytes and SIGXFSZ ignored (so that write(2)
    /// fails with EFBIG instead of the signal killing the process), restoring both afterwards.
    private func withFileSizeLimit<R>(_ limit: rlim_t, _ body: () throws -> R) throws -> R {
        let resource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
        var saved = rlimit()
        guard getrlimit(resource, &saved) == 0 else { throw POSIXError(.EPERM) }
        let savedHandler = signal(SIGXFSZ, SIG_IGN)
        defer { signal(SIGXFSZ, savedHandler) }
        var lowered = saved
        lowered.rlim_cur = min(limit, saved.rlim_max)
        guard setrlimit(resource, &lowered) == 0 else { throw POSIXError(.EPERM) }
        defer { setrlimit(resource, &saved) }
        return try body()
    }
}
