import FirAudio

/// The sub-sections of `serve`; its other keys are ``ServeOptionSchema``'s.
enum ServeKey: String, CaseIterable {
    case stream, spool
}

/// The keys allowed in `serve.stream`. None can change live: the pipes, devices and their format are
/// opened once, and a stream cannot change its channel count or rate under the processes at either end.
enum StreamKey: String, CaseIterable {
    case input, output, format, channels, rate, backend
    case captureDevice = "capture_device"
    case playbackDevice = "playback_device"
    case periods
    case jackClient = "jack_client"
    case jackConnectInputs = "jack_connect_inputs"
    case jackConnectOutputs = "jack_connect_outputs"

    var reload: ServeOption.Reload {
        .restart("serve.stream.\(rawValue) changed; restart the service to change the stream's format, pipes or devices")
    }

    /// The README's type and meaning.
    var documentation: (type: String, meaning: String) {
        switch self {
        case .input: ("path or `-`", "raw PCM in: a named pipe or file; default `-` (stdin)")
        case .output: ("path or `-`", "raw PCM out: a named pipe or file; default `-` (stdout)")
        case .format: ("`s16le` / `s24le` / `s32le` / `f32le`", "the PCM's sample format (on ALSA: S16_LE, S24_3LE, S32_LE, FLOAT_LE); required with pipes and ALSA")
        case .channels: ("integer (1 to 64)", "channels in; required")
        case .rate: ("integer (1000 to 768000)", "sample rate in Hz (an ALSA device and a JACK server must run at it); required")
        case .backend: ("`pipe` / `jack` / `alsa`", "where the audio comes from and goes to; default `pipe`")
        case .captureDevice:
            ("ALSA PCM name", "with `backend: alsa`, the device read in place of `input` (`hw:1`, `plughw:CARD=Device`, an asoundrc name)")
        case .playbackDevice: ("ALSA PCM name", "with `backend: alsa`, the device written in place of `output`")
        case .periods:
            ("integer (2 to 16)", "with `backend: alsa`, periods of one block in each device's buffer; the output lags the input by this many blocks; default 3")
        case .jackClient: ("text", "the JACK client's name, before its ports `NAME:in_1`, `NAME:out_1`; default the daemon's name")
        case .jackConnectInputs:
            ("list of port names", "ports connected to `in_1`, `in_2`, … at start and whenever they reappear")
        case .jackConnectOutputs:
            ("list of port names", "ports `out_1`, `out_2`, … are connected to at start and whenever they reappear")
        }
    }

    /// Whether `old` and `new` differ in this key.
    func differs(_ old: StreamSettings, _ new: StreamSettings) -> Bool {
        switch self {
        case .input: old.input != new.input
        case .output: old.output != new.output
        case .format: old.format != new.format
        case .channels: old.channels != new.channels
        case .rate: old.sampleRate != new.sampleRate
        case .backend: old.backend != new.backend
        case .captureDevice: old.alsa?.capture != new.alsa?.capture
        case .playbackDevice: old.alsa?.playback != new.alsa?.playback
        case .periods: old.alsa?.periods != new.alsa?.periods
        case .jackClient: old.jack.clientName != new.jack.clientName
        case .jackConnectInputs: old.jack.connectInputs != new.jack.connectInputs
        case .jackConnectOutputs: old.jack.connectOutputs != new.jack.connectOutputs
        }
    }
}

/// The keys allowed in `serve.spool`, each with what a reload makes of a change.
enum SpoolKey: String, CaseIterable {
    case inbox, outbox, failed
    case settleSeconds = "settle_seconds"
    case maxJobs = "max_jobs"

    var reload: ServeOption.Reload {
        switch self {
        case .inbox, .outbox, .failed:
            .restart("serve.spool.\(rawValue) changed; restart the service to watch other directories")
        case .settleSeconds, .maxJobs: .live
        }
    }

