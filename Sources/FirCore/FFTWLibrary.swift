internal import CFFTW

/// The FFTW library this process runs with.
public enum FFTWLibrary {
    /// FFTW's own version string, e.g. "fftw-3.3.10-sse2-avx", read from the loaded library. Any thread.
    public static var version: String { String(cString: firpipe_fftw_version()) }
}
