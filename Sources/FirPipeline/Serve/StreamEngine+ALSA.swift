import FirAudio
internal import Glibc

extension StreamEngine {
    /// The reader thread on an ALSA capture device: one period (one block) per read, the device's clock
    /// pacing the stream. An overrun (the stream fell behind the card) is recovered and counted, and
    /// the block goes on from where it was (unless intake has stopped: it ends there); a device that
    /// fails is reopened with back-off, the missing audio becoming silence. When intake stops, what the
    /// device already holds is taken, up to one block, and no more (a device without a clock, like
    /// alsa-lib's null, always says it holds more).
    func runDeviceReader(_ device: StreamDevice) {
        defer { toFilter.push(.end) }
        let frameBytes = codec.bytesPerFrame
        var total = 0
        var loggedOverrun = false
        while !failure.hasFailed {
            let stopping = self.stopping.load(ordering: .acquiring)
            guard let pcm = device.pcm else {
                if stopping { break }
                awaitReopen(device)
                continue
            }
            let wanted = stopping ? min(blockSize, pcm.available) : blockSize
            if wanted == 0 { break }
            // No free block means the filter or writer is behind: the card's buffer fills meanwhile,
            // and its overrun is what gets counted.
            let block = free.pop()
            var have = 0, cutShort = false
            read: while have < wanted {
                switch pcm.read(into: block.bytes + have * frameBytes, frames: wanted - have) {
                case .done:
                    have = wanted
                case .xrun(let frames):
                    have += frames
                    counters.deviceOverruns.add(1, ordering: .relaxed)
                    if !loggedOverrun {
                        loggedOverrun = true
                        logger.warning("capture device '\(device.name)' overran (the stream fell behind it); recovered, the audio has a gap; later ones are only counted (overruns)")
                    }
                    // Intake stopped meanwhile: the block ends here. A device that overruns on every read
                    // would otherwise hold the reader, and the shutdown, in this loop.
                    if self.stopping.load(ordering: .acquiring) {
                        cutShort = true
                        break read
                    }
                case .failed(let frames, let code):
                    have += frames
                    logger.error("\(device.lose(code: code))")
                    break read
                }
            }
            let ending = stopping || cutShort
            if ending && have == 0 {
                free.push(block)
                break
            }
            // A lost device's part of the block is silence: the stream keeps its timing.
            if !ending && have < wanted {
                (block.bytes + have * frameBytes).initializeMemory(
                    as: UInt8.self, repeating: 0, count: (wanted - have) * frameBytes)
            }
            guard pass(block, frames: ending ? have : wanted, total: &total) else { break }
            counters.recordCPU(.reader)
            heartbeat.add(1, ordering: .relaxed)
            if ending { break }
        }
        let why = failure.hasFailed ? "the stream failed" : "intake stopped"
        logger.info("stream input closed (\(why)) after \(total) frames")
    }

    /// Waits out the device's back-off (woken early when intake stops) and tries to reopen it. The
    /// heartbeat moves: a daemon waiting for an unplugged card is not wedged, and a restart would not
    /// bring the card back.
    private func awaitReopen(_ device: StreamDevice) {
        let wait = device.secondsToNextAttempt
        if wait > 0 {
            var fds = [pollfd(fd: wake.descriptor, events: Int16(POLLIN), revents: 0)]
            _ = try? Poll.wait(&fds, until: .now.advanced(by: .milliseconds(Int(wait * 1000) + 1))) {
                JobError(.ioError, errnoText($0))
            }
        }
        heartbeat.add(1, ordering: .relaxed)
        if !stopping.load(ordering: .acquiring), let line = device.reopen() { logger.notice("\(line)") }
    }

    /// The writer thread on an ALSA playback device. Before the first block, and again after each
    /// underrun, the device's buffer is filled with silence to `periods` blocks, so the stream's latency
    /// stays `periods` blocks and a block has a whole period more than it needs to get through the
    /// filter. While the device is lost, blocks are dropped (so a capture device feeding it keeps its
    /// timing) and it is reopened with back-off. At the end, what is queued is played out.
    func runDeviceWriter(_ device: StreamDevice) {
        let frameBytes = outputCodec.bytesPerFrame
        let silence = UnsafeMutableRawPointer.allocate(byteCount: blockSize * frameBytes, alignment: 64)
        defer { silence.deallocate() }
        silence.initializeMemory(as: UInt8.self, repeating: 0, count: blockSize * frameBytes)
        // Blocks of silence to write before the next block: the whole buffer at first.
        var primed = primingBlocks
        var loggedUnderrun = false
        while case .block(let block) = toWrite.pop() {
            defer {
                free.push(block)
                counters.recordCPU(.writer)
            }
            if failure.hasFailed { continue }
            if device.pcm == nil, let line = device.reopen() {
                logger.notice("\(line)")
                primed = primingBlocks
            }
            guard let pcm = device.pcm else { continue }
            var have = 0, silenceLeft = primed
            primed = 0
            write: while silenceLeft > 0 || have < block.frames {
                let fromSilence = silenceLeft > 0
                let outcome = fromSilence
                    ? pcm.write(silence, frames: blockSize)
                    : pcm.write(block.bytes + have * frameBytes, frames: block.frames - have)
                switch outcome {
                case .done:
                    if fromSilence { silenceLeft -= 1 } else { have = block.frames }
                case .xrun(let frames):
                    if !fromSilence { have += frames }
                    counters.deviceUnderruns.add(1, ordering: .relaxed)
                    if !loggedUnderrun {
                        loggedUnderrun = true
                        logger.warning("playback device '\(device.name)' underran (the stream fell behind it); recovered, refilled with silence; later ones are only counted (underruns)")
                    }
                    // The buffer is empty: refill it, as at the start, before the rest of this block.
                    silenceLeft = primingBlocks - 1
                case .failed(_, let code):
                    logger.error("\(device.lose(code: code))")
                    break write
                }
            }
        }
        if let pcm = device.pcm, !failure.hasFailed { pcm.drain() }
    }
}