    /// The README's type and meaning.
    var documentation: (type: String, meaning: String) {
        switch self {
        case .inbox: ("path", "where files to filter arrive; required")
        case .outbox: ("path", "where filtered files go, under the same name; required")
        case .failed: ("path", "where files that cannot be processed go, beside `NAME.error`; required")
        case .settleSeconds: ("number (0 to 86400)", "how long a file written in place must stay unchanged; default 2")
        case .maxJobs: ("integer (1 to 64)", "files filtered at once; default 1")
        }
    }

    /// Whether `old` and `new` differ in this key.
    func differs(_ old: SpoolSettings, _ new: SpoolSettings) -> Bool {
        switch self {
        case .inbox: old.inbox != new.inbox
        case .outbox: old.outbox != new.outbox
        case .failed: old.failed != new.failed
        case .settleSeconds: old.settleSeconds != new.settleSeconds
        case .maxJobs: old.maxJobs != new.maxJobs
        }
    }
}

/// Reading the `serve` section: exactly one of `stream` or `spool`, and the daemon's settings.
extension ConfigReader {
    mutating func serve(_ node: YAMLNode) throws(ConfigError) -> ServeSettings {
        let mapping = try self.mapping(node, "serve", example: "stream: {format: s16le, channels: 2, rate: 48000}")
        var work: ServeWork?
        var workKey: YAMLNode?
        var settings = ServeSettings(work: .stream(StreamSettings(format: .f32le, channels: 1, sampleRate: 48000)))
        for (keyNode, value) in mapping {
            if case .scalar(let scalar) = keyNode, let option = ServeOptionSchema.option(named: scalar.string) {
                let keyPath = "serve.\(option.key)"
                record(keyPath, key: keyNode, value: value)
                try option.read(self, value, keyPath)(&settings)
                continue
            }
            let key: ServeKey = try serveKey(of: keyNode)
            let keyPath = "serve.\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .stream, .spool:
                if let workKey {
                    throw ConfigError(
                        .conflict, at: location(of: keyNode),
                        "serve takes one of 'stream' or 'spool', not both (the other is at line "
                            + "\(location(of: workKey).line)): a daemon either streams raw PCM or watches an inbox")
                }
                workKey = keyNode
                work = key == .stream ? .stream(try stream(value)) : .spool(try spool(value))
            }
        }
        guard let work else {
            throw ConfigError(
                .missingValue, at: location(of: node),
                "serve needs 'stream' (raw PCM on stdin/stdout or pipes) or 'spool' (inbox, outbox and failed "
                    + "directories)")
        }
        settings.work = work
        return settings
    }

    private mutating func stream(_ node: YAMLNode) throws(ConfigError) -> StreamSettings {
        let mapping = try self.mapping(node, "serve.stream", example: "format: s16le")
        var input = "-", output = "-"
        var format: RawSampleFormat?, channels: Int?, rate: Int?
        var backend = StreamBackend.pipe, jack = JackSettings()
        var devices = ALSAStreamDevices()
        var values: [StreamKey: YAMLNode] = [:]
        var pipeKeys: [(StreamKey, YAMLNode)] = [], jackKeys: [(StreamKey, YAMLNode)] = []
        for (keyNode, value) in mapping {
            let key: StreamKey = try name(of: keyNode, in: "serve.stream")
            let keyPath = "serve.stream.\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            values[key] = value
            switch key {
            case .input: input = try path(value, keyPath)
            case .output: output = try path(value, keyPath)
            case .format: format = try choice(value, keyPath)
            case .channels: channels = try integer(value, keyPath, in: StreamSettings.channelRange)
            case .rate: rate = try integer(value, keyPath, in: StreamSettings.sampleRateRange)
            case .backend: backend = try choice(value, keyPath)
            case .captureDevice: devices.capture = try deviceName(value, keyPath)
            case .playbackDevice: devices.playback = try deviceName(value, keyPath)
            case .periods: devices.periods = try integer(value, keyPath, in: ALSAStreamDevices.periodsRange)
            case .jackClient: jack.clientName = try jackName(value, keyPath)
            case .jackConnectInputs: jack.connectInputs = try portNames(value, keyPath)
            case .jackConnectOutputs: jack.connectOutputs = try portNames(value, keyPath)
            }
            switch key {
            case .input, .output, .format: pipeKeys.append((key, keyNode))
            case .jackClient, .jackConnectInputs, .jackConnectOutputs: jackKeys.append((key, keyNode))
            case .channels, .rate, .backend, .captureDevice, .playbackDevice, .periods: break
            }
        }
        try checkBackendKeys(backend, pipeKeys: pipeKeys, jackKeys: jackKeys)
        if backend == .jack, format == nil { format = .f32le }  // JACK's samples are floats
        guard let format, let channels, let rate else {
            let absent = Self.absent([("format", format == nil), ("channels", channels == nil), ("rate", rate == nil)])
            throw ConfigError(
                .missingValue, at: location(of: node),
                "serve.stream needs \(absent): raw PCM carries no header, so the config "
                    + "must say what it is (e.g. format: s16le, channels: 2, rate: 48000)")
        }
        let alsa = try alsaDevices(devices, backend: backend, values: values, stream: node)
        if jack.connectInputs.count > channels, let node = jackKeys.first(where: { $0.0 == .jackConnectInputs })?.1 {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "serve.stream.jack_connect_inputs names \(jack.connectInputs.count) ports for \(channels) input channels; "
                    + "name one port per channel, in order")
        }
        return StreamSettings(
            input: input, output: output, format: format, channels: channels, sampleRate: rate, backend: backend,
            alsa: alsa, jack: jack)
    }

    private mutating func spool(_ node: YAMLNode) throws(ConfigError) -> SpoolSettings {
        let mapping = try self.mapping(node, "serve.spool", example: "inbox: /var/spool/firpipe/in")
        var inbox: String?, outbox: String?, failed: String?
        var settle = 2.0, maxJobs = 1
        for (keyNode, value) in mapping {
            let key: SpoolKey = try name(of: keyNode, in: "serve.spool")
            let keyPath = "serve.spool.\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .inbox: inbox = try path(value, keyPath)
            case .outbox: outbox = try path(value, keyPath)
            case .failed: failed = try path(value, keyPath)
            case .settleSeconds: settle = try decimal(value, keyPath, in: 0...86_400)
            case .maxJobs: maxJobs = try integer(value, keyPath, in: SpoolSettings.maxJobsRange)
            }
        }
        guard let inbox, let outbox, let failed else {
            let absent = Self.absent([("inbox", inbox == nil), ("outbox", outbox == nil), ("failed", failed == nil)])
            throw ConfigError(
                .missingValue, at: location(of: node),
                "serve.spool needs \(absent): the directories files arrive in, "
                    + "are written to, and are moved to when they cannot be processed")
        }
        return SpoolSettings(inbox: inbox, outbox: outbox, failed: failed, settleSeconds: settle, maxJobs: maxJobs)
    }

    /// A sub-section key of `serve`; an unknown one is reported with every allowed key.
    private func serveKey(of keyNode: YAMLNode) throws(ConfigError) -> ServeKey {
        if case .scalar(let scalar) = keyNode, let key = ServeKey(rawValue: scalar.string) { return key }
        let allowed = ServeKey.allCases.map(\.rawValue) + ServeOptionSchema.all.map(\.key)
        guard case .scalar(let scalar) = keyNode else {
            throw ConfigError(
                .wrongType, at: location(of: keyNode), "keys must be names such as 'stream', found \(keyNode.foundDescription)")
        }
        throw ConfigError(
            .unknownKey, at: location(of: keyNode),
            "unknown key '\(scalar.string)' in serve\(NearMiss.hint(for: scalar.string, among: allowed)); "
                + "allowed keys: \(allowed.joined(separator: ", "))")
    }

    /// The quoted names of the keys whose flag is set, comma-separated.
    private static func absent(_ keys: [(String, Bool)]) -> String {
        keys.filter(\.1).map { "'\($0.0)'" }.joined(separator: ", ")
    }
}
