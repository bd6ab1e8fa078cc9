import FirAudio
import FirCore
import Logging

extension Spool {
    /// How a job ended, as far as the spool's counts and pauses are concerned.
    enum Outcome {
        /// Output committed, input removed.
        case done
        /// Input moved to the failed directory with its report.
        case failed
        /// The input stays in the inbox and the spool pauses: the output side (or a directory) failed.
        case retryLater
        /// The input stays in the inbox, or left it by someone else's hand: cancelled, gone, replaced.
        case untouched
    }

    /// The first pause after an output-side failure, and the longest.
    static let firstPause = Duration.seconds(1)
    static let longestPause = Duration.seconds(60)

    /// Queues complete files for jobs, skipping any already queued or running. Intake thread.
    func enqueue(_ names: [String]) {
        guard !names.isEmpty else { return }
        state.withLock { state in
            guard state.phase == .taking else { return }
            for name in names where !state.isTaken(name) {
                state.queue.append(name)
                state.queuedNames.insert(name)
            }
        }
    }

    /// Starts queued jobs while slots are free, the intake is open and the spool is not paused, each on
    /// a thread of its own. Intake thread, and each job thread as it ends.
    func dispatch() {
        let now = ContinuousClock.now
        let started: [String] = state.withLock { state in
            guard state.phase == .taking, !state.queue.isEmpty else { return [] }
            if let until = state.pausedUntil {
                if now < until { return [] }
                state.pausedUntil = nil
            }
            var started: [String] = []
            while state.running.count < state.limits.maxJobs, !state.queue.isEmpty {
                let name = state.queue.removeFirst()
                state.queuedNames.remove(name)
                state.running.insert(name)
                // Under the lock, so that a drain never sees a job running that the group does not count.
                inFlight.enter()
                started.append(name)
            }
            return started
        }
        for name in started {
            do throws(ResourceError) {
                try NamedThread.start("firpipe-job") { [self] in
                    let job = makeJob(name)
                    let outcome = run(name, job)
                    finish(name, outcome)
                }
            } catch {
                // Not the file's fault: it stays in the inbox and the spool pauses, as for a full disk.
                logger.warning("spool job not started; its input stays in the inbox", metadata: [
                    "file": "\(name)", "reason": "\(error)",
                ])
                finish(name, .retryLater)
            }
        }
    }

    /// The job for inbox file `name`, from the current spec factory, registered for cancelling (and
    /// cancelled at once if a drain has timed out meanwhile). Its own job thread.
    private func makeJob(_ name: String) -> FileFilterJob {
        let input = settings.inbox + "/" + name, output = settings.outbox + "/" + name
        var spec = state.withLock { $0.makeSpec }(input, output)
        spec.input = input
        spec.output = output
        if spec.threads == nil { spec.threads = limits.threadsPerJob }
        let job = FileFilterJob(spec: spec, fromConfig: true, costModel: costModel)
        let cancelled = state.withLock { state in
            state.jobs[name] = job
            return state.cancelling
        }
        if cancelled { job.cancel() }
        return job
    }

    /// Runs one job to its end and does what its result asks of the inbox. Its own job thread.
    private func run(_ name: String, _ job: FileFilterJob) -> Outcome {
        let input = job.spec.input
        let metadata: Logger.Metadata = ["file": "\(name)"]
        // Which file this job reads, so that a newer one renamed in under the same name meanwhile is
        // neither removed nor failed in its place.
        guard let before = SpoolSystem.signature(of: input) else {
            logger.info("spool input left the inbox before its job began", metadata: metadata)
            return .untouched
        }
        logger.info("spool job started", metadata: metadata)
        let began = ContinuousClock.now
        let summary: FileFilterJob.Summary
        do throws(JobError) {
            summary = try job.run()
        } catch {
            return failed(name, error, before: before)
        }
        let seconds = (ContinuousClock.now - began) / .seconds(1)
        var details = metadata
        details["seconds"] = "\(String(cFormat: "%.3f", seconds))"
        if summary.clippedSamples > 0 { details["clipped_samples"] = "\(summary.clippedSamples)" }
        if summary.nonFiniteSamples > 0 {
            details["non_finite_samples"] = "\(summary.nonFiniteSamples)"
            state.withLock { $0.nonFiniteSamples += summary.nonFiniteSamples }
        }
        // The output is committed (renamed into place, its directory synced): only now may the input go.
        guard SpoolSystem.signature(of: input)?.isSameFile(as: before) == true else {
            logger.info("spool job done; a newer input of the same name arrived and waits its turn", metadata: details)
            return .done
        }
        do throws(SpoolSystemError) {
            try removeInput(input)
        } catch {
            details["reason"] = "\(error)"
            logger.info("spool job done but its input cannot be removed; pausing", metadata: details)
            return .retryLater
        }
        logger.info("spool job done", metadata: details)
        return .done
    }

    /// What a failed job does with its input, by whose fault it failed. Its own job thread.
    private func failed(_ name: String, _ error: JobError, before: FileSignature) -> Outcome {
        let input = settings.inbox + "/" + name
        var metadata: Logger.Metadata = ["file": "\(name)", "reason": "\(error.message)"]
        switch error.kind {
        case .interrupted:
            logger.info("spool job cancelled; its input stays in the inbox", metadata: metadata)
            return .untouched
        case .cannotCreate, .ioError, .osError:
            // A full disk, an unwritable outbox or a refused thread or allocation is not this file's
            // fault; keep it and try again later.
            logger.info("spool job cannot write its output; its input stays in the inbox", metadata: metadata)
            return .retryLater
        default:
            break
        }
        guard SpoolSystem.signature(of: input)?.isSameFile(as: before) == true else {
            logger.info("spool job failed but its input left the inbox or was replaced", metadata: metadata)
            return .untouched
        }
        do throws(SpoolSystemError) {
            let moved = try moveToFailed(name, reason: error)
            metadata["moved_to"] = "\(moved)"
            logger.info("spool job failed", metadata: metadata)
            return .failed
        } catch {
            metadata["move_error"] = "\(error)"
            logger.info("spool job failed and its input cannot be moved to the failed directory; pausing",
                        metadata: metadata)
            return .retryLater
        }
    }

    /// Takes a finished job off the books, pauses on output-side trouble, and starts the next jobs.
    /// Its own job thread.
    private func finish(_ name: String, _ outcome: Outcome) {
        let pause: Duration? = state.withLock { state in
            state.running.remove(name)
            state.jobs[name] = nil
            switch outcome {
            case .done:
                state.done += 1
                state.pause = .zero
            case .failed:
                state.failed += 1
            case .retryLater:
                state.pause = state.pause == .zero ? Self.firstPause : min(state.pause * 2, Self.longestPause)
                state.pausedUntil = ContinuousClock.now + state.pause
                return state.pause
            case .untouched:
                break
            }
            return nil
        }
        if let pause {
            logger.info("spool paused before the next job", metadata: ["seconds": "\(pause / .seconds(1))"])
        }
        inFlight.leave()
        dispatch()
    }
}
