import FirAudio
internal import Foundation

extension StreamEngine {
    /// The reader thread: opens the input, fills blocks of whole frames, and ends the stream at end of
    /// input, on `stopIntake()` (after taking what is already in the pipe), or on a failure.
    func runReader() {
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
        var index = 0, total = 0
        do throws(JobError) {
            while !failed.load(ordering: .acquiring) {
                if free.count == 0 { counters.overruns.add(1, ordering: .relaxed) }
                let block = free.pop()
                let (bytes, atEnd) = try fill(block.bytes, count: blockBytes, from: input)
                let frames = bytes / frameBytes
                if frames > 0 {
                    if frames < blockSize {
                        // Zero the rest so the last block's padding is silence.
                        (block.bytes + frames * frameBytes).initializeMemory(
                            as: UInt8.self, repeating: 0, count: blockBytes - frames * frameBytes)
                    }
                    codec.decode(block.bytes, frames: blockSize, into: block.planar.pointer, stride: blockSize)
                    block.frames = frames
                    block.index = index
                    index += 1
                    total += frames
                    toFilter.push(.block(block))
                } else {
                    free.push(block)
                }
                counters.recordCPU(.reader)
                if atEnd {
                    if bytes % frameBytes != 0 {
                        logger.warning(
                            "\(input.name): input ended in the middle of a frame; \(bytes % frameBytes) bytes dropped")
                    }
                    break
                }
            }
        } catch {
            fail(error)
        }
        let why = stopping.load(ordering: .acquiring) ? "intake stopped" : "end of input"
        logger.info("stream input closed (\(why)) after \(total) frames")
    }

    /// Reads until `count` bytes, end of input, or (once intake stops) no more input waiting.
    /// Returns the bytes read and whether the stream ends after them.
    private func fill(
        _ buffer: UnsafeMutableRawPointer, count: Int, from input: StreamDescriptor
    ) throws(JobError) -> (Int, Bool) {
        var have = 0
        while have < count {
            if failed.load(ordering: .acquiring) { return (have, true) }
            // While running, wait as long as it takes; once stopping, take only what is already there.
            let draining = stopping.load(ordering: .acquiring)
            let readable = try input.waitReadable(orWake: wake.read, timeout: draining ? 0 : -1)
            if !readable {
                if draining { return (have, true) }
                continue  // woken by stopIntake(): look again without blocking
            }
            let n = try input.read(into: buffer + have, count: count - have)
            if n == 0 { return (have, true) }
            have += n
        }
        return (have, false)
    }
}
