import FirAudio

extension JobSpec {
    /// The job's filter compiled for its input (channel count and rate from the input's header), for
    /// `firpipe inspect --config`: every path from an input channel to an output channel with its taps
    /// and gain, delays and mixers folded in. Caller's thread; reads the kernels.
    ///
    /// - Throws: ``JobError`` as `check` reports it: a missing input or kernel, a config error.
    public func filterMatrix(fromConfig: Bool) throws(JobError) -> (matrix: FilterMatrix, sampleRate: Int) {
        let reader: AudioFileReader
        do { reader = try AudioFileReader(path: input) } catch { throw JobError(audio: error) }
        let info = reader.info
        reader.close()
        let matrix = try KernelResolver.resolve(
            kernels, inputPath: input, channels: info.channels, sampleRate: info.sampleRate, gainDB: gainDB,
            mode: mode, resampleKernels: resampleKernels, fromConfig: fromConfig)
        return (matrix, info.sampleRate)
    }
}
