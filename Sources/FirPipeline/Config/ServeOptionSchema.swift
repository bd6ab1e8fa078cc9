/// The daemon's own keys in `serve:`, declared once: key, how the value is read and checked, what it
/// sets in ``ServeSettings``, the README's description and what a reload makes of a change. The
/// keys of the `stream:` and `spool:` sub-sections are declared beside their reader (``StreamKey``,
/// ``SpoolKey``), with their reload rules and README rows too.
public enum ServeOptionSchema {
    static let all: [ServeOption] = [
        ServeOption(
            "crossfade_ms", \.crossfadeMilliseconds, type: "number (0 to 10000)",
            meaning: "a reload's crossfade from old to new kernels (0: switch at once); default 50", reload: .live,
            read: { r, node, key throws(ConfigError) in try r.decimal(node, key, in: 0...10_000) }),
        ServeOption(
            "shutdown_timeout_s", \.shutdownTimeoutSeconds, type: "number (0.1 to 3600)",
            meaning: "SIGTERM drains and flushes within this, else exit 70; default 5",
            reload: .restart("serve.shutdown_timeout_s changed; restart the service to apply it"),
            read: { r, node, key throws(ConfigError) in try r.decimal(node, key, in: 0.1...3600) }),
        ServeOption(
            "control_socket", \.controlSocket, type: "path",
            meaning: "the control socket; default `$RUNTIME_DIRECTORY/NAME.sock` or `/run/firpipe/NAME.sock`",
            reload: .restart("serve.control_socket changed; restart the service to move the socket"),
            read: { r, node, key throws(ConfigError) in try r.path(node, key) }),
        ServeOption(
            "metrics_file", \.metricsFile, type: "path",
            meaning: "a Prometheus textfile rewritten every `metrics_interval_s`; none by default",
            reload: .restart("serve.metrics_file or metrics_interval_s changed; restart the service to apply them"),
            read: { r, node, key throws(ConfigError) in try r.path(node, key) }),
        ServeOption(
            "metrics_interval_s", \.metricsIntervalSeconds, type: "number (0.1 to 86400)",
            meaning: "seconds between metrics files; default 10",
            reload: .restart("serve.metrics_file or metrics_interval_s changed; restart the service to apply them"),
            read: { r, node, key throws(ConfigError) in try r.decimal(node, key, in: 0.1...86_400) }),
    ]

    static func option(named key: String) -> ServeOption? {
        all.first { $0.key == key }
    }

    /// The README's rows for these keys: `| serve.key | type | meaning |`, one a line.
    public static var markdownTable: String {
        func row(_ key: String, _ type: String, _ meaning: String, _ rule: ServeOption.Reload) -> String {
            let reload: String
            switch rule {
            case .live: reload = "a reload applies it"
            case .restart: reload = "a change needs a restart"
            }
            return "| `\(key)` | \(type) | \(meaning) (\(reload)) |"
        }
        let own = all.map { row("serve.\($0.key)", $0.type, $0.meaning, $0.reload) }
        let stream = StreamKey.allCases.map {
            row("serve.stream.\($0.rawValue)", $0.documentation.type, $0.documentation.meaning, $0.reload)
        }
        let spool = SpoolKey.allCases.map {
            row("serve.spool.\($0.rawValue)", $0.documentation.type, $0.documentation.meaning, $0.reload)
        }
        return (own + stream + spool).joined(separator: "\n")
    }

    /// Why `new` cannot take over from `old` without a restart and the key at fault, or nil.
    static func restartNeeded(_ old: ServeSettings, _ new: ServeSettings) -> (why: String, key: String)? {
        for option in all {
            if case .restart(let why) = option.reload, !option.same(old, new) { return (why, "serve.\(option.key)") }
        }
        return nil
    }
}

/// One key of `serve:`.
struct ServeOption: Sendable {
    enum Reload: Sendable {
        case live
        case restart(String)
    }

    let key: String
    let type: String
    let meaning: String
    let reload: Reload
    /// Reads the value and returns what it sets.
    let read: @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> @Sendable (inout ServeSettings) -> Void
    /// Whether two settings agree on this key.
    let same: @Sendable (ServeSettings, ServeSettings) -> Bool

    init<Value: Equatable & Sendable>(
        _ key: String, _ field: WritableKeyPath<ServeSettings, Value> & Sendable, type: String, meaning: String,
        reload: Reload, read: @escaping @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> Value
    ) {
        self.key = key
        self.type = type
        self.meaning = meaning
        self.reload = reload
        self.read = { r, node, keyPath throws(ConfigError) in
            let value = try read(r, node, keyPath)
            return { $0[keyPath: field] = value }
        }
        same = { $0[keyPath: field] == $1[keyPath: field] }
    }

    /// The same for an optional field, set to the value read.
    init<Value: Equatable & Sendable>(
        _ key: String, _ field: WritableKeyPath<ServeSettings, Value?> & Sendable, type: String, meaning: String,
        reload: Reload, read: @escaping @Sendable (ConfigReader, YAMLNode, String) throws(ConfigError) -> Value
    ) {
        self.init(
            key, field, type: type, meaning: meaning, reload: reload,
            read: { r, node, keyPath throws(ConfigError) -> Value? in try read(r, node, keyPath) })
    }
}
