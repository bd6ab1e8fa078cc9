import FirAudio
import Glibc

/// What `firpipe` checks and gathers before anything else runs, Dispatch included.
enum StartUp {
    /// Descriptors the start needs: the signal pipe (``Interrupts``), and what Dispatch opens for itself
    /// when a command uses it: its epoll instance and eventfd (without which it traps, SIGILL with no
    /// message, as at `ulimit -n 4`) and a timerfd. Files firpipe opens later report their own EMFILE as
    /// one line and EX_OSERR.
    static let dispatchDescriptors = 5

    /// One line saying why firpipe cannot start when fewer than ``dispatchDescriptors`` descriptors can
    /// be opened (`ulimit -n` too low); nil when they can. Call before anything touches Dispatch. Main
    /// thread, once.
    static func descriptorShortage() -> String? {
        var probes: [Int32] = []
        defer { for fd in probes { close(fd) } }
        while probes.count < dispatchDescriptors {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                probes.append(fd)
                continue
            }
            let code = errno
            // Anything but a shortage (no /dev/null in a sandbox) says nothing about the limit.
            guard let failure = AudioError.outOfResources("firpipe", code) else { return nil }
            return "firpipe: too few file descriptors to start: "
                + "\(failure.message.replacing("cannot be opened: ", with: ""))"
        }
        return nil
    }

    /// The command line's arguments after the program's name, each file name's bytes kept as they are:
    /// `CommandLine.arguments` replaces bytes that are not UTF-8 with U+FFFD, so a file named so could
    /// not be opened and an output would be written under another name (see ``PlatformPath``).
    static func arguments() -> [String] {
        (1..<Int(CommandLine.argc)).compactMap { i in
            CommandLine.unsafeArgv[i].map { PlatformPath.string(fromCString: $0) }
        }
    }
}
