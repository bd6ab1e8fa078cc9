internal import CSoxr
import Synchronization

/// Converts a kernel's taps from the sample rate it was recorded at to another, with libsoxr's very-high-
/// quality linear-phase recipe, so that a response measured at 44.1 kHz can filter 48 kHz audio.
///
/// Meant to run once, when a kernel is loaded, never on the audio path: each call designs a resampling
/// filter and allocates.
///
/// Stateless; any thread. Calls into libsoxr are serialised by one process-wide lock.
public enum KernelResampler {
    /// Held around every libsoxr call. libsoxr 0.1.3 keeps its FFT tables in a process-wide cache, and
    /// crashes have been reported when several threads resample at once (chirlu/soxr#10). Kernels are
    /// resampled once at load, so threads waiting here cost nothing that matters.
    private static let soxrLock = Mutex(())

    /// The longest result accepted, 2^30 samples (8 GiB as float64, over 6 hours at 48 kHz): anything
    /// longer comes from a wrong rate, and would exhaust memory instead of failing with a message.
    static let maximumCount = 1 << 30

    /// Resamples a signal from rate `from` to rate `to`, with the time alignment and length of
    /// `scipy.signal.resample_poly(samples, to, from)`: output sample k is the band-limited input at time
    /// k/`to`, the input is taken as zero outside its samples, and there are ⌈n·to/from⌉ of them.
    ///
    /// libsoxr's `SOXR_VHQ` recipe (28-bit precision, linear phase): flat to within −100 dB up to 0.68 of
    /// the lower Nyquist frequency (15 kHz at 44.1 kHz), −64 dB at 0.9 of it, then a steep cut to a stopband
    /// from the lower Nyquist frequency on. Computed in float64 throughout.
    ///
    /// A call with `from == to` returns `samples` unchanged, as `resample_poly(x, 1, 1)` does.
    ///
    /// Any thread; calls are serialised.
    ///
    /// - Parameters:
    ///   - samples: the signal at rate `from`.
    ///   - from: the rate `samples` were recorded at, in Hz.
    ///   - to: the rate wanted, in Hz.
    ///   - path: the file the samples came from, to name in an error.
    /// - Throws: `.badData` when a rate is not positive or the result would pass 2^30 samples;
    ///   `.unsupported` when libsoxr refuses the conversion (its reason in the message);
    ///   `.outOfResources` when libsoxr cannot be loaded.
    public static func resample(
        _ samples: [Double], from: Int, to: Int, path: String = "kernel"
    ) throws(AudioError) -> [Double] {
        let outputCount = try checkedOutputCount(samples.count, from: from, to: to, path: path)
        if from == to || samples.isEmpty { return samples }
        if let why = firpipe_soxr_library_error() {
            throw AudioError(
                .outOfResources, path: path,
                message: "the kernel is at \(from) Hz and the audio at \(to) Hz, and libsoxr cannot be loaded "
                    + "(\(String(cString: why))); install it (Debian: libsoxr0) or resample the kernel with another tool")
        }

        // soxr_oneshot writes round(n·to/from) samples for n inputs (measured with libsoxr 0.1.3 over many
        // lengths and rate pairs), one short of resample_poly's ⌈n·to/from⌉ about half the time. Trailing
        // zeros are what resample_poly assumes beyond the end anyway, so ⌈from/to⌉ of them carry soxr past
        // that length; the surplus is cut below.
        let padding = (from + to - 1) / to
        let input = samples + repeatElement(0, count: padding)
        // Room for more than soxr will write: given exactly what it would produce, or less, soxr_oneshot
        // stops before flushing its filter and returns a short result, often none at all (measured: 148
        // samples at 44.1 to 48 kHz, room for 160 gave none, room for 161 gave all 161).
        var output = [Double](repeating: 0, count: outputCount + (padding * to + from - 1) / from + 2)
        var produced = 0
        let failure: String? = soxrLock.withLock { _ in
            // soxr compensates its own filter's delay (the linear-phase filter's centre lands on output
            // time 0), so no samples are skipped here; measured: an impulse at input sample 32768 peaks at
            // the output time 32768·to/from, with zero phase at every passband frequency.
            var io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I)
            var quality = soxr_quality_spec(UInt(SOXR_VHQ) | UInt(SOXR_LINEAR_PHASE), 0)
            var consumed = 0
            let error = input.withUnsafeBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    soxr_oneshot(
                        Double(from), Double(to), 1,
                        inBuffer.baseAddress, inBuffer.count, &consumed,
                        outBuffer.baseAddress, outBuffer.count, &produced,
                        &io, &quality, nil)
                }
            }
            return error.map { String(cString: $0) }
        }
        if let failure {
            throw AudioError(
                .unsupported, path: path,
                message: "libsoxr cannot resample from \(from) Hz to \(to) Hz (\(failure)); "
                    + "resample the kernel to the audio's rate with another tool")
        }
        // Not expected, given the padding and the room above. Checked so that a libsoxr with other rules fails
        // here instead of leaving zeros at the kernel's end.
        guard produced >= outputCount else {
            throw AudioError(
                .unsupported, path: path,
                message: "libsoxr produced \(produced) samples resampling \(samples.count) from \(from) Hz to "
                    + "\(to) Hz, not the \(outputCount) expected; resample the kernel with another tool")
        }
        output.removeLast(output.count - outputCount)
        return output
    }

    /// The kernel for rate `to` that has the same frequency response, in Hz, as `taps` at rate `from`.
    ///
    /// Resampling the taps as a signal keeps their values (the curve they sample), but a discrete
    /// convolution's gain is the sum of its taps: at `to` > `from` there are `to/from` times as many taps
    /// per second of the same curve, and the filter would be that much louder. Scaling by `from/to` keeps
    /// the DC gain Σh, and with it the gain at every frequency the resampler passes. What the kernel does
    /// above about 0.9 of the lower Nyquist frequency (all of a downsampled kernel's top band) is cut, as
    /// it must be.
    ///
    /// The result has ⌈n·to/from⌉ taps and spans the same time as `taps`, as resample_poly's does, so the
    /// kernel keeps its latency. The price is at the edges: the band-limited curve rings a little before
    /// the first tap and after the last, and that ringing is cut. A kernel that starts or ends abruptly (full-
    /// scale noise from tap 0) keeps Σh only to a few 1e-3; one with a few hundred quiet taps at each end (a
    /// measured response's pre-delay and decayed tail, a linear-phase filter) keeps it to 1e-7 or better.
    ///
    /// The taps are converted in float64 and rounded to float32 once, at the end.
    ///
    /// Any thread; calls are serialised.
    ///
    /// - Throws: as ``resample(_:from:to:path:)``.
    public static func resampleKernel(
        _ taps: [Float], from: Int, to: Int, path: String = "kernel"
    ) throws(AudioError) -> [Float] {
        let resampled = try resample(taps.map(Double.init), from: from, to: to, path: path)
        if from == to { return taps }
        let gain = Double(from) / Double(to)
        return resampled.map { Float($0 * gain) }
    }

    /// ⌈n·to/from⌉, after checking both rates are positive and the result is not absurdly long.
    private static func checkedOutputCount(_ n: Int, from: Int, to: Int, path: String) throws(AudioError) -> Int {
        for (name, rate) in [("source", from), ("target", to)] where rate <= 0 {
            throw AudioError(
                .badData, path: path,
                message: "cannot resample: the \(name) sample rate is \(rate) Hz; give a positive rate in Hz")
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: to)
        let count = overflow ? Int.max : product / from + (product % from == 0 ? 0 : 1)
        guard count <= maximumCount else {
            throw AudioError(
                .badData, path: path,
                message: "cannot resample \(n) samples from \(from) Hz to \(to) Hz: the result would have more "
                    + "than \(maximumCount) samples; check the rates")
        }
        return count
    }
}
