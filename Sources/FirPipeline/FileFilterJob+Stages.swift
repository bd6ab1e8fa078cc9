import FirAudio
import FirCore
internal import Foundation

extension FileFilterJob {
    /// Runs the reader and one compute worker per channel group on their own threads and the writer on
    /// this one, until the end of the output window or the first failure. The reader hands each block to
    /// every worker and, in order, to the writer; workers run ahead independently (no barrier per block)
    /// the last worker to finish a block joins its channels, and the writer waits on the block's
    /// `filtered` semaphore. Every stage keeps consuming until
    /// `.end` even after a failure, so no stage waits forever on a block that will not come back.
    func stream(
        reader: AudioFileReader, bank: FilterBank, window: OutputWindow, writer: AudioFileWriter,
        progress: (@Sendable (Double) -> Void)?
    ) throws(JobError) {
        let b = bank.blockSize, channels = reader.info.channels
        let state = self.state
        let pool = BoundedQueue<AudioBlock>(capacity: Self.poolSize)
        for _ in 0..<Self.poolSize {
            pool.push(AudioBlock(capacity: b, channels: channels))
            state.countBlock()
        }
        let workers = bank.workers
        let toCompute = (0..<workers).map { _ in BoundedQueue<StageMessage>(capacity: Self.poolSize + 1) }
        let toWrite = BoundedQueue<StageMessage>(capacity: Self.poolSize + 1)
        let inputPath = spec.input

        // The reader stage is the only user of `reader` from here on.
        let readerThread = Thread {
            var position = 0
            while position < window.end && !state.hasFailed {
                let block = pool.pop()
                var got = 0
                do throws(AudioError) {
                    while got < b {
                        let n = try reader.read(into: block.interleaved.pointer + got * channels, frames: b - got)
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
                block.position = position
                block.frames = got
                block.keep = window.overlap(blockStart: position, blockLength: b)
                block.pending.store(workers, ordering: .releasing)
                position += b
                for queue in toCompute { queue.push(.block(block)) }
                toWrite.push(.block(block))
            }
            for queue in toCompute { queue.push(.end) }
            toWrite.push(.end)
        }
        readerThread.name = "firpipe.reader"
        readerThread.start()

        for worker in 0..<workers {
            let queue = toCompute[worker]
            let thread = Thread {
                while true {
                    guard case .block(let block) = queue.pop() else { return }
                    if !state.hasFailed { bank.process(block, worker: worker) }
                    block.workerFinished()
                }
            }
            thread.name = "firpipe.compute.\(worker)"
            thread.start()
        }

        writing: while true {
            switch toWrite.pop() {
            case .end:
                break writing
            case .block(let block):
                block.filtered.wait()
                if !state.hasFailed {
                    let keep = block.keep
                    if !keep.isEmpty {
                        let start = block.interleaved.pointer + keep.lowerBound * channels
                        do throws(AudioError) { try writer.write(from: start, frames: keep.count) } catch {
                            state.fail(JobError(audio: error))
                        }
                    }
                    progress?(Double(min(block.position + b, window.end)) / Double(max(window.end, 1)))
                }
                pool.push(block)
            }
        }
        if let error = state.error { throw error }
    }
}
