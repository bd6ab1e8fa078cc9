import FirAudio
import Logging
internal import FoundationEssentials

extension Spool {
    /// Removes the temporary files that ``AtomicOutputFile`` left in `directory` when a run was killed
    /// before it could commit or discard them. The directories belong to this spool alone, so every
    /// such file is a leftover: no other run writes there. Best effort, logged. Caller's thread (start).
    func removeLeftovers(in directory: String) {
        let names: [String]
        do { names = try SpoolSystem.names(in: directory) } catch {
            logger.info("spool cannot look for leftover temporary files", metadata: ["reason": "\(error)"])
            return
        }
        for name in names where AtomicOutputFile.isTemporaryName(name) {
            let path = directory + "/" + name
            do throws(SpoolSystemError) {
                try SpoolSystem.remove(path)
                logger.info("spool removed a leftover temporary file", metadata: ["file": "\(path)"])
            } catch {
                logger.info("spool cannot remove a leftover temporary file", metadata: ["reason": "\(error)"])
            }
        }
    }

    /// Removes a processed input and syncs the inbox, so that the removal, which must follow the
    /// output's commit, also reaches the disk after it. Job thread.
    func removeInput(_ input: String) throws(SpoolSystemError) {
        try SpoolSystem.remove(input)
        try SpoolSystem.syncDirectory(settings.inbox)
    }

    /// Moves inbox file `name` to the failed directory under the first free name of `NAME`, `NAME.1`,
    /// `NAME.2`…, beside `<that name>.error` holding `reason` and the time in UTC on one line.
    ///
    /// The report is written (temporary file, rename) before the input moves: after a crash in between
    /// the input is still in the inbox and fails again into the same free name, overwriting the report,
    /// so no report is left orphaned and no input is lost. Job thread.
    ///
    /// - Returns: the path the input now has.
    func moveToFailed(_ name: String, reason: JobError) throws(SpoolSystemError) -> String {
        let input = settings.inbox + "/" + name
        let line = Date().ISO8601Format() + " " + reason.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        return try failedDirectory.withLock { _ throws(SpoolSystemError) -> String in
            var slot = name, number = 0
            while SpoolSystem.exists(settings.failed + "/" + slot) {
                number += 1
                slot = "\(name).\(number)"
            }
            let destination = settings.failed + "/" + slot
            try writeReport(line + "\n", to: destination + ".error")
            try SpoolSystem.rename(input, to: destination)
            try SpoolSystem.syncDirectory(settings.failed)
            try SpoolSystem.syncDirectory(settings.inbox)
            return destination
        }
    }

    /// Writes `text` to `path` through a temporary file beside it and a rename, so that a reader never
    /// sees half a report.
    private func writeReport(_ text: String, to path: String) throws(SpoolSystemError) {
        let file: AtomicOutputFile
        do { file = try AtomicOutputFile(finalPath: path) } catch {
            throw SpoolSystemError(path: path, what: "cannot be created: \(error.message)")
        }
        // `file` removes its temporary file when it goes away uncommitted, also when this throws.
        try SpoolSystem.writeDurably(Array(text.utf8), to: file.temporaryPath)
        do { try file.commit() } catch {
            throw SpoolSystemError(path: path, what: "cannot be put in place: \(error.message)")
        }
    }
}
