import Dispatch
import FirCore

extension JackDriver {
    /// Back-off between tries to reach a server that is not there: doubling from the first, up to the last.
    static let firstRetry = 0.25, lastRetry = 4.0

    /// Why a connection attempt failed.
    enum ConnectFailure: Error {
        /// No server (yet): try again later.
        case unavailable(String)
        /// The server or config is wrong in a way retrying will not fix.
        case fatal(JobError)
    }

    /// Opens a client, checks the server's rate, activates it and connects the configured ports. The
    /// driver's thread (or `start()`); logs the outcome.
    func connect() throws(ConnectFailure) -> JackClient {
        let c: JackClient
        do throws(JackClient.OpenFailure) {
            c = try JackClient(name: clientName, inputs: inputs, outputs: outputs, driver: self)
        } catch {
            switch error {
            case .noServer(let why): throw .unavailable(why)
            case .refused(let why): throw .fatal(JobError(.config, why))
            }
        }
        let rate = engine.settings.sampleRate, serverRate = c.sampleRate
        guard serverRate == rate else {
            c.close()
            throw .fatal(JobError(
                .config, "the JACK server runs at \(serverRate) Hz but serve.stream.rate is \(rate); "
                    + "set rate: \(serverRate) (with kernels for it) or run the server at \(rate) Hz",
                configKey: "serve.stream.rate"))
        }
        serverGone.store(false, ordering: .releasing)
        workerPriority.store(c.realTimePriority.map { max(1, $0 - 1) } ?? 0, ordering: .relaxed)
        guard c.activate(Self.callbacks) else {
            c.close()
            throw .unavailable("the JACK server refused to activate client '\(clientName)'")
        }
        missingPorts = []
        connectPorts(c)
        let latency = c.outputCaptureLatency
        let line = "connected to JACK as \(c.name): \(inputs) in, \(outputs) out, period \(c.period) at \(c.sampleRate) Hz, "
            + "added latency \(addedLatency) samples (reported to JACK: capture \(latency.lowerBound)…\(latency.upperBound))"
        engine.logger.info("\(line)")
        return c
    }

    /// Connects `connect_inputs` to `in_1…` and `out_1…` to `connect_outputs`, logging each port that
    /// is missing or back, once per change. The driver's thread.
    func connectPorts(_ c: JackClient) {
        var missing: Set<String> = []
        for (i, source) in settings.connectInputs.prefix(inputs).enumerated()
        where !c.connect(source, c.portName(c.inputs[i])) {
            missing.insert(source)
        }
        for (i, destination) in settings.connectOutputs.prefix(outputs).enumerated()
        where !c.connect(c.portName(c.outputs[i]), destination) {
            missing.insert(destination)
        }
        for port in missing.subtracting(missingPorts).sorted() {
            engine.logger.warning("JACK port \(port) is not there; it is connected when it appears")
        }
        for port in missingPorts.subtracting(missing).sorted() {
            engine.logger.info("JACK port \(port) appeared; connected")
        }
        missingPorts = missing
    }

    func logWrongPeriod(_ period: Int) {
        let line = "JACK's period is \(period) frames but block_size is \(engine.blockSize): refused, the outputs stay "
            + "silent until the period is \(engine.blockSize) again; set block_size: \(period) and restart to follow it"
        engine.logger.error("\(line)")
    }

