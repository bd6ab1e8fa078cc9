import FirAudio
import FirCore

extension FileFilterJob {
    /// Runs the reader and one compute worker per channel group on their own threads and the writer on
    /// this one, until the end of the output window or the first failure. The reader hands each block to
    /// every worker and, in order, to the writer; workers run ahead independently (unless a mixing graph
    /// makes them meet within a block: ``MixingBank``), the last worker to finish a block signals its `filtered` semaphore, and the writer joins the
    /// channels (unless the workers left them joined: ``MixingBank/outputIsInterleaved``) and
    /// writes. Every stage keeps consuming until `.end` even after a failure, so no stage waits forever
    /// on a block that will not come back.
    ///
    /// With `threads` 1 everything runs on this thread instead, one block at a time (``streamOnOneThread``):
    /// one thread means one core's worth of work, not a compute thread beside a reader and a writer.
    func stream(
        reader: AudioFileReader, bank: MixingBank, window: OutputWindow, writer: OutputStage, threads: Int,
        progress: (@Sendable (Double) -> Void)?
    ) throws(JobError) {
        let b = bank.blockSize, channels = reader.info.channels, outputChannels = writer.writer.channels
        let state = self.state
        if threads == 1 {
            return try streamOnOneThread(reader: reader, bank: bank, window: window, writer: writer, progress: progress)
        }
        // Stretches need every worker's current stretch in flight at once; a short file needs no more
        // blocks than it has (each one zeroed and faulted in for nothing, 2 of W4's 2 s clips' 5).
        let poolSize = Swift.max(1, Swift.min(
            Swift.max(Self.poolSize(blockSize: b, channels: Swift.max(channels, outputChannels)), bank.blocksInFlight),
            (window.end + b - 1) / b))
        let pool = BoundedQueue<AudioBlock>(capacity: poolSize)
        let blocks: [AudioBlock]
        do throws(ResourceError) {
            blocks = try AudioBlock.pool(count: poolSize, capacity: b, channels: channels, outputChannels: outputChannels)
        } catch {
            throw JobError(error, path: spec.output, while: "allocating \(poolSize) audio blocks")
        }
        for block in blocks {
            pool.push(block)
            state.countBlock()
        }
        let workers = bank.workers, everyBlock = bank.needsEveryBlock
        let toCompute = (0..<workers).map { _ in BoundedQueue<StageMessage<AudioBlock>>(capacity: poolSize + 1) }
        let toWrite = BoundedQueue<StageMessage<AudioBlock>>(capacity: poolSize + 1)
        let inputPath = spec.input

        // Consumers before their producer: when the system refuses a thread, every stage already
        // running waits on a queue that only this thread feeds from then on, so an `.end` there lets
        // it finish, and the run fails with EX_OSERR instead of waiting forever.
        var running = 0
        do throws(ResourceError) {
            for worker in 0..<workers {
                let queue = toCompute[worker]
                try startThread("firpipe-work-\(worker)") {
                    while true {
                        guard case .block(let block) = queue.pop() else { return }
                        if everyBlock || !state.hasFailed { bank.process(block, worker: worker) }
                        block.workerFinished()
                    }
                }
                running += 1
            }
            // The reader stage is the only user of `reader` from here on.
            try startThread("firpipe-read") {
                var position = 0
                while position < window.end && !state.hasFailed {
                    let block = pool.pop()
                    self.fill(block, at: position, from: reader, window: window, inputPath: inputPath)
                    block.pending.store(workers, ordering: .releasing)
                    position += b
                    for queue in toCompute { queue.push(.block(block)) }
                    toWrite.push(.block(block))
                }
                for queue in toCompute { queue.push(.end) }
                toWrite.push(.end)
            }
        } catch {
            let refused = JobError(error, path: spec.output, while: "starting the job's stages")
            state.fail(refused)
            for queue in toCompute.prefix(running) { queue.push(.end) }
            throw state.error ?? refused
        }

        writing: while true {
            switch toWrite.pop() {
            case .end:
                break writing
            case .block(let block):
                block.filtered.wait()
                if !state.hasFailed {
                    writeKept(block, filteredBy: bank, to: writer)
                    progress?(Double(min(block.position + b, window.end)) / Double(max(window.end, 1)))
                }
                pool.push(block)
            }
        }
        if let error = state.error { throw error }
    }
}

