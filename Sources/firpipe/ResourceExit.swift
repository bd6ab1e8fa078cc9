import ArgumentParser
import FirCore

/// Runs `body`, turning a refused thread or allocation into firpipe's one stderr line and EX_OSERR,
/// for the commands that do not run a job (`bench`, `wisdom`); a job reports its own. Caller's thread.
func resources<T>(while doing: String, _ body: () throws(ResourceError) -> T) throws(ExitCode) -> T {
    do {
        return try body()
    } catch {
        throw fail("\(error) while \(doing); try a smaller size or a larger memory limit", code: SysExits.osError)
    }
}
