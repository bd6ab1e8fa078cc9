import FirCore
import Synchronization

/// What a running stream has done, counted by its stage threads with relaxed atomics (no lock, no
/// allocation) and read by the status reporter on any thread.
public final class StreamCounters: Sendable {
    /// The stream's stages, each on its own thread.
    public enum Stage: Int, CaseIterable, Sendable {
        case reader, filter, writer

        public var name: String {
            switch self {
            case .reader: "reader"
            case .filter: "convolver"
            case .writer: "writer"
            }
        }
    }

    /// Blocks filtered.
    public let blocks = Atomic<Int>(0)
    /// Frames of input filtered (per channel samples), padding excluded.
    public let frames = Atomic<Int>(0)
    /// Times the filter waited for a background partition level that was late: output is still exact,
    /// but a real-time consumer may have starved.
    public let underruns = Atomic<Int>(0)
    /// JACK's xruns (its xrun callback), also counted in ``underruns``.
    public let xruns = Atomic<Int>(0)
    /// Times the audio server went away under the stream (JACK shut down or killed).
    public let serverLosses = Atomic<Int>(0)
    /// Times the reader waited longer than a block's duration for a free block: filtering or writing fell
    /// behind real time. The input waits in its pipe meanwhile; nothing is dropped.
    public let overruns = Atomic<Int>(0)
    /// ALSA playback underruns: the card played out its buffer before the writer refilled it (the
    /// audio has a gap). ``underruns`` counts the filter's own; status and metrics show the sum.
    public let deviceUnderruns = Atomic<Int>(0)
    /// ALSA capture overruns: the card's buffer filled before the reader took it (input was lost).
    /// Status and metrics add these to ``overruns``.
    public let deviceOverruns = Atomic<Int>(0)
    /// Integer output samples clipped at full scale.
    public let clipped = Atomic<Int>(0)
    /// ``clipped`` by output channel.
    public let clippedPerChannel: ChannelCounts
    private let readerCPU = Atomic<UInt64>(0)
    private let filterCPU = Atomic<UInt64>(0)
    private let writerCPU = Atomic<UInt64>(0)
    /// CPU of the convolver's background workers, all levels together (including convolvers replaced
    /// by reloads), published by the filter thread after each block.
    public let levelsCPU = Atomic<UInt64>(0)

    /// - Parameter outputChannels: channels the stream writes.
    public init(outputChannels: Int = 1) {
        clippedPerChannel = ChannelCounts(count: outputChannels)
    }

    /// CPU time the stage's thread has used, in nanoseconds, as of its last block.
    public func cpuNanoseconds(_ stage: Stage) -> UInt64 {
        switch stage {
        case .reader: readerCPU.load(ordering: .relaxed)
        case .filter: filterCPU.load(ordering: .relaxed)
        case .writer: writerCPU.load(ordering: .relaxed)
        }
    }

    /// Sets a stage's CPU time measured by another thread (JACK's process thread, read by the driver).
    func recordCPU(_ stage: Stage, nanoseconds: UInt64) {
        switch stage {
        case .reader: readerCPU.store(nanoseconds, ordering: .relaxed)
        case .filter: filterCPU.store(nanoseconds, ordering: .relaxed)
        case .writer: writerCPU.store(nanoseconds, ordering: .relaxed)
        }
    }

    /// Called by a stage's own thread after each block.
    func recordCPU(_ stage: Stage) {
        let now = ThreadCPUClock.now()
        switch stage {
        case .reader: readerCPU.store(now, ordering: .relaxed)
        case .filter: filterCPU.store(now, ordering: .relaxed)
        case .writer: writerCPU.store(now, ordering: .relaxed)
        }
    }
}

/// One relaxed atomic counter per channel: written by the filter thread, read by the status reporter.
///
/// `@unchecked Sendable`: the counters are atomics, allocated in `init` and freed in `deinit`.
public final class ChannelCounts: @unchecked Sendable {
    public let count: Int
    private let slots: UnsafeMutablePointer<Atomic<Int>>

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        for c in 0..<count { (slots + c).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Adds `value` to channel `c`'s count. Any thread.
    func add(_ value: Int, to c: Int) { slots[c].add(value, ordering: .relaxed) }

    /// Every channel's count. Any thread.
    public var values: [Int] { (0..<count).map { slots[$0].load(ordering: .relaxed) } }
}
