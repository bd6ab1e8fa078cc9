internal import CSystem

/// What libsndfile's header-parsing log says about a file that is shorter than its header promises.
///
/// libsndfile opens such a file without an error: it shrinks the data length to what is there and only
/// notes the difference in its log (`SFC_GET_LOG_INFO`). For the RIFF family and AIFF the log is the only
/// place the promised length survives, so the reader looks for these notes (as written by libsndfile
/// 1.0.x to 1.2.x; the reader's tests pin them for every container):
///
///     data : 60000 (should be 29978)          WAV, WAVEX
///     SSND : 60008 (should be 29981)          AIFF
///     riff : 60104 (should be 30052)          W64 (which logs its data chunk without a check)
///     *** Calculated frame count 4991 does not match value from 'ds64' chunk of 10000.    RF64
///
/// CAF and FLAC need none of this: libsndfile refuses a truncated CAF at open, and a truncated FLAC fails
/// or ends early on read, which the reader checks against the STREAMINFO frame count.
///
/// Pure value logic; any thread.
enum HeaderLog {
    /// How a truncated file falls short.
    enum Shortfall: Equatable {
        /// The header gives `chunk` (as libsndfile names it) `promised` bytes; only `present` are there.
        case bytes(chunk: String, promised: Int, present: Int)
        /// The header promises `promised` frames; only `present` are there.
        case frames(promised: Int, present: Int)
    }

    /// Sizes that streaming writers put in a header they cannot go back and fix; a file carrying one was
    /// never promised to be that long, so it is not truncated.
    static let streamingPlaceholders: Set<Int> = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x7FFF_F000]

    /// The shortfall the log reports, or nil when it reports none.
    static func shortfall(in log: String) -> Shortfall? {
        // Every file opened passes here, and an intact one's log holds neither phrase: a byte search
        // first, as the line parsing below (its string searching set up at first use) took 0.3 ms of
        // a 1 s file's `process`.
        guard contains(log, "should be") || contains(log, "does not match") else { return nil }
        for rawLine in log.split(whereSeparator: \.isNewline) {
            let line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if let found = sizeCheck(line) { return found }
            if let found = ds64Check(line) { return found }
        }
        return nil
    }

    /// Whether `text` holds `phrase`, compared byte by byte (libc's `memmem`).
    private static func contains(_ text: String, _ phrase: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            memmem(bytes.baseAddress, bytes.count, phrase.utf8Start, phrase.utf8CodeUnitCount) != nil
        }
    }

    /// `<marker> : N (should be M)` for the chunk markers whose size bounds the audio data.
    private static func sizeCheck(_ line: Substring) -> Shortfall? {
        // A data chunk one byte short is a missing pad byte, not lost audio. W64 pads chunks to 8 bytes.
        let slack: [Substring: Int] = ["data": 1, "SSND": 1, "riff": 7]
        guard let separator = line.firstRange(of: " : ") else { return nil }
        guard let allowed = slack[line[..<separator.lowerBound]] else { return nil }
        let rest = line[separator.upperBound...]
        guard let open = rest.firstRange(of: " (should be "), rest.hasSuffix(")"),
              let promised = Int(rest[..<open.lowerBound]),
              let present = Int(rest[open.upperBound..<rest.index(before: rest.endIndex)])
        else { return nil }
        guard promised - present > allowed, !streamingPlaceholders.contains(promised) else { return nil }
        let chunk = String(line[..<separator.lowerBound])
        return .bytes(chunk: chunk, promised: promised, present: present)
    }

    /// RF64 states the frame count in its ds64 chunk and logs a mismatch with the data that is there.
    private static func ds64Check(_ line: Substring) -> Shortfall? {
        let prefix = "*** Calculated frame count "
        let middle = " does not match value from 'ds64' chunk of "
        guard line.hasPrefix(prefix), let split = line.firstRange(of: middle) else { return nil }
        let presentText = line[line.index(line.startIndex, offsetBy: prefix.count)..<split.lowerBound]
        let promisedText = line[split.upperBound...].prefix(while: \.isNumber)
        guard let present = Int(presentText), let promised = Int(promisedText), present < promised else {
            return nil
        }
        return .frames(promised: promised, present: present)
    }

    /// The reader's message for a shortfall: what is wrong and what to do.
    static func message(for shortfall: Shortfall) -> String {
        switch shortfall {
        case let .bytes(chunk, promised, present):
            return "is truncated: its header gives the '\(chunk)' chunk \(promised) bytes but only \(present) are there; "
                + "re-export or re-copy the file"
        case let .frames(promised, present):
            return "is truncated: its header promises \(promised) frames but only \(present) are there; "
                + "re-export or re-copy the file"
        }
    }
}
