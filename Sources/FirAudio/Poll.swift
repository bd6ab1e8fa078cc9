public import Glibc

/// `poll(2)` with a deadline, for every thread of firpipe that waits on descriptors: the stream's
/// reader, the spool's watcher and the control socket's loop. Any thread.
public enum Poll {
    /// Waits until one of `fds` has an event or `deadline` passes (nil: no deadline), retrying after
    /// signals with the time that is left. Returns whether any descriptor has an event; `revents` says
    /// which.
    ///
    /// - Throws: what `failure` makes of errno when poll itself fails (ENOMEM, or more descriptors than
    ///   RLIMIT_NOFILE): a caller that retried at once would spin.
    @discardableResult
    public static func wait<Failure: Error>(
        _ fds: inout [pollfd], until deadline: ContinuousClock.Instant?, _ failure: (Int32) -> Failure
    ) throws(Failure) -> Bool {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                let (seconds, attoseconds) = max(left, .zero).components
                // Rounded up, so a wait never ends a little before its deadline and spins once more.
                timeout = Int32(min(seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000, 60_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready > 0 { return true }
            if ready == 0 {
                guard let deadline, ContinuousClock.now < deadline else { return false }
                continue
            }
            let code = errno
            if code == EINTR { continue }
            throw failure(code)
        }
    }
}
