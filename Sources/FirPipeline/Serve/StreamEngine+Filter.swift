import FirAudio
import FirCore
import Dispatch

/// The filter thread's own state: the convolver in use and, during a crossfade, the one going out.
final class FilterState: @unchecked Sendable {
    var convolver: StreamGraph
    var outgoing: StreamGraph?
    /// Dither before integer output: channel by channel within a block, so a seed gives the same
    /// output for the same input.
    var dither: TPDFDither?
    /// The look-ahead peak limiter, primed with silence so each block gives out as many frames as it
    /// takes (its look-ahead later); the interleaved frames it works on.
    private(set) var limiter: PeakLimiter?
    private var limiterFrames: UnsafeMutablePointer<Float>?
    var ramp: [Float] = []
    /// A convolver (and ramp) a kernel change left behind, until the thread that frees it takes it.
    var retiring: RetiredFilter?
    /// Frames of the crossfade done so far.
    var fadePosition = 0
    /// The outgoing convolver's output for the current block, planar.
    let scratch: AlignedFloats
    /// This block's clipped samples by output channel, before they are added to the counters.
    let clipped: UnsafeMutablePointer<Int>
    /// Underruns and worker CPU of convolvers already retired, so the counters never go backwards.
    var retiredUnderruns = 0
    var retiredWorkerCPU: UInt64 = 0

    /// - Parameter channels: the output's.
    /// - Throws: ``ResourceError`` when the memory is refused.
    init(convolver: StreamGraph, blockSize: Int, channels: Int) throws(ResourceError) {
        self.convolver = convolver
        scratch = try AlignedFloats(count: blockSize * channels)
        clipped = .allocate(capacity: channels)
        clipped.initialize(repeating: 0, count: channels)
    }

    deinit {
        clipped.deallocate()
        limiterFrames?.deallocate()
    }

    /// Keeps a retired convolver's counts, so the counters never go backwards, and holds it for
    /// ``StreamEngine/takeRetired()``. The filter's thread.
    func retire(_ retired: RetiredFilter) {
        if let convolver = retired.convolver {
            retiredUnderruns += convolver.underruns
            retiredWorkerCPU &+= convolver.workerCPUNanoseconds
        }
        retiring = retired
    }

    /// Sets up the limiter (the engine's set-up thread, before the stream starts).
    func startLimiter(ceilingDB: Double, sampleRate: Int, channels: Int, blockSize: Int) {
        let limiter = PeakLimiter.output(channels: channels, ceilingDB: ceilingDB, sampleRate: sampleRate)
        let count = Swift.max(blockSize, limiter.latency) * channels
        let frames = UnsafeMutablePointer<Float>.allocate(capacity: count)
        frames.initialize(repeating: 0, count: count)
        let given = limiter.process(frames, frames: limiter.latency)
        precondition(given == 0, "a limiter holds its look-ahead")
        self.limiter = limiter
        limiterFrames = frames
    }

    /// Limits the first `frames` frames of `planar` (runs of `blockSize`) in place. Filter thread.
    func limit(_ planar: UnsafeMutablePointer<Float>, frames: Int, blockSize: Int, channels: Int) {
        guard let limiter, let buffer = limiterFrames else { return }
        StridedCopy.interleave(planar, runStride: blockSize, channels: channels, frames: 0..<frames, into: buffer)
        let n = limiter.process(buffer, frames: frames)
        StridedCopy.deinterleave(buffer, channels: channels, first: 0, step: 1, frames: n, into: planar, runStride: blockSize)
    }

    /// The frames the limiter still holds, up to `blockSize` of them, into `planar`; 0 when none are
    /// left. Filter thread, at the end of the stream.
    func flushLimiter(into planar: UnsafeMutablePointer<Float>, blockSize: Int, channels: Int) -> Int {
        guard let limiter, let buffer = limiterFrames else { return 0 }
        let n = limiter.flush(into: buffer, frames: blockSize)
        StridedCopy.deinterleave(buffer, channels: channels, first: 0, step: 1, frames: n, into: planar, runStride: blockSize)
        return n
    }
}

extension StreamEngine {
    /// The filter thread: convolves each block in place, crossfades during a kernel change, encodes the
    /// output over the block's input bytes, and passes the block to the writer.
    func runFilter() {
        while true {
            guard case .block(let block) = toFilter.pop() else { break }
            if failure.hasFailed {
                toWrite.push(.block(block))
                continue
            }
            filterStep(block.planar.pointer, frames: block.frames)
            encode(block)
            counters.recordCPU(.filter)
            toWrite.push(.block(block))
            if let retired = takeRetired() {
                // Once a reload, so the closure Dispatch allocates here is not a per-block cost.
                DispatchQueue.global(qos: .utility).async { retired.release() }
            }
        }
        filter.outgoing?.shutdown()
        filter.convolver.shutdown()
        flushLimiter()
        toWrite.push(.end)
    }

