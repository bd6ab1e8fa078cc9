import ArgumentParser
import FirCore
import FirPipeline
import Logging
import ServiceLifecycle
import UnixSignals
import Dispatch
import Glibc
import FoundationEssentials

/// `firpipe serve --config FILE`: the daemon. Streams raw PCM through the config's filter, or watches a
/// spool directory, until stopped; reloads on SIGHUP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run as a daemon: stream raw PCM through the filter, or process files dropped in a spool.",
        discussion: """
            The config's serve section says what to do (see README, "Running as a service"). SIGHUP re-reads \
            the config and brings in new kernels with a crossfade; a bad config is logged and the running \
            one kept. SIGTERM or SIGINT stops intake, drains and flushes, and exits 0; a second one exits \
            at once. Logs go to stderr, one line an event. Exit codes: 78 config error, 74 I/O error, \
            65 a NaN or infinite sample in the stream's input (unless non_finite: zero), 70 shutdown took \
            longer than shutdown_timeout_s.
            """
    )

    @Option(name: .long, help: "The daemon's config file (YAML with a serve section).")
    var config: String

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // Reloads replace large kernel spectra: RSS crept up by tens of MB over reloads of a 1M-tap
        // kernel (fragmentation under glibc's adaptive mmap threshold) and stays flat with this.
        AlignedFloats.returnLargeBuffersToSystem()
        signal(SIGPIPE, SIG_IGN)  // a consumer that goes away must fail the write, not kill the daemon
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit must fail a spool job's write, not kill the daemon
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "firpipe")

        let serve: ServeConfig
        do throws(ConfigError) { serve = try ServeConfig.load(path: config) } catch {
            throw fail(error.description, code: SysExits.config)
        }
        // Measured plans from earlier runs; new sizes are measured within a budget and saved at exit.
        let wisdom = WisdomStore()
        wisdom.usePolicy(.batch)
        wisdom.load()
        defer { wisdom.saveIfChanged() }

        switch serve.settings.work {
        case .stream(let stream):
            try await runStream(serve, stream: stream, hangups: hangups, logger: logger)
        case .spool(let settings):
            let costModel = CostModelStore(wisdom: wisdom).load() ?? .default
            try await runSpool(serve, settings: settings, costModel: costModel, hangups: hangups, logger: logger)
        }
    }

    private func runSpool(
        _ serve: ServeConfig, settings: SpoolSettings, costModel: CostModel, hangups: UnixSignalsSequence,
        logger: Logger
    ) async throws {
        do throws(JobError) { try serve.checkKernels() } catch {
            throw report(error, config: serve.file)
        }
        let spool = Spool(
            settings: settings, makeSpec: { serve.spoolSpec(input: $0, output: $1) }, logger: logger,
            costModel: costModel)
        let notifier = SystemdNotifier()
        let daemon = Daemon(config: serve, engine: nil, spool: spool, notifier: notifier, logger: logger)
        let line = "watching \(settings.inbox) (up to \(settings.maxJobs) jobs at once) into \(settings.outbox), config \(serve.file.path)"
        let work = SpoolService(
            daemon: daemon, spool: spool, drainSeconds: max(0.1, serve.settings.shutdownTimeoutSeconds * 0.8),
            onReady: {
                logger.info("\(line)")
                _ = notifier.ready(status: "watching \(settings.inbox)")
            })
        try await runGroup(work, daemon: daemon, settings: serve.settings, hangups: hangups, logger: logger)
    }

    private func runStream(
        _ serve: ServeConfig, stream: StreamSettings, hangups: UnixSignalsSequence, logger: Logger
    ) async throws {
        var stream = stream
        if stream.backend == .jack && stream.jack.clientName == nil {
            // The daemon's name, as its control socket's: two instances get two clients.
            stream.jack.clientName = ControlPaths.instanceName(configPath: serve.file.path)
        }
        let engine: StreamEngine
        do throws(JobError) {
            let convolver = try Daemon.makeConvolver(serve, stream: stream)
            engine = try StreamEngine(
                settings: stream, convolver: convolver, ditherSeed: serve.ditherSeed, limitDB: serve.limitDB,
                nonFinite: serve.nonFinite, logger: logger)
        } catch {
            throw report(error, config: serve.file)
        }
        let notifier = SystemdNotifier()
        let daemon = Daemon(config: serve, engine: engine, spool: nil, notifier: notifier, logger: logger)
        let latency = engine.latency
        let ms = Double(latency) * 1000 / Double(stream.sampleRate)
        let channels = engine.outputChannels == stream.channels
            ? "\(stream.channels) ch" : "\(stream.channels) ch into \(engine.outputChannels)"
        let status = "streaming \(channels) at \(stream.sampleRate) Hz, latency \(latency) samples"
        let devices = stream.alsa == nil ? "" : " on ALSA (\(stream.deviceSummary))"
        let what = stream.backend == .jack ? "JACK client \(stream.jack.clientName ?? "")" : stream.format.rawValue
        let line = "streaming \(channels) \(what) at \(stream.sampleRate) Hz\(devices), latency \(latency) samples (\(String(cFormat: "%.2f", ms)) ms), config \(serve.file.path)"
        // Logged once the signal handlers are in place (the group installs them before any service runs).
        let work = StreamService(daemon: daemon, engine: engine, onReady: {
            logger.info("\(line)")
            _ = notifier.ready(status: status)
        })
        try await runGroup(work, daemon: daemon, settings: serve.settings, hangups: hangups, logger: logger)
    }

    /// Runs `work` with the daemon's helpers around it until it finishes; turns the group's failure
    /// into one line and an exit code. The group shuts services down in reverse order: the work drains
    /// first, then the metrics get their last write, the control socket goes, and the signal handler
    /// (which must hear a second SIGTERM during the drain) is last.
    private func runGroup(
        _ work: any Service, daemon: Daemon, settings: ServeSettings, hangups: UnixSignalsSequence, logger: Logger
    ) async throws {
        let reloads = DispatchQueue(label: "firpipe.reload-requests")
        let control = try ControlService.make(daemon: daemon, settings: settings)
        // SIGTERM and SIGINT go to SignalService alone, trapped before the group runs: giving the first
        // to the group's own handler as well meant two handlers for one signal, and a stop that came
        // before SignalService had trapped was never counted, so a second one did not exit.
        let stops = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let handle = ServiceGroupHandle()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SignalService(
                daemon: daemon, hangups: hangups, stops: stops, shutdown: { await handle.triggerGracefulShutdown() },
                reload: { reloads.async { _ = daemon.reloadNotifying() } }, beforeExit: { control?.socket.stop() }))
        ]
        if let control {
            services.append(.init(service: control))
        }
        if let path = settings.metricsFile {
            let file = MetricsFile(path: path, name: ControlPaths.instanceName(configPath: daemon.configPath))
            let interval = Duration.milliseconds(Int(settings.metricsIntervalSeconds * 1000))
            services.append(.init(service: MetricsService(daemon: daemon, file: file, interval: interval)))
        }
        if let interval = SystemdNotifier.watchdogInterval(
            environment: ProcessInfo.processInfo.environment, pid: getpid()) {
            services.append(.init(service: WatchdogService(daemon: daemon, interval: interval)))
        }
        services.append(.init(
            service: work, successTerminationBehavior: .gracefullyShutdownGroup,
            failureTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int(settings.shutdownTimeoutSeconds * 1000))
        let group = ServiceGroup(configuration: configuration)
        handle.set(group)
        do {
            try await group.run()
        } catch let error as JobError {
            // The engine logged stream failures as they happened; a spool that cannot start has not.
            if daemon.engine == nil { _ = report(error, config: daemon.config.file) }
            throw ExitCode(SysExits.code(for: error.kind))
        } catch is ShutdownTimedOut {
            throw fail(
                "\(config): shutdown took longer than shutdown_timeout_s (\(settings.shutdownTimeoutSeconds) s); "
                    + "exiting without finishing the output", code: SysExits.software)
        } catch is CancellationError {
            throw fail(
                "\(config): shutdown took longer than shutdown_timeout_s (\(settings.shutdownTimeoutSeconds) s); "
                    + "exiting without finishing the output", code: SysExits.software)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
