/// The keys of one entry of `filters`; which are allowed depends on its `type`.
enum FilterKey: String, CaseIterable {
    case type, kernel, channel
    case gainDB = "gain_db"
    case normalize, resample, invert, mute, delay, unit, subsample

    /// The keys a filter of `type` takes.
    static func allowed(for type: FilterType) -> [FilterKey] {
        switch type {
        case .convolution: return [.type, .kernel, .channel, .gainDB, .normalize, .resample]
        case .gain: return [.type, .gainDB, .invert, .mute]
        case .delay: return [.type, .delay, .unit, .subsample]
        }
    }
}

/// The filter families.
enum FilterType: String, CaseIterable {
    case convolution, gain, delay
}

enum MixerKey: String, CaseIterable {
    case channels, mapping
}

enum MixerChannelsKey: String, CaseIterable {
    case `in`, out
}

enum MappingKey: String, CaseIterable {
    case dest, sources
}

enum SourceKey: String, CaseIterable {
    case channel
    case gainDB = "gain_db"
    case invert, mute
}

enum StepKey: String, CaseIterable {
    case type, name, names, channels
}

enum StepType: String, CaseIterable {
    case mixer, filter
}

/// Reading `filters`, `mixers` and `pipeline`, and checking that every name the pipeline uses is defined.
extension ConfigReader {
    /// The most channels a mixer may take or make.
    static let channelLimit = 1024

    mutating func filters(_ node: YAMLNode) throws(ConfigError) -> [String: FilterDefinition] {
        let mapping = try self.mapping(node, "filters", example: "room: {type: convolution, kernel: room.wav}")
        var filters: [String: FilterDefinition] = [:]
        for (keyNode, value) in mapping {
            let name = try self.name(keyNode, in: "filters")
            let keyPath = "filters.\(name)"
            record(keyPath, key: keyNode, value: value)
            filters[name] = try filter(value, keyPath)
        }
        return filters
    }