    /// One block through the filter, in place in `samples` (planar runs of `blockSize`, the input's
    /// channels in, the output's out): takes a pending kernel change at this boundary, convolves,
    /// crossfades, limits and counts. No allocation, log, or lock that can wait (a pending change is
    /// taken only when its lock is free): the pipe's filter thread and JACK's process callback both
    /// call it. What it retires waits in ``FilterState/retiring`` for ``takeRetired()``.
    func filterStep(_ samples: UnsafeMutablePointer<Float>, frames: Int) {
        // A change waits until the one fading in has finished (cutting a fade short would jump) and
        // the last one retired has been handed off the audio thread.
        let state = filter
        if state.outgoing == nil && state.retiring == nil && swapWaiting.load(ordering: .acquiring) {
            takeSwap()
        }
        if let outgoing = state.outgoing {
            outgoing.process(samples, state.scratch.pointer)
            state.convolver.process(samples, samples)
            mix(state, into: samples)
            if state.fadePosition >= state.ramp.count && state.retiring == nil {
                state.retire(RetiredFilter(convolver: outgoing, ramp: []))
                state.outgoing = nil
            }
        } else {
            state.convolver.process(samples, samples)
        }
        state.limit(samples, frames: frames, blockSize: blockSize, channels: outputChannels)
        counters.blocks.add(1, ordering: .relaxed)
        counters.frames.add(frames, ordering: .relaxed)
        counters.underruns.store(
            state.retiredUnderruns + state.convolver.underruns + (state.outgoing?.underruns ?? 0)
                + counters.xruns.load(ordering: .relaxed),
            ordering: .relaxed)
        counters.levelsCPU.store(
            state.retiredWorkerCPU &+ state.convolver.workerCPUNanoseconds
                &+ (state.outgoing?.workerCPUNanoseconds ?? 0),
            ordering: .relaxed)
        heartbeat.add(1, ordering: .relaxed)
    }

    /// What the last step retired, taken off the filter's hands, or nil. The
    /// filter's own thread (the JACK callback hands it on through ``JackDriver``).
    func takeRetired() -> RetiredFilter? {
        guard let retired = filter.retiring else { return nil }
        filter.retiring = nil
        return retired
    }

    /// The limiter's last frames, in blocks of their own, once the input has ended.
    private func flushLimiter() {
        guard filter.limiter != nil, !failure.hasFailed else { return }
        while true {
            let block = free.pop()
            let n = filter.flushLimiter(into: block.planar.pointer, blockSize: blockSize, channels: outputChannels)
            guard n > 0 else {
                free.push(block)
                return
            }
            block.frames = n
            encode(block)
            toWrite.push(.block(block))
        }
    }

    /// Dithers (for integer output) and encodes a block's output over its bytes, counting clips.
    private func encode(_ block: StreamBlock) {
        let state = filter, samples = block.planar.pointer
        if state.dither != nil {
            for c in 0..<outputChannels { state.dither?.apply(samples + c * blockSize, count: block.frames) }
        }
        let clipped = outputCodec.encode(
            samples, stride: blockSize, frames: block.frames, into: block.bytes, clippedPerChannel: state.clipped)
        if clipped > 0 {
            counters.clipped.add(clipped, ordering: .relaxed)
            for c in 0..<outputChannels where state.clipped[c] > 0 {
                counters.clippedPerChannel.add(state.clipped[c], to: c)
                state.clipped[c] = 0
            }
        }
    }

    /// Starts a pending kernel change at this block boundary (only called when no fade is running and
    /// nothing waits to be retired). The lock is only tried: a reload holding it makes the change wait
    /// for the next block instead of the audio thread.
    private func takeSwap() {
        swapWaiting.store(false, ordering: .releasing)
        guard let taken = pendingSwap.withLockIfAvailable({ pending -> KernelSwap? in
            defer { pending = nil }
            return pending
        }) else {
            swapWaiting.store(true, ordering: .releasing)
            return
        }
        guard let swap = taken else { return }
        let state = filter
        // The old ramp leaves with what is retired, so the audio thread frees nothing.
        state.retire(RetiredFilter(convolver: swap.ramp.isEmpty ? state.convolver : nil, ramp: state.ramp))
        if !swap.ramp.isEmpty {
            state.outgoing = state.convolver
            state.fadePosition = 0
        }
        state.ramp = swap.ramp
        state.convolver = swap.convolver
    }

    /// `out = scratch · (1 − w) + out · w`, w the ramp from the current fade position (1 past its end).
    private func mix(_ state: FilterState, into out: UnsafeMutablePointer<Float>) {
        let start = state.fadePosition, old = state.scratch.pointer
        state.ramp.withUnsafeBufferPointer { ramp in
            for c in 0..<outputChannels {
                let o = out + c * blockSize, s = old + c * blockSize
                for i in 0..<blockSize {
                    let t = start + i
                    let w: Float = t < ramp.count ? ramp[t] : 1
                    o[i] = s[i] * (1 - w) + o[i] * w
                }
            }
        }
        state.fadePosition += blockSize
    }
}

/// What a kernel change leaves behind: a convolver whose worker threads must be joined, and a ramp to
/// free; neither on the audio thread.
struct RetiredFilter: @unchecked Sendable {
    var convolver: StreamGraph?
    var ramp: [Float]

    /// Joins the convolver's workers. Any thread but the audio thread.
    func release() { convolver?.shutdown() }
}
