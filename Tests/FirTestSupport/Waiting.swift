import Foundation

/// Polls `condition` every 5 ms until it holds or `timeout` seconds pass; returns whether it held.
/// Waiting on a condition, not sleeping a guessed time: a slow machine only makes it poll longer.
@discardableResult
public func waitUntil(timeout: Double = 30, _ condition: () -> Bool) -> Bool {
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
    while !condition() {
        if DispatchTime.now().uptimeNanoseconds > deadline { return false }
        usleep(5_000)
    }
    return true
}
