/// Reading the JACK keys of `serve.stream`, and refusing a key of another backend than the one chosen.
extension ConfigReader {
    /// A JACK client name: JACK refuses empty names, and names longer than `jack_client_name_size()`.
    func jackName(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !node.isNull, !scalar.string.isEmpty else {
            throw ConfigError(
                .wrongType, at: location(of: node), "\(keyPath) must be a name such as 'firpipe', found \(node.foundDescription)")
        }
        guard scalar.string.utf8.count <= 63, !scalar.string.contains(":") else {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "\(keyPath) must be at most 63 bytes without ':' (JACK puts ':' between client and port), found '\(scalar.string)'")
        }
        return scalar.string
    }

    /// A list of full JACK port names (`client:port`).
    func portNames(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> [String] {
        let items = try sequence(node, keyPath, example: "[system:capture_1, system:capture_2]")
        var names: [String] = []
        for item in items {
            guard case .scalar(let scalar) = item, !item.isNull, scalar.string.contains(":") else {
                throw ConfigError(
                    .invalidValue, at: location(of: item),
                    "\(keyPath) holds full port names such as 'system:capture_1', found \(item.foundDescription)")
            }
            names.append(scalar.string)
        }
        return names
    }

    /// A key of the other backend is a mistake worth saying, not a setting to ignore.
    func checkBackendKeys(
        _ backend: StreamBackend, pipeKeys: [(StreamKey, YAMLNode)], jackKeys: [(StreamKey, YAMLNode)]
    ) throws(ConfigError) {
        if backend == .jack, let (key, node) = pipeKeys.first(where: { $0.0 != .format }) {
            throw ConfigError(
                .conflict, at: location(of: node),
                "serve.stream.\(key.rawValue) is for the pipe backend; with backend: jack the audio comes and goes "
                    + "through JACK ports (jack_connect_inputs, jack_connect_outputs)")
        }
        if backend != .jack, let (key, node) = jackKeys.first {
            throw ConfigError(
                .conflict, at: location(of: node),
                "serve.stream.\(key.rawValue) is for the jack backend; add backend: jack or remove it")
        }
    }
}
