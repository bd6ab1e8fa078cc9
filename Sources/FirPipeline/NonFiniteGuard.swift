import FirCore
import Synchronization

/// Where a sample is: its channel and frame (both from 0, as everywhere in firpipe), and its value.
public struct SampleLocation: Sendable, Equatable {
    public var channel: Int
    public var frame: Int
    public var value: Float

    public static func == (a: Self, b: Self) -> Bool {
        a.channel == b.channel && a.frame == b.frame && a.value.bitPattern == b.value.bitPattern
    }
}

/// The one rule for NaN and infinite input samples, in files and streams alike (``NonFiniteMode``):
/// by default the first one stops the run; with `.zero` each becomes silence and is counted. Without
/// it, one NaN fed to the FFT convolution spoils a whole block and a kernel's length of output after.
///
/// The reader stage screens each block as it is read, before any convolver sees it: one vectorised
/// pass (``NonFiniteScan``), and more only in a block that holds a bad sample. No allocation, lock or
/// log per block; the counts are relaxed atomics, read by any thread. The mode is an atomic too, so a
/// stream's reload can change it between two blocks.
public final class NonFiniteGuard: Sendable {
    private let zeroing: Atomic<Bool>
    private let silenced = Atomic<Int>(0)
    /// The first silenced sample: frame −1 until there is one. Written once, by the reader stage.
    private let firstFrame = Atomic<Int>(-1)
    private let firstChannel = Atomic<Int>(0)
    private let firstBits = Atomic<UInt32>(0)

    /// What a block's screening found.
    enum Screening: Equatable {
        /// Every sample is finite.
        case clean
        /// Non-finite samples were replaced by silence; carries the first one when it is the run's first.
        case silenced(first: SampleLocation?)
        /// The mode is `.error`: the run must stop here. The block is left as it was.
        case refused(SampleLocation)
    }

    public init(mode: NonFiniteMode) {
        zeroing = Atomic(mode == .zero)
    }

    /// The rule in force. Set from any thread (a reload); the next block screened follows it.
    public var mode: NonFiniteMode {
        get { zeroing.load(ordering: .relaxed) ? .zero : .error }
        set { zeroing.store(newValue == .zero, ordering: .relaxed) }
    }

    /// Non-finite samples replaced by silence so far. Any thread.
    public var silencedSamples: Int { silenced.load(ordering: .relaxed) }

    /// The first sample replaced by silence, if any. Any thread.
    public var firstSilenced: SampleLocation? {
        let frame = firstFrame.load(ordering: .acquiring)
        guard frame >= 0 else { return nil }
        return SampleLocation(
            channel: firstChannel.load(ordering: .relaxed), frame: frame,
            value: Float(bitPattern: firstBits.load(ordering: .relaxed)))
    }

    /// Screens `frames` interleaved frames of `channels` channels whose first is frame `firstFrame` of
    /// the input. Reader stage.
    func screen(
        interleaved samples: UnsafeMutablePointer<Float>, frames: Int, channels: Int, firstFrame: Int
    ) -> Screening {
        let count = frames * channels
        guard let i = NonFiniteScan.firstIndex(samples, count: count) else { return .clean }
        let location = SampleLocation(channel: i % channels, frame: firstFrame + i / channels, value: samples[i])
        guard zeroing.load(ordering: .relaxed) else { return .refused(location) }
        return silence(count: NonFiniteScan.zero(samples + i, count: count - i), first: location)
    }

    /// Screens `frames` frames of `channels` planar runs (channel c at `c · stride`) whose first is
    /// frame `firstFrame` of the input; the location reported is the earliest frame's (the lowest
    /// channel's of a frame). Reader stage.
    func screen(
        planar samples: UnsafeMutablePointer<Float>, stride: Int, frames: Int, channels: Int, firstFrame: Int
    ) -> Screening {
        var earliest: SampleLocation?
        for c in 0..<channels {
            // Past the first channel only an earlier frame matters.
            let run = samples + c * stride, limit = earliest.map { $0.frame - firstFrame } ?? frames
            guard let i = NonFiniteScan.firstIndex(run, count: limit) else { continue }
            earliest = SampleLocation(channel: c, frame: firstFrame + i, value: run[i])
        }
        guard let location = earliest else { return .clean }
        guard zeroing.load(ordering: .relaxed) else { return .refused(location) }
        var count = 0
        for c in 0..<channels { count += NonFiniteScan.zero(samples + c * stride, count: frames) }
        return silence(count: count, first: location)
    }

    private func silence(count: Int, first location: SampleLocation) -> Screening {
        silenced.add(count, ordering: .relaxed)
        guard firstFrame.load(ordering: .relaxed) < 0 else { return .silenced(first: nil) }
        firstChannel.store(location.channel, ordering: .relaxed)
        firstBits.store(location.value.bitPattern, ordering: .relaxed)
        firstFrame.store(location.frame, ordering: .releasing)
        return .silenced(first: location)
    }
}

extension JobError {
    /// The error for the first non-finite sample of `source` (a file's path, or a stream's name): bad
    /// data, naming the channel, frame and value and the two ways out.
    static func nonFinite(_ location: SampleLocation, in source: String, howToZero: String) -> JobError {
        JobError(
            .badData,
            "\(source): channel \(location.channel), frame \(location.frame) is "
                + "\(NonFiniteScan.describe(location.value)), not a finite sample; fix what made it, or \(howToZero) to replace such samples with silence")
    }
}