    /// The driver's thread: keeps a client connected until intake stops or the stream fails, then
    /// closes it and ends the stream.
    /// - Parameter waitingSaid: whether `start()` already logged that no server answers.
    func run(waitingSaid said: Bool) {
        var delay = Self.firstRetry
        var waitingSaid = said, wrongPeriodSeen = 0, silenceSaid = false
        while !engine.stopping.load(ordering: .acquiring) && !engine.failure.hasFailed {
            guard let c = client else {
                do throws(ConnectFailure) {
                    client = try connect()
                    delay = Self.firstRetry
                    waitingSaid = false
                } catch {
                    switch error {
                    case .fatal(let why):
                        engine.fail(why)
                    case .unavailable(let why):
                        if !waitingSaid {
                            engine.logger.warning("\(why); trying again with back-off (up to every \(Self.lastRetry) s)")
                            waitingSaid = true
                        }
                        _ = wake.wait(timeout: .now() + delay)
                        delay = min(delay * 2, Self.lastRetry)
                    }
                }
                continue
            }
            if serverGone.load(ordering: .acquiring) {
                engine.counters.serverLosses.add(1, ordering: .relaxed)
                let losses = engine.counters.serverLosses.load(ordering: .relaxed)
                engine.logger.error(
                    "the JACK server went away (\(losses) time\(losses == 1 ? "" : "s") so far); reconnecting with back-off")
                closeClient(c, serverGone: true)
                continue
            }
            // Any port appearing may be one we lost (its client restarted): connecting what is already
            // connected is a no-op (EEXIST), so every listed connection is made again.
            if portsAppeared.exchange(false, ordering: .acquiring) { connectPorts(c) }
            let period = wrongPeriod.load(ordering: .relaxed)
            if period != wrongPeriodSeen {
                if period != 0 { logWrongPeriod(period) } else {
                    engine.logger.info("JACK's period is \(engine.blockSize) again; filtering")
                }
                wrongPeriodSeen = period
            }
            if !silenceSaid, let first = engine.nonFinite.firstSilenced {
                let line = "JACK input channel \(first.channel), frame \(first.frame) is "
                    + "\(NonFiniteScan.describe(first.value)); replaced by silence (non_finite: zero), as every later "
                    + "one will be: counted in non_finite_samples"
                engine.logger.warning("\(line)")
                silenceSaid = true
            }
            failOnRefusedSample()
            housekeeping(c)
            _ = wake.wait(timeout: .now() + .milliseconds(100))
        }
        if let c = client { closeClient(c, serverGone: false) }
        if let left = engine.takeRetired() { left.release() }
        engine.filter.outgoing?.shutdown()
        engine.filter.convolver.shutdown()
        let why = engine.failure.hasFailed ? "the stream failed" : "intake stopped"
        engine.logger.info(
            "JACK stream closed (\(why)) after \(engine.counters.frames.load(ordering: .relaxed)) frames")
        engine.finish()
    }

    /// Frees what the process callback handed off and publishes its thread's CPU. The driver's thread.
    private func housekeeping(_ c: JackClient) {
        lastProcessCPU = c.processThreadCPU
        if let r = retired.withLock({ slot -> RetiredFilter? in
            defer { slot = nil }
            return slot
        }) {
            r.release()
        }
        engine.counters.recordCPU(.filter, nanoseconds: closedClientsCPU &+ lastProcessCPU)
    }

    /// Closes the client; once JACK no longer calls back, what waits to be retired is freed here.
    private func closeClient(_ c: JackClient, serverGone: Bool) {
        // Once the server is gone its process thread may be too: its CPU is the last figure read.
        if !serverGone { housekeeping(c) }
        closedClientsCPU &+= lastProcessCPU
        lastProcessCPU = 0
        c.close(serverGone: serverGone)
        client = nil
        if let r = retired.withLock({ slot -> RetiredFilter? in
            defer { slot = nil }
            return slot
        }) {
            r.release()
        }
    }

    /// Ends the stream on a non-finite sample the default rule refuses (the callback only flagged it).
    private func failOnRefusedSample() {
        let frame = refusedFrame.load(ordering: .acquiring)
        guard frame >= 0 else { return }
        let location = SampleLocation(
            channel: refusedChannel.load(ordering: .relaxed), frame: frame,
            value: Float(bitPattern: refusedBits.load(ordering: .relaxed)))
        engine.fail(.nonFinite(location, in: "JACK input", howToZero: "set non_finite: zero in the config"))
    }
}

extension JackDriver {
    /// Connects once before the daemon says it is ready, so a server at the wrong rate or period is a
    /// config error at start; a server not (yet) running is only logged. Then starts the driver's
    /// thread. The thread that starts the engine.
    /// - Throws: `.config` for a wrong rate or period or a taken name; `.osError` when the thread is refused.
    func start(startThread: ThreadStarter) throws(JobError) {
        var said = false
        do throws(ConnectFailure) {
            let c = try connect()
            let period = c.period
            guard period == engine.blockSize else {
                c.close()
                throw .fatal(JobError(
                    .config, "JACK's period is \(period) frames but block_size is \(engine.blockSize): with the "
                        + "jack backend they must be equal (that is what makes the latency zero); set block_size: "
                        + "\(period) or start the server with -p \(engine.blockSize)", configKey: "block_size"))
            }
            // The callback is not running yet, so the filter's convolver can be read here.
            promoteWorkers(of: engine.filter.convolver)
            client = c
        } catch {
            switch error {
            case .fatal(let why):
                engine.fail(why)
                engine.finish()
                throw why
            case .unavailable(let why):
                engine.logger.warning("\(why); trying again with back-off (up to every \(Self.lastRetry) s)")
                said = true
            }
        }
        do throws(ResourceError) {
            let waitingSaid = said
            try startThread("firpipe-jack") { self.run(waitingSaid: waitingSaid) }
        } catch {
            client?.close()
            client = nil
            let refused = JobError(error, path: "stream", while: "starting the JACK driver's thread")
            engine.fail(refused)
            engine.finish()
            throw refused
        }
    }
}
