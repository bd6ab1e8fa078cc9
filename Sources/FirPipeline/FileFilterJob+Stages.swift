import FirAudio
import FirCore
internal import Foundation

extension FileFilterJob {
    /// Runs the reader and compute stages on their own threads and the writer on this one, until the
    /// end of the output window or the first failure. Every stage keeps consuming until `.end` even
    /// after a failure, so no stage waits forever on a block that will not come back.
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
        let toCompute = BoundedQueue<StageMessage>(capacity: Self.poolSize + 1)
        let toWrite = BoundedQueue<StageMessage>(capacity: Self.poolSize + 1)
        let source = StageOwned(reader)
        let inputPath = spec.input

        let readerThread = Thread {
            let reader = source.value
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
                position += b
                toCompute.push(.block(block))
            }
            toCompute.push(.end)
        }
        readerThread.name = "firpipe.reader"
        readerThread.start()

        let computeThread = Thread {
            while true {
                let message = toCompute.pop()
                if case .block(let block) = message, !state.hasFailed { bank.process(block) }
                toWrite.push(message)
                if case .end = message { return }
            }
        }
        computeThread.name = "firpipe.compute"
        computeThread.start()

        writing: while true {
            switch toWrite.pop() {
            case .end:
                break writing
            case .block(let block):
                if !state.hasFailed {
                    let keep = window.overlap(blockStart: block.position, blockLength: b)
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

/// Hands a non-Sendable object to exactly one stage thread; safe because no other thread touches it
/// while the stage runs.
struct StageOwned<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
