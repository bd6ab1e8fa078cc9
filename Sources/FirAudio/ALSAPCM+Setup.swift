internal import CALSA

extension RawSampleFormat {
    /// The ALSA sample format holding the same bytes: s24le is packed 3-byte samples (S24_3LE, what
    /// most 24-bit USB cards take), not S24_LE's 24 bits in 4 bytes.
    var alsaFormat: snd_pcm_format_t {
        switch self {
        case .s16le: SND_PCM_FORMAT_S16_LE
        case .s24le: SND_PCM_FORMAT_S24_3LE
        case .s32le: SND_PCM_FORMAT_S32_LE
        case .f32le: SND_PCM_FORMAT_FLOAT_LE
        }
    }
}

extension ALSAPCM {
    /// Sets the hardware parameters exactly (access, format, channels, rate, period, periods), then the
    /// software ones: playback starts once its buffer is full (the writer primes it), capture on the
    /// first read. Each refusal names the config key and what the device takes instead.
    func configure(format: RawSampleFormat, channels: Int, rate: Int, deviceKey: String) throws(ALSAError) {
        var hw: OpaquePointer?
        guard snd_pcm_hw_params_malloc(&hw) >= 0, let hw else {
            throw ALSAError(kind: .device, key: nil, message: "cannot allocate ALSA parameters", code: -ENOMEM)
        }
        defer { snd_pcm_hw_params_free(hw) }
        let device = "\(direction.rawValue) device '\(name)'"
        try check(snd_pcm_hw_params_any(handle, hw), deviceKey, "\(device) has no configuration")
        try check(
            snd_pcm_hw_params_set_access(handle, hw, SND_PCM_ACCESS_RW_INTERLEAVED), deviceKey,
            "\(device) does not take interleaved reads and writes; use plughw: or a plug PCM")
        guard snd_pcm_hw_params_set_format(handle, hw, format.alsaFormat) >= 0 else {
            let takes = RawSampleFormat.allCases.filter { snd_pcm_hw_params_test_format(handle, hw, $0.alsaFormat) >= 0 }
            let list = takes.isEmpty ? "none of s16le, s24le, s32le, f32le" : takes.map(\.rawValue).joined(separator: ", ")
            throw ALSAError(
                kind: .setting, key: "format",
                message: "\(device) does not take format \(format.rawValue) (\(String(cString: snd_pcm_format_name(format.alsaFormat)))); "
                    + "it takes \(list): set serve.stream.format to one of them, or use plughw: to convert", code: nil)
        }
        try require(snd_pcm_hw_params_set_channels(handle, hw, UInt32(channels)), "channels") {
            let takes = Self.takes(
                hw, { hw, low, _ in snd_pcm_hw_params_get_channels_min(hw, low) },
                { hw, high, _ in snd_pcm_hw_params_get_channels_max(hw, high) })
            return "\(device) does not take \(channels) channels; it takes \(takes)"
        }
        // No resampling by alsa-lib: a rate the card does not run at is the config's mistake.
        snd_pcm_hw_params_set_rate_resample(handle, hw, 0)
        try require(snd_pcm_hw_params_set_rate(handle, hw, UInt32(rate), 0), "rate") {
            "\(device) runs at \(Self.takes(hw, snd_pcm_hw_params_get_rate_min, snd_pcm_hw_params_get_rate_max)) Hz, the "
                + "config says serve.stream.rate: \(rate); set the rate the card runs at (or resample the kernels with it)"
        }
        try require(snd_pcm_hw_params_set_period_size(handle, hw, snd_pcm_uframes_t(periodFrames), 0), "block_size") {
            "\(device) does not take a period of \(periodFrames) frames (the stream's block_size); it takes "
                + "\(Self.takes(hw, snd_pcm_hw_params_get_period_size_min, snd_pcm_hw_params_get_period_size_max)) frames"
        }
        try require(snd_pcm_hw_params_set_periods(handle, hw, UInt32(periods), 0), "periods") {
            "\(device) does not take \(periods) periods of \(periodFrames) frames; it takes "
                + "\(Self.takes(hw, snd_pcm_hw_params_get_periods_min, snd_pcm_hw_params_get_periods_max))"
        }
        try check(snd_pcm_hw_params(handle, hw), deviceKey, "\(device) refused its parameters")

        var sw: OpaquePointer?
        guard snd_pcm_sw_params_malloc(&sw) >= 0, let sw else {
            throw ALSAError(kind: .device, key: nil, message: "cannot allocate ALSA parameters", code: -ENOMEM)
        }
        defer { snd_pcm_sw_params_free(sw) }
        try check(snd_pcm_sw_params_current(handle, sw), deviceKey, "\(device) has no software parameters")
        let start = direction == .playback ? periodFrames * periods : 1
        try check(
            snd_pcm_sw_params_set_start_threshold(handle, sw, snd_pcm_uframes_t(start)), deviceKey,
            "\(device) refused its start threshold")
        try check(
            snd_pcm_sw_params_set_avail_min(handle, sw, snd_pcm_uframes_t(periodFrames)), deviceKey,
            "\(device) refused its wake-up size")
        try check(snd_pcm_sw_params(handle, sw), deviceKey, "\(device) refused its software parameters")
    }

    private func check(_ result: Int32, _ key: String, _ what: String) throws(ALSAError) {
        guard result < 0 else { return }
        throw ALSAError(kind: .device, key: key, message: "\(what): \(Self.text(result))", code: result)
    }

    /// alsa-lib's `snd_pcm_hw_params_get_…_min` / `_max`: parameters, value, direction.
    typealias Getter<T> = (OpaquePointer?, UnsafeMutablePointer<T>?, UnsafeMutablePointer<Int32>?) -> Int32

    /// A refused setting: a config error at `key`, with `message` (made only when needed).
    private func require(_ result: Int32, _ key: String, _ message: () -> String) throws(ALSAError) {
        guard result < 0 else { return }
        throw ALSAError(kind: .setting, key: key, message: message(), code: result)
    }

    /// What the device takes of a parameter, `low` or `low to high`, from its min and max getters. An
    /// open end (dir ≠ 0) means "just above" or "just below": 44100 to 44101 (open) is 44100.
    private static func takes<T: BinaryInteger>(
        _ hw: OpaquePointer, _ min: Getter<T>, _ max: Getter<T>
    ) -> String {
        var low: T = 0, high: T = 0, lowDir: Int32 = 0, highDir: Int32 = 0
        _ = min(hw, &low, &lowDir)
        _ = max(hw, &high, &highDir)
        if lowDir > 0 { low += 1 }
        if highDir < 0 && high > 0 { high -= 1 }
        return low == high ? "\(low)" : "\(low) to \(high)"
    }
}
