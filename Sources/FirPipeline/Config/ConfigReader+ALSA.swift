
/// Reading the ALSA keys of `serve.stream` (``StreamKey``): which backend, which devices, how many periods.
extension ConfigReader {
    /// The devices of a stream as its keys give them, or nil for another backend. `values` holds the
    /// value node of every key given, for the errors' positions.
    func alsaDevices(
        _ devices: ALSAStreamDevices, backend: StreamBackend, values: [StreamKey: YAMLNode], stream: YAMLNode
    ) throws(ConfigError) -> ALSAStreamDevices? {
        let deviceKeys: [StreamKey] = [.captureDevice, .playbackDevice, .periods]
        switch backend {
        case .pipe, .jack:
            if let key = deviceKeys.first(where: { values[$0] != nil }), let value = values[key] {
                throw ConfigError(
                    .conflict, at: location(of: value),
                    "serve.stream.\(key.rawValue) needs backend: alsa (the stream's backend is \(backend.rawValue)); "
                        + "add 'backend: alsa' or remove it")
            }
            return nil
        case .alsa:
            guard devices.capture != nil || devices.playback != nil else {
                throw ConfigError(
                    .missingValue, at: location(of: values[.backend] ?? stream),
                    "serve.stream with backend: alsa needs 'capture_device', 'playback_device' or both (a side "
                        + "without one stays a pipe), e.g. capture_device: hw:1, playback_device: hw:1")
            }
            for (pipe, device) in [(StreamKey.input, StreamKey.captureDevice), (.output, .playbackDevice)] {
                if let value = values[pipe], values[device] != nil {
                    throw ConfigError(
                        .conflict, at: location(of: value),
                        "serve.stream has both \(pipe.rawValue) and \(device.rawValue); the device takes the "
                            + "pipe's place, so remove \(pipe.rawValue)")
                }
            }
            return devices
        }
    }

    /// An ALSA PCM name: a non-empty string on one line (`hw:1,0`, `plughw:CARD=Device`, `default`, an
    /// asoundrc's own name). Whether the configuration defines it is ``ServeConfig``'s check.
    func deviceName(_ node: YAMLNode, _ keyPath: String) throws(ConfigError) -> String {
        guard case .scalar(let scalar) = node, !node.isNull else {
            throw ConfigError(
                .wrongType, at: location(of: node),
                "\(keyPath) must be an ALSA device name such as hw:1 or plughw:CARD=Device, found \(node.foundDescription)")
        }
        let name = scalar.string
        guard !name.trimmingSpaces().isEmpty,
              !name.contains(where: { $0.isNewline || $0 == "\0" })
        else {
            throw ConfigError(
                .invalidValue, at: location(of: node),
                "\(keyPath) must be an ALSA device name such as hw:1 or plughw:CARD=Device, found '\(name)'")
        }
        return name
    }
}
