import FirCore

/// Walks a composed YAML tree, checking every key and value against the schema and recording where
/// each one is.
///
/// Types are checked here on the node tree rather than by `Codable`, because a `DecodingError` knows
/// only a coding path and the user needs a line and column. The first problem found, in file order,
/// is thrown.
struct ConfigReader {
    /// The config file as the user named it, for locations.
    let file: String
    /// The anchor each alias copies, by the alias's position, so errors there can name it.
    let aliases: [AliasPlace: AnchorOrigin]
    /// Positions of every key and value read so far.
    private(set) var positions = KeyPositions()

    init(file: String, aliases: [AliasPlace: AnchorOrigin]) {
        self.file = file
        self.aliases = aliases
    }

    /// The values of a whole document; `root` is `nil` for an empty file.
    mutating func read(_ root: YAMLNode?) throws(ConfigError) -> ConfigValues {
        guard let root, !root.isNull else {
            throw ConfigError(
                .notAMapping, at: .start(of: file),
                "the config file is empty; expected keys such as 'input', 'output' and 'kernel'")
        }
        guard case .mapping(let mapping) = root else {
            throw ConfigError(
                .notAMapping, at: location(of: root),
                "the top level must be a mapping of keys such as 'input: take.wav', found \(root.foundDescription)")
        }
        var values = ConfigValues()
        var kernelKey: YAMLNode?
        var channelsKey: YAMLNode?
        var graphKeys: [YAMLNode] = []
        var pipelineKey: YAMLNode?
        var filters: [String: FilterDefinition] = [:]
        var mixers: [String: MixerDefinition] = [:]
        var pipeline: [PipelineStep] = []
        for (keyNode, value) in mapping {
            if case .scalar(let scalar) = keyNode, let option = JobOptionSchema.option(named: scalar.string) {
                record(option.key, key: keyNode, value: value)
                values.settings.set(try option.read(self, value, option.key))
                continue
            }
            let key: ConfigKey = try topLevelName(of: keyNode)
            let keyPath = key.rawValue
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .input: values.input = try path(value, keyPath)
            case .output: values.output = try path(value, keyPath)
            case .kernel:
                kernelKey = keyNode
                values.kernels = .shared(path: try path(value, keyPath))
            case .channels:
                channelsKey = keyNode
                values.kernels = .perChannel(try channels(value))
            case .serve: values.serve = try serve(value)
            case .filters:
                graphKeys.append(keyNode)
                filters = try self.filters(value)
            case .mixers:
                graphKeys.append(keyNode)
                mixers = try self.mixers(value)
            case .pipeline:
                pipelineKey = keyNode
                pipeline = try self.pipeline(value)

            }
        }
        if let pipelineKey {
            if let other = kernelKey ?? channelsKey {
                throw ConfigError(
                    .conflict, at: location(of: later(pipelineKey, other)),
                    "'pipeline' cannot be given with '\(other.scalar?.string ?? "kernel")': a pipeline names its "
                        + "kernels in 'filters' (type: convolution); use one or the other")
            }
            let graph = GraphSpec(filters: filters, mixers: mixers, pipeline: pipeline)
            try checkNames(graph)
            values.kernels = .graph(graph)
        } else if let first = graphKeys.first {
            throw ConfigError(
                .missingValue, at: location(of: first),
                "'\(first.scalar?.string ?? "filters")' is used only by a 'pipeline'; add 'pipeline:' with the steps "
                    + "that apply them")
        }
        if let kernelKey, let channelsKey {
            throw ConfigError(
                .conflict, at: location(of: later(kernelKey, channelsKey)),
                "'kernel' and 'channels' cannot both be given: use 'kernel' for one file for every channel, "
                    + "or 'channels' for one entry per input channel")
        }
        return values
    }

    /// Whichever of two keys comes second: the line that made the file contradictory.
    private func later(_ a: YAMLNode, _ b: YAMLNode) -> YAMLNode {
        (a.mark.line, a.mark.column) < (b.mark.line, b.mark.column) ? b : a
    }

    // MARK: - Channels

    private mutating func channels(_ node: YAMLNode) throws(ConfigError) -> [KernelAssignment] {
        guard case .sequence(let sequence) = node else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "channels must be a list of entries such as '- kernel: left.wav', found \(node.foundDescription)")
        }
        guard !sequence.isEmpty else {
            throw ConfigError(
                .invalidValue, at: location(of: node), "channels must list at least one entry, one per input channel")
        }
        var assignments: [KernelAssignment] = []
        for (index, entry) in sequence.enumerated() {
            assignments.append(try channel(entry, keyPath: "channels.\(index)"))
        }
        return assignments
    }

    private mutating func channel(_ node: YAMLNode, keyPath entryPath: String) throws(ConfigError) -> KernelAssignment {
        positions.keys[entryPath] = location(of: node)
        positions.values[entryPath] = location(of: node)
        guard case .mapping(let mapping) = node else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "\(entryPath) must be a mapping such as 'kernel: left.wav', found \(node.foundDescription)")
        }
        var path: String?
        var channel: Int?
        var gainDB = 0.0
        for (keyNode, value) in mapping {
            let key: ChannelKey = try name(of: keyNode, in: entryPath)
            let keyPath = "\(entryPath).\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .kernel: path = try self.path(value, keyPath)
            case .channel: channel = try integer(value, keyPath, in: 0...Int.max)
            case .gainDB: gainDB = try gain(value, keyPath)
            }
        }
        guard let path else {
            throw ConfigError(.missingValue, at: location(of: node), "\(entryPath) has no kernel; add 'kernel: FILE'")
        }
        return KernelAssignment(path: path, channel: channel, gainDB: gainDB)
    }

    // MARK: - Keys

    /// A structural top-level key; an unknown one is reported with every allowed key, options included.
    func topLevelName(of keyNode: YAMLNode) throws(ConfigError) -> ConfigKey {
        if case .scalar(let scalar) = keyNode, let key = ConfigKey(rawValue: scalar.string) { return key }
        let allowed = [ConfigKey.input, .output, .kernel, .channels].map(\.rawValue)
            + JobOptionSchema.all.map(\.key) + [ConfigKey.filters, .mixers, .pipeline, .serve].map(\.rawValue)
        guard case .scalar(let scalar) = keyNode else {
            throw ConfigError(
                .wrongType, at: location(of: keyNode), "keys must be names such as 'input', found \(keyNode.foundDescription)")
        }
        let hint = NearMiss.hint(for: scalar.string, among: allowed)
        throw ConfigError(
            .unknownKey, at: location(of: keyNode),
            "unknown key '\(scalar.string)'\(hint); allowed keys: \(allowed.joined(separator: ", "))")
    }

    /// The schema key a key node names; `parent` is the dotted path of the enclosing entry, if any.
    func name<Key: RawRepresentable<String> & CaseIterable>(
        of keyNode: YAMLNode, in parent: String?
    ) throws(ConfigError) -> Key {
        let allowed = Key.allCases.map(\.rawValue)
        guard case .scalar(let scalar) = keyNode else {
            throw ConfigError(
                .wrongType, at: location(of: keyNode),
                "keys must be names such as '\(allowed[0])', found \(keyNode.foundDescription)")
        }
        if let key = Key(rawValue: scalar.string) {
            return key
        }
        let place = parent.map { " in \($0)" } ?? ""
        let hint = NearMiss.hint(for: scalar.string, among: allowed)
        throw ConfigError(
            .unknownKey, at: location(of: keyNode),
            "unknown key '\(scalar.string)'\(place)\(hint); allowed keys: \(allowed.joined(separator: ", "))")
    }

    mutating func record(_ keyPath: String, key: YAMLNode, value: YAMLNode) {
        positions.keys[keyPath] = location(of: key)
        positions.values[keyPath] = location(of: value)
    }
}
