@testable import FirAudio
import Testing

/// ``HeaderLog``: the notes libsndfile leaves when a file is shorter than its header says. The reader's
/// tests check real truncated files; these check the cases that must *not* count as truncation.
@Suite("HeaderLog")
struct HeaderLogTests {
    @Test("a data chunk cut short is a shortfall in bytes")
    func data() {
        let log = "File : x.wav\nRIFF : 60036 (should be 30014)\nWAVE\nfmt  : 16\ndata : 60000 (should be 29978)\nEnd\n"
        #expect(HeaderLog.shortfall(in: log) == .bytes(chunk: "data", promised: 60000, present: 29978))
    }

    @Test("the RF64 ds64 frame count mismatch is a shortfall in frames")
    func ds64() {
        let log = "data : 0xFFFFFFFF\nEnd\n*** Calculated frame count 4991 does not match value from 'ds64' chunk of 10000.\n"
        #expect(HeaderLog.shortfall(in: log) == .frames(promised: 10000, present: 4991))
    }

    @Test("not truncation: complete files, streaming placeholders, a missing pad byte, a longer file", arguments: [
        "RIFF : 2036\nWAVE\ndata : 2000\nEnd\n",
        "RIFF : 4294967295\n*** 'data' chunk should be an even number of bytes in length.\ndata : 4294967295 (should be 2000)\n",
        "data : 2147479552 (should be 2000)\n",
        "data : 1001 (should be 1000)\n",
        "data : 1000 (should be 1200)\n",
        "riff : 30059 (should be 30052)\n",
        "*** Calculated frame count 5000 does not match value from 'ds64' chunk of 4000.\n",
        "RIFF : 60036 (should be 30014)\n",
    ])
    func notTruncated(log: String) {
        #expect(HeaderLog.shortfall(in: log) == nil)
    }
}
