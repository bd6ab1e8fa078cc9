import Dispatch
import FirAudio
import FirCore

extension StreamEngine {
    /// The reader thread: opens the input, fills blocks of whole frames, and ends the stream at end of
    /// input, on `stopIntake()` (after taking what is already in the pipe), or on a failure.
    func runReader() {
        if let capture {
            runDeviceReader(capture)
            return
        }
        defer { toFilter.push(.end) }
        let input: StreamDescriptor
        do throws(JobError) {
            input = try StreamDescriptor.openInput(settings.input)
        } catch {
            fail(error)
            return
        }
        defer { input.close() }
        let frameBytes = codec.bytesPerFrame, blockBytes = blockSize * frameBytes
        var total = 0
        var drain = DrainBudget()
        do throws(JobError) {
            while !failure.hasFailed {
                let block = takeFreeBlock()
                let (bytes, atEnd) = try fill(block.bytes, count: blockBytes, from: input, drain: &drain)
                let frames = bytes / frameBytes
                if frames > 0 {
                    guard pass(block, frames: frames, total: &total) else { break }
                } else {
                    free.push(block)
                }
                counters.recordCPU(.reader)
                if atEnd {
                    let partial = bytes % frameBytes
                    if partial != 0 {
                        logger.warning(
                            "\(input.name): input ended in the middle of a frame; \(partial) byte\(partial == 1 ? "" : "s") dropped")
                    }
                    break
                }
            }
        } catch {
            fail(error)
        }
        let why = failure.hasFailed ? "the stream failed"
            : stopping.load(ordering: .acquiring) ? "intake stopped" : "end of input"
        logger.info("stream input closed (\(why)) after \(total) frames")
    }

    /// Decodes a block holding `frames` frames of input (the rest zeroed: the last block's padding is
    /// silence), screens it, and passes it to the filter. Returns false when the stream must end here
    /// (the block is then recycled). Reader thread.
    func pass(_ block: StreamBlock, frames: Int, total: inout Int) -> Bool {
        let frameBytes = codec.bytesPerFrame
        if frames < blockSize {
            (block.bytes + frames * frameBytes).initializeMemory(
                as: UInt8.self, repeating: 0, count: (blockSize - frames) * frameBytes)
        }
        codec.decode(block.bytes, frames: blockSize, into: block.planar.pointer, stride: blockSize)
        guard screen(block, frames: frames, firstFrame: total) else {
            free.push(block)
            return false
        }
        block.frames = frames
        total += frames
        toFilter.push(.block(block))
        return true
    }

    /// Applies the non-finite rule to a decoded block (``NonFiniteGuard``): returns false when the
    /// stream must end here (the default rule), having failed it with one error naming the input, channel
    /// and frame. With `non_finite: zero` the first silenced sample is logged once; later ones are only
    /// counted, so a broken producer cannot flood the log.
    private func screen(_ block: StreamBlock, frames: Int, firstFrame: Int) -> Bool {
        let found = nonFinite.screen(
            planar: block.planar.pointer, stride: blockSize, frames: frames, channels: codec.channels,
            firstFrame: firstFrame)
        switch found {
        case .clean, .silenced(first: nil):
            return true
        case .silenced(first: let location?):
            let line = "\(inputName): channel \(location.channel), frame \(location.frame) is "
                + "\(NonFiniteScan.describe(location.value)); replaced by silence (non_finite: zero), as every later "
                + "one will be: counted in non_finite_samples"
            logger.warning("\(line)")
            return true
        case .refused(let location):
            fail(.nonFinite(location, in: inputName, howToZero: "set non_finite: zero in the config"))
            return false
        }
    }

    /// The stream's input as messages name it.
    private var inputName: String {
        if let capture { return "capture device '\(capture.name)'" }
        return settings.input == "-" ? "the stream's standard input" : "stream input \(settings.input)"
    }

    /// A block to fill. Waiting for one is normal with bursty input; waiting longer than a block lasts
    /// means filtering or writing fell behind real time, counted as an overrun (the producer's data
    /// waits in the pipe; none is lost).
    private func takeFreeBlock() -> StreamBlock {
        if free.count > 0 { return free.pop() }
        let start = DispatchTime.now().uptimeNanoseconds
        let block = free.pop()
        let waited = DispatchTime.now().uptimeNanoseconds - start
        if waited > UInt64(blockSize) * 1_000_000_000 / UInt64(settings.sampleRate) {
            counters.overruns.add(1, ordering: .relaxed)
        }
        return block
    }

    /// Reads until `count` bytes, end of input, or (once intake stops) the end of what was waiting
    /// when it stopped. Returns the bytes read and whether the stream ends after them.
    private func fill(
        _ buffer: UnsafeMutableRawPointer, count: Int, from input: StreamDescriptor, drain: inout DrainBudget
    ) throws(JobError) -> (Int, Bool) {
        var have = 0
        while have < count {
            if failure.hasFailed { return (have, true) }
            if stopping.load(ordering: .acquiring) {
                // What the producer had sent when intake stopped is taken, and no more: a producer
                // faster than real time must not keep the drain going.
                let left = drain.remaining(input)
                if left == 0 { return (have, true) }
                let n = try input.read(into: buffer + have, count: min(count - have, left))
                if n == 0 { return (have, true) }
                drain.consumed(n)
                have += n
                continue
            }
            // Wakes at least every second so the watchdog's heartbeat moves while the input is idle.
            guard try input.waitReadable(orWake: wake.descriptor, timeout: .seconds(1)) else {
                heartbeat.add(1, ordering: .relaxed)
                continue
            }
            let n = try input.read(into: buffer + have, count: count - have)
            if n == 0 { return (have, true) }
            have += n
        }
        return (have, false)
    }
}

/// The bytes the reader may still take after intake stopped: those waiting in the pipe at that
/// moment. A regular file has nothing "waiting": reading it stops at once.
struct DrainBudget {
    private var left: Int?

    mutating func remaining(_ input: StreamDescriptor) -> Int {
        if let left { return left }
        let waiting = input.isRegularFile ? 0 : input.bytesWaiting
        left = waiting
        return waiting
    }

    mutating func consumed(_ n: Int) {
        left = max(0, (left ?? 0) - n)
    }
}