    private mutating func filter(_ node: YAMLNode, _ entryPath: String) throws(ConfigError) -> FilterDefinition {
        let mapping = try self.mapping(node, entryPath, example: "type: convolution")
        guard let typeNode = mapping["type"] else {
            throw ConfigError(
                .missingValue, at: location(of: node),
                "\(entryPath) has no type; add 'type: convolution', 'type: gain' or 'type: delay'")
        }
        let type: FilterType = try choice(typeNode, "\(entryPath).type")
        let allowed = FilterKey.allowed(for: type)
        var kernel: String?
        var conv = ConvolutionFilter(path: "")
        var gain = GainFilter()
        var delay: Double?
        var unit = DelayFilter.Unit.ms
        var subsample = false
        for (keyNode, value) in mapping {
            let key: FilterKey = try name(of: keyNode, in: entryPath)
            guard allowed.contains(key) else {
                throw ConfigError(
                    .unknownKey, at: location(of: keyNode),
                    "'\(key.rawValue)' does not apply to a \(type.rawValue) filter (\(entryPath)); its keys are "
                        + allowed.map(\.rawValue).joined(separator: ", "))
            }
            let keyPath = "\(entryPath).\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .type: break
            case .kernel: kernel = try path(value, keyPath)
            case .channel: conv.channel = try integer(value, keyPath, in: 0...Int(Int32.max))
            case .gainDB:
                let db = try self.gain(value, keyPath)
                conv.gainDB = db
                gain.gainDB = db
            case .normalize: conv.normalize = try choice(value, keyPath)
            case .resample: conv.resample = try boolean(value, keyPath)
            case .invert: gain.invert = try boolean(value, keyPath)
            case .mute: gain.mute = try boolean(value, keyPath)
            case .delay: delay = try decimal(value, keyPath, in: 0...3_600_000)
            case .unit: unit = try choice(value, keyPath)
            case .subsample: subsample = try boolean(value, keyPath)
            }
        }
        switch type {
        case .convolution:
            guard let kernel else {
                throw ConfigError(.missingValue, at: location(of: node), "\(entryPath) has no kernel; add 'kernel: FILE'")
            }
            conv.path = kernel
            return .convolution(conv)
        case .gain:
            return .gain(gain)
        case .delay:
            guard let delay else {
                throw ConfigError(
                    .missingValue, at: location(of: node),
                    "\(entryPath) has no delay; add e.g. 'delay: 1.5' (milliseconds) or 'delay: 72' with 'unit: samples'")
            }
            return .delay(DelayFilter(amount: delay, unit: unit, subsample: subsample))
        }
    }

    mutating func mixers(_ node: YAMLNode) throws(ConfigError) -> [String: MixerDefinition] {
        let mapping = try self.mapping(
            node, "mixers", example: "to_stereo: {channels: {in: 1, out: 2}, mapping: [...]}")
        var mixers: [String: MixerDefinition] = [:]
        for (keyNode, value) in mapping {
            let name = try self.name(keyNode, in: "mixers")
            let keyPath = "mixers.\(name)"
            record(keyPath, key: keyNode, value: value)
            mixers[name] = try mixer(value, keyPath)
        }
        return mixers
    }

    private mutating func mixer(_ node: YAMLNode, _ entryPath: String) throws(ConfigError) -> MixerDefinition {
        let mapping = try self.mapping(node, entryPath, example: "channels: {in: 2, out: 2}")
        var counts: (inputs: Int, outputs: Int)?
        var mappingNode: YAMLNode?
        for (keyNode, value) in mapping {
            let key: MixerKey = try name(of: keyNode, in: entryPath)
            let keyPath = "\(entryPath).\(key.rawValue)"
            record(keyPath, key: keyNode, value: value)
            switch key {
            case .channels: counts = try mixerChannels(value, keyPath)
            case .mapping: mappingNode = value
            }
        }
        guard let counts else {
            throw ConfigError(
                .missingValue, at: location(of: node), "\(entryPath) has no channels; add 'channels: {in: 2, out: 2}'")
        }
        var sources = Array(repeating: [MixerSource](), count: counts.outputs)
        if let mappingNode {
            try mixerMapping(mappingNode, "\(entryPath).mapping", counts: counts, into: &sources)
        }
        return MixerDefinition(inputs: counts.inputs, outputs: counts.outputs, sources: sources)
    }

    private mutating func mixerChannels(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> (Int, Int) {
        let mapping = try self.mapping(node, keyPath, example: "{in: 2, out: 4}")
        var inputs: Int?, outputs: Int?
        for (keyNode, value) in mapping {
            let key: MixerChannelsKey = try name(of: keyNode, in: keyPath)
            let path = "\(keyPath).\(key.rawValue)"
            record(path, key: keyNode, value: value)
            let count = try integer(value, path, in: 1...Self.channelLimit)
            if key == .in { inputs = count } else { outputs = count }
        }
        guard let inputs, let outputs else {
            throw ConfigError(
                .missingValue, at: location(of: node), "\(keyPath) needs both 'in' and 'out', e.g. {in: 2, out: 4}")
        }
        return (inputs, outputs)
    }

    private mutating func mixerMapping(
        _ node: YAMLNode, _ keyPath: String, counts: (inputs: Int, outputs: Int), into sources: inout [[MixerSource]]
    ) throws(ConfigError) {
        let entries = try sequence(node, keyPath, example: "- {dest: 0, sources: [{channel: 0}]}")
        var seen: [Int: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let entryPath = "\(keyPath).\(index)"
            let mapping = try self.mapping(entry, entryPath, example: "{dest: 0, sources: [{channel: 0}]}")
            record(entryPath, key: entry, value: entry)
            var dest: Int?
            var list: [MixerSource] = []
            for (keyNode, value) in mapping {
                let key: MappingKey = try name(of: keyNode, in: entryPath)
                let path = "\(entryPath).\(key.rawValue)"
                record(path, key: keyNode, value: value)
                switch key {
                case .dest:
                    let d = try integer(value, path, in: 0...Int(Int32.max))
                    guard d < counts.outputs else {
                        throw ConfigError(
                            .invalidValue, at: location(of: value),
                            "\(path) is \(d) but the mixer has \(counts.outputs) output channel"
                                + "\(counts.outputs == 1 ? "" : "s") (numbered from 0); use 0 to \(counts.outputs - 1)")
                    }
                    if let earlier = seen[d] {
                        throw ConfigError(
                            .conflict, at: location(of: value),
                            "\(path): output channel \(d) is already mapped by \(keyPath).\(earlier); "
                                + "list all its sources in one entry")
                    }
                    seen[d] = index
                    dest = d
                case .sources:
                    list = try mixerSources(value, path, inputs: counts.inputs)
                }
            }
            guard let dest else {
                throw ConfigError(.missingValue, at: location(of: entry), "\(entryPath) has no dest; add 'dest: 0'")
            }
            sources[dest] = list
        }
    }

    private mutating func mixerSources(
        _ node: YAMLNode, _ keyPath: String, inputs: Int
    ) throws(ConfigError) -> [MixerSource] {
        let entries = try sequence(node, keyPath, example: "- {channel: 0, gain_db: -6}")
        var list: [MixerSource] = []
        for (index, entry) in entries.enumerated() {
            let entryPath = "\(keyPath).\(index)"
            let mapping = try self.mapping(entry, entryPath, example: "{channel: 0, gain_db: -6, invert: false}")
            record(entryPath, key: entry, value: entry)
            var source = MixerSource(channel: -1)
            for (keyNode, value) in mapping {
                let key: SourceKey = try name(of: keyNode, in: entryPath)
                let path = "\(entryPath).\(key.rawValue)"
                record(path, key: keyNode, value: value)
                switch key {
                case .channel:
                    source.channel = try integer(value, path, in: 0...Int(Int32.max))
                    guard source.channel < inputs else {
                        throw ConfigError(
                            .invalidValue, at: location(of: value),
                            "\(path) is \(source.channel) but the mixer takes \(inputs) input channel"
                                + "\(inputs == 1 ? "" : "s") (numbered from 0); use 0 to \(inputs - 1)")
                    }
                case .gainDB: source.gainDB = try gain(value, path)
                case .invert: source.invert = try boolean(value, path)
                case .mute: source.mute = try boolean(value, path)
                }
            }
            guard source.channel >= 0 else {
                throw ConfigError(.missingValue, at: location(of: entry), "\(entryPath) has no channel; add 'channel: 0'")
            }
            list.append(source)
        }
        return list
    }

    /// The pipeline's steps; names are checked against `filters` and `mixers` by ``checkNames``.
    mutating func pipeline(_ node: YAMLNode) throws(ConfigError) -> [PipelineStep] {
        let entries = try sequence(node, "pipeline", example: "- {type: filter, names: [room]}")
        var steps: [PipelineStep] = []
        for (index, entry) in entries.enumerated() {
            let entryPath = "pipeline.\(index)"
            let mapping = try self.mapping(entry, entryPath, example: "{type: filter, channels: [0, 1], names: [room]}")
            record(entryPath, key: entry, value: entry)
            guard let typeNode = mapping["type"] else {
                throw ConfigError(
                    .missingValue, at: location(of: entry), "\(entryPath) has no type; add 'type: filter' or 'type: mixer'")
            }
            let type: StepType = try choice(typeNode, "\(entryPath).type")
            var name: String?, names: [String]?, channels: [Int]?
            for (keyNode, value) in mapping {
                let key: StepKey = try self.name(of: keyNode, in: entryPath)
                let path = "\(entryPath).\(key.rawValue)"
                let fits = key == .type || (type == .mixer ? key == .name : key != .name)
                guard fits else {
                    throw ConfigError(
                        .unknownKey, at: location(of: keyNode),
                        "'\(key.rawValue)' does not apply to a \(type.rawValue) step (\(entryPath)); "
                            + (type == .mixer ? "a mixer step takes 'name'" : "a filter step takes 'names' and 'channels'"))
                }
                record(path, key: keyNode, value: value)
                switch key {
                case .type: break
                case .name: name = try self.name(value, in: path)
                case .names:
                    let list = try sequence(value, path, example: "[room, delay]")
                    guard !list.isEmpty else {
                        throw ConfigError(.invalidValue, at: location(of: value), "\(path) must name at least one filter")
                    }
                    var collected: [String] = []
                    for (i, item) in list.enumerated() {
                        let itemPath = "\(path).\(i)"
                        record(itemPath, key: item, value: item)
                        collected.append(try self.name(item, in: itemPath))
                    }
                    names = collected
                case .channels:
                    let list = try sequence(value, path, example: "[0, 1]")
                    guard !list.isEmpty else {
                        throw ConfigError(
                            .invalidValue, at: location(of: value),
                            "\(path) must list at least one channel; leave it out for every channel")
                    }
                    var collected: [Int] = []
                    for (i, item) in list.enumerated() {
                        let itemPath = "\(path).\(i)"
                        record(itemPath, key: item, value: item)
                        let c = try integer(item, itemPath, in: 0...Self.channelLimit - 1)
                        guard !collected.contains(c) else {
                            throw ConfigError(.conflict, at: location(of: item), "\(itemPath): channel \(c) is listed twice")
                        }
                        collected.append(c)
                    }
                    channels = collected
                }
            }
            switch type {
            case .mixer:
                guard let name else {
                    throw ConfigError(.missingValue, at: location(of: entry), "\(entryPath) has no name; add 'name: MIXER'")
                }
                steps.append(.mixer(name))
            case .filter:
                guard let names else {
                    throw ConfigError(.missingValue, at: location(of: entry), "\(entryPath) has no names; add 'names: [FILTER]'")
                }
                steps.append(.filters(names, channels: channels))
            }
        }
        return steps
    }

    /// Every name the pipeline uses must be defined; an unknown one gets a near-miss hint.
    func checkNames(_ graph: GraphSpec) throws(ConfigError) {
        for (index, step) in graph.pipeline.enumerated() {
            switch step {
            case .mixer(let name):
                guard graph.mixers[name] == nil else { continue }
                throw unknownName(name, kind: "mixer", among: Array(graph.mixers.keys), at: "pipeline.\(index).name")
            case .filters(let names, _):
                for (i, name) in names.enumerated() where graph.filters[name] == nil {
                    throw unknownName(
                        name, kind: "filter", among: Array(graph.filters.keys), at: "pipeline.\(index).names.\(i)")
                }
            }
        }
    }

    private func unknownName(_ name: String, kind: String, among defined: [String], at keyPath: String) -> ConfigError {
        let hint = NearMiss.hint(for: name, among: defined.sorted())
        let list = defined.isEmpty ? "none is defined; add it under '\(kind)s'" : "defined: \(defined.sorted().joined(separator: ", "))"
        return ConfigError(
            .invalidValue, at: positions.values[keyPath] ?? .start(of: file),
            "\(keyPath): no \(kind) named '\(name)'\(hint); \(list)")
    }

    /// A filter or mixer name: letters, digits, `_` and `-`, so it can stand in a dotted key path.
    private func name(_ node: YAMLNode, in keyPath: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !node.isNull, !scalar.string.isEmpty else {
            throw ConfigError(.wrongType, at: location(of: node), "\(keyPath) must be a name, found \(node.foundDescription)")
        }
        let ok = scalar.string.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
        guard ok else {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "'\(scalar.string)' in \(keyPath) is not a valid name; use letters, digits, '_' and '-'")
        }
        return scalar.string
    }
}