extension FileFilterJob {
    /// Reads the block that starts at `position` into `block`: `block.frames` valid frames (short only
    /// at the end of the input), the rest of its capacity left for zero padding, and the kept range;
    /// with more than two channels, also split into the planar runs (``AudioBlock/splitChannelsIfMany()``).
    /// A read error, an input shorter than its header says, or (by default) a NaN or infinite sample
    /// fails the job. Reader stage.
    func fill(_ block: AudioBlock, at position: Int, from reader: AudioFileReader, window: OutputWindow, inputPath: String) {
        let b = block.capacity, channels = block.channels
        var got = 0
        do throws(AudioError) {
            while got < b {
                let n = try reader.read(into: block.interleaved + got * channels, frames: b - got)
                if n == 0 { break }
                got += n
            }
        } catch {
            state.fail(JobError(audio: error))
        }
        if got < b && position + got < reader.info.frames && !state.hasFailed {
            state.fail(JobError(.badData, "\(inputPath): file ends after \(position + got) of "
                + "\(reader.info.frames) frames; it is truncated or damaged"))
        }
        if !state.hasFailed,
           case .refused(let location) = state.nonFinite.screen(
               interleaved: block.interleaved, frames: got, channels: channels, firstFrame: position) {
            let howToZero = "pass --non-finite zero (config non_finite: zero)"
            state.fail(.nonFinite(location, in: inputPath, howToZero: howToZero))
        }
        block.position = position
        block.frames = got
        block.keep = window.overlap(blockStart: position, blockLength: b)
        block.splitChannelsIfMany()
    }

    /// Joins the kept frames of a filtered block (unless the workers left them interleaved) and writes
    /// them; a write error fails the job. Writer stage.
    func writeKept(_ block: AudioBlock, filteredBy bank: MixingBank, to writer: OutputStage) {
        let keep = block.keep
        guard !keep.isEmpty else { return }
        if !bank.outputIsInterleaved { block.interleave(frames: keep) }
        do throws(AudioError) {
            try writer.write(block.interleaved + keep.lowerBound * block.outputChannels, count: keep.count)
            if block.position == 0 { CrashPoint.hit(.afterFirstBlock) }
        } catch {
            state.fail(JobError(audio: error))
        }
    }

    /// The single-threaded run: read, filter, join (where the output is planar) and write each block in
    /// turn on this thread, with one block allocated. The output is bit-identical to the staged run's
    /// (the same convolvers see the same blocks in the same order).
    func streamOnOneThread(
        reader: AudioFileReader, bank: MixingBank, window: OutputWindow, writer: OutputStage,
        progress: (@Sendable (Double) -> Void)?
    ) throws(JobError) {
        let b = bank.blockSize, channels = reader.info.channels
        let block: AudioBlock
        do throws(ResourceError) {
            block = try AudioBlock(capacity: b, channels: channels, outputChannels: writer.writer.channels)
        } catch {
            throw JobError(error, path: spec.output, while: "allocating an audio block")
        }
        state.countBlock()
        var position = 0
        while position < window.end && !state.hasFailed {
            fill(block, at: position, from: reader, window: window, inputPath: spec.input)
            if state.hasFailed { break }
            for worker in 0..<bank.workers { bank.process(block, worker: worker) }
            writeKept(block, filteredBy: bank, to: writer)
            position += b
            progress?(Double(min(position, window.end)) / Double(max(window.end, 1)))
        }
        if let error = state.error { throw error }
    }
}
