import FirAudio

extension StreamEngine {
    /// The writer thread: opens the output, writes one block of silence (the latency), then each
    /// block's frames as they come, and flushes and closes at the end of the stream. After a failure it
    /// keeps recycling blocks, without writing, so the other stages can finish.
    func runWriter() {
        defer { finish() }
        if let playback {
            runDeviceWriter(playback)
            return
        }
        var output: StreamDescriptor?
        do throws(JobError) {
            guard let opened = try StreamDescriptor.openOutput(
                settings.output, stopped: { stopping.load(ordering: .acquiring) })
            else {
                logger.warning("\(settings.output): no reader opened the output pipe before the stream stopped; nothing written")
                drainWithoutWriting()
                return
            }
            output = opened
            let bytes = blockSize * outputCodec.bytesPerFrame
            let silence = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
            defer { silence.deallocate() }
            silence.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            try opened.writeAll(silence, count: bytes)
        } catch {
            fail(error)
        }
        while true {
            guard case .block(let block) = toWrite.pop() else { break }
            if let out = output, !failure.hasFailed {
                do throws(JobError) {
                    try out.writeAll(block.bytes, count: block.frames * outputCodec.bytesPerFrame)
                } catch {
                    fail(error)
                }
            }
            free.push(block)
            counters.recordCPU(.writer)
        }
        output?.close()
    }

    /// Recycles blocks until the end of the stream without writing them.
    func drainWithoutWriting() {
        while case .block(let block) = toWrite.pop() { free.push(block) }
    }
}
