import FirAudio
import Glibc

/// The daemon's counters as a Prometheus text-format file (for node_exporter's textfile collector),
/// replaced whole every metrics interval: written under a temporary name in the same directory, then
/// renamed, so the collector never reads half a file. The temporary name starts with a dot and ends in
/// `.tmp`, which the collector (reading `*.prom`) skips.
///
/// Threads: ``render(_:)`` anywhere; ``write(_:)`` from one thread at a time (the metrics timer).
struct MetricsFile: Sendable {
    let path: String
    /// The `config` label on every sample: the instance name (`room` for /etc/firpipe/room.yaml).
    let name: String

    init(path: String, name: String) {
        self.path = path
        self.name = name
    }

    /// Replaces the file at ``path`` with `status` rendered, readable by everyone (0644): the collector
    /// runs as another user, and the units' UMask=0077 would otherwise make the file 0600.
    ///
    /// - Throws: `.cannotCreate` when the directory is missing or not writable, `.ioError` when writing
    ///   or renaming fails. Nothing is left behind under a temporary name either way.
    func write(_ status: DaemonStatus) throws(DaemonError) {
        let output: AtomicOutputFile
        do {
            output = try AtomicOutputFile(finalPath: path)
        } catch {
            throw DaemonError(.cannotCreate, "metrics file " + error.description)
        }
        let failure = DaemonError.failing(.ioError, "metrics file \(path) cannot be written")
        let fd: Int32
        do {
            fd = try output.duplicateDescriptor()
        } catch {
            throw DaemonError(.ioError, "metrics file " + error.description)
        }
        // Set just before close(2), which releases the descriptor even when it fails: closing it again
        // could close another thread's new file.
        var closing = false
        do throws(DaemonError) {
            try posixCall(failure) { fchmod(fd, 0o644) }
            let bytes = Array(render(status).utf8)
            var offset = 0
            while offset < bytes.count {
                offset += try posixCall(failure) {
                    bytes.withUnsafeBytes { all in
                        let rest = UnsafeRawBufferPointer(rebasing: all[offset...])
                        return Glibc.write(fd, rest.baseAddress, rest.count)
                    }
                }
            }
            closing = true
            try posixCall(retryOnInterrupt: false, failure) { close(fd) }
        } catch {
            if !closing { close(fd) }
            throw error
        }
        do {
            try output.commit()
        } catch {
            throw DaemonError(.ioError, "metrics file " + error.description)
        }
    }

    /// The exposition text: `# HELP` and `# TYPE` for each family, then its samples, every one labelled
    /// `config="NAME"`; stages and spool states in a fixed order so that files diff cleanly.
    func render(_ status: DaemonStatus) -> String {
        var text = ""
        func family(_ metric: String, _ type: String, _ help: String, _ samples: [([(String, String)], String)]) {
            text += "# HELP \(metric) \(help)\n# TYPE \(metric) \(type)\n"
            for (labels, value) in samples {
                let all = [("config", name)] + labels
                let labels = all.map { "\($0)=\"\(Self.escape($1))\"" }.joined(separator: ",")
                text += metric + "{" + labels + "} " + value + "\n"
            }
        }
        func one(_ value: String) -> [([(String, String)], String)] { [([], value)] }

        family("firpipe_up", "gauge", "1 while the daemon runs; 0 in the last file it writes as it stops.",
               one(status.state == .stopping ? "0" : "1"))
        family("firpipe_config_info", "gauge", "The config in use: its mode and SHA-256.",
               [([("mode", status.mode.rawValue), ("sha256", status.config.sha256)], "1")])
        family("firpipe_uptime_seconds", "gauge", "Seconds since the daemon started.",
               one(Self.number(status.uptimeSeconds)))
        family("firpipe_blocks_total", "counter", "Blocks filtered.", one(String(status.blocks)))
        family("firpipe_samples_total", "counter", "Frames filtered (samples per channel).",
               one(String(status.samples)))
        family("firpipe_underruns_total", "counter", "Times the filter waited for a late background partition level, plus ALSA playback underruns.",
               one(String(status.underruns)))
        family("firpipe_overruns_total", "counter", "Times the input waited longer than a block for the filter or writer, plus ALSA capture overruns.",
               one(String(status.overruns)))
        if let jack = status.jack {
            family("firpipe_jack_xruns_total", "counter", "JACK xruns (also counted in firpipe_underruns_total).",
                   one(String(jack.xruns)))
            family("firpipe_jack_server_losses_total", "counter", "Times the JACK server went away under the stream.",
                   one(String(jack.serverLosses)))
        }
        family("firpipe_clipped_samples_total", "counter", "Output samples clipped to full scale.",
               one(String(status.clippedSamples)))
        if let perChannel = status.clippedPerChannel {
            family("firpipe_channel_clipped_samples_total", "counter", "Output samples clipped to full scale, by output channel.",
                   perChannel.enumerated().map { ([("channel", String($0.offset))], String($0.element)) })
        }
        family("firpipe_non_finite_samples_total", "counter", "NaN or infinite input samples replaced by silence (non_finite: zero).",
               one(String(status.nonFiniteSamples)))
        family("firpipe_latency_seconds", "gauge", "Latency the filter adds, input to output.",
               one(Self.number(status.latency.ms / 1000)))
        // Seconds as a counter: Prometheus derives any interval's load with rate(); the gauge is the
        // share over the interval since the previous snapshot.
        family("firpipe_cpu_seconds_total", "counter", "CPU time each stage used since start.",
               status.cpu.seconds.keys.sorted().map { ([("stage", $0)], Self.number(status.cpu.seconds[$0] ?? 0)) })
        family("firpipe_cpu_load", "gauge", "Share of one core each stage used over the last interval.",
               status.cpu.loadLastInterval.keys.sorted().map {
                   ([("stage", $0)], Self.number(status.cpu.loadLastInterval[$0] ?? 0))
               })
        if let spool = status.spool {
            family("firpipe_spool_jobs", "gauge", "Spool jobs by state (done and failed since start).", [
                ([("state", "queued")], String(spool.queued)), ([("state", "running")], String(spool.running)),
                ([("state", "done")], String(spool.done)), ([("state", "failed")], String(spool.failed)),
            ])
        }
        family("firpipe_reloads_total", "counter", "Config reloads by outcome.", [
            ([("result", "ok")], String(status.reloads.ok)), ([("result", "failed")], String(status.reloads.failed)),
        ])
        return text
    }

    /// A float as the exposition format spells it.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return "\(value)"
    }

    /// A label value with backslash, double quote and newline escaped, as the format requires.
    static func escape(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
            .replacing("\n", with: "\\n")
    }
}
