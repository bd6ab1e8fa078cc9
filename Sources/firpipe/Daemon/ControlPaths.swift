/// Where the control socket lives, decided the same way by the daemon that binds it and by
/// `firpipe status` and `firpipe reload` that connect to it.
enum ControlPaths {
    /// The runtime directory when systemd gives none: the units' `RuntimeDirectory=firpipe`.
    static let defaultRuntimeDirectory = "/run/firpipe"
    /// The instance name without a config: the plain unit's `/etc/firpipe/firpipe.yaml`.
    static let defaultName = "firpipe"

    /// The control socket's path, first match wins:
    /// 1. `explicit` (`--socket PATH`);
    /// 2. `configured` (the config's `serve.control_socket`);
    /// 3. `$RUNTIME_DIRECTORY/NAME.sock` (the first directory, when systemd lists several with ":");
    /// 4. `/run/firpipe/NAME.sock`;
    /// where NAME is the config file's base name without extension (`room` for /etc/firpipe/room.yaml).
    static func socket(
        configPath: String?, explicit: String?, configured: String?, environment: [String: String]
    ) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let configured, !configured.isEmpty { return configured }
        let name = instanceName(configPath: configPath)
        let runtime = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first.map(String.init)
        let directory = runtime ?? defaultRuntimeDirectory
        return (directory.hasSuffix("/") ? directory : directory + "/") + name + ".sock"
    }

    /// The config file's base name without its extension; ``defaultName`` without a config.
    static func instanceName(configPath: String?) -> String {
        guard let configPath, let base = configPath.split(separator: "/").last else { return defaultName }
        let stem = base.lastIndex(of: ".").map { base[..<$0] } ?? base
        return stem.isEmpty ? String(base) : String(stem)
    }

    /// The systemd unit that serves the socket at `socketPath`, for hints: `firpipe@room` for
    /// `…/room.sock`, and the plain `firpipe` for `…/firpipe.sock`.
    static func unitName(socketPath: String) -> String {
        let name = instanceName(configPath: socketPath)
        return name == defaultName ? defaultName : "firpipe@" + name
    }
}
