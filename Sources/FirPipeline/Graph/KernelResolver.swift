import FirAudio
internal import Foundation

/// Turns a job's kernel choice into one ``ChannelFilter`` per input channel, loading each kernel file
/// once and checking channel counts and sample rates against the input.
enum KernelResolver {
    /// The longest kernel accepted: 2^24 taps (about 5.8 minutes at 48 kHz).
    static let maxTaps = 1 << 24

    /// - Parameters:
    ///   - spec: the kernel choice.
    ///   - inputPath: the input, for messages.
    ///   - channels: the input's channel count.
    ///   - sampleRate: the input's rate; kernels with another rate are refused.
    ///   - gainDB: gain for every channel, on top of per-channel gains.
    ///   - fromConfig: errors carry config keys (and become config errors) when true.
    static func resolve(
        _ spec: KernelSpec, inputPath: String, channels: Int, sampleRate: Int, gainDB: Double, fromConfig: Bool
    ) throws(JobError) -> [ChannelFilter] {
        var cache: [String: Kernel] = [:]
        func load(_ path: String, key: String) throws(JobError) -> Kernel {
            if let k = cache[path] { return k }
            let kernel: Kernel
            do { kernel = try KernelLoader.load(path: path) } catch {
                throw JobError(audio: error, configKey: fromConfig ? key : nil)
            }
            if let rate = kernel.sampleRate, rate != sampleRate {
                throw JobError(
                    fromConfig ? .config : .badData,
                    "\(path): kernel sample rate is \(rate) Hz but input \(inputPath) is \(sampleRate) Hz; "
                        + "resample the kernel to \(sampleRate) Hz", configKey: fromConfig ? key : nil)
            }
            if kernel.taps > maxTaps {
                throw JobError(
                    fromConfig ? .config : .badData,
                    "\(path): kernel has \(kernel.taps) taps, more than the \(maxTaps) firpipe supports; shorten it",
                    configKey: fromConfig ? key : nil)
            }
            cache[path] = kernel
            return kernel
        }

        switch spec {
        case .shared(let path):
            let kernel = try load(path, key: "kernel")
            let k = kernel.channels.count
            guard k == 1 || k == channels else {
                throw JobError(
                    fromConfig ? .config : .badData,
                    "\(path): kernel has \(k) channels but input \(inputPath) has \(channels); use a mono kernel, "
                        + "one with \(channels) channels, or one kernel per channel in a config file",
                    configKey: fromConfig ? "kernel" : nil)
            }
            let gain = linearGain(gainDB)
            return (0..<channels).map { c in
                let kc = k == 1 ? 0 : c
                return ChannelFilter(source: "\(path)#\(kc)", taps: kernel.channels[kc], gain: gain)
            }

        case .perChannel(let assignments):
            guard assignments.count == channels else {
                throw JobError(
                    fromConfig ? .config : .usage,
                    "\(assignments.count) per-channel kernels given but input \(inputPath) has \(channels) channels; "
                        + "give exactly one per input channel", configKey: fromConfig ? "channels" : nil)
            }
            var filters: [ChannelFilter] = []
            for (c, a) in assignments.enumerated() {
                let key = "channels.\(c)"
                let kernel = try load(a.path, key: key + ".kernel")
                let k = kernel.channels.count
                let kc = a.channel ?? (k == 1 ? 0 : c)
                guard kc >= 0 && kc < k else {
                    throw JobError(
                        fromConfig ? .config : .usage,
                        "\(a.path): kernel channel \(kc) requested for input channel \(c), but the kernel has "
                            + "\(k) channel\(k == 1 ? "" : "s") (numbered from 0); pick a channel below \(k)",
                        configKey: fromConfig ? key + (a.channel == nil ? ".kernel" : ".channel") : nil)
                }
                filters.append(ChannelFilter(
                    source: "\(a.path)#\(kc)", taps: kernel.channels[kc], gain: linearGain(gainDB + a.gainDB)))
            }
            return filters
        }
    }

    static func linearGain(_ db: Double) -> Float {
        Float(pow(10, db / 20))
    }
}

extension JobError {
    /// The job-level view of an audio error.
    init(audio: AudioError, configKey: String? = nil) {
        let kind: Kind
        switch audio.kind {
        case .missing, .unreadable: kind = .missingInput
        case .badData: kind = .badData
        case .unsupported: kind = .usage
        case .cannotCreate: kind = .cannotCreate
        default: kind = .ioError
        }
        self.init(configKey != nil && kind != .ioError ? .config : kind, audio.description, configKey: configKey)
    }
}
