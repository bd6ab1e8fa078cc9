import Dispatch
import Synchronization

/// A fixed-capacity FIFO between two pipeline stages: `push` waits while it is full, `pop` waits while
/// it is empty, so a fast stage cannot run ahead of a slow one and memory stays bounded.
///
/// Any number of threads may push and pop. The ring is allocated once; a push or pop is two semaphore
/// operations and a few instructions under a mutex, once per block, never per sample.
public final class BoundedQueue<Element: Sendable>: Sendable {
    private struct Ring: ~Copyable {
        var slots: [Element?]
        var head = 0
        var count = 0
    }

    /// Capacity in elements.
    public let capacity: Int
    private let ring: Mutex<Ring>
    private let items = DispatchSemaphore(value: 0)
    private let spaces = DispatchSemaphore(value: 0)

    /// Makes an empty queue holding at most `capacity` (≥ 1) elements.
    public init(capacity: Int) {
        precondition(capacity >= 1, "queue capacity must be positive")
        self.capacity = capacity
        self.ring = Mutex(Ring(slots: Array(repeating: nil, count: capacity)))
        // Start at zero and signal up: libdispatch traps when a semaphore is freed below its initial
        // value, which a queue that still holds elements at teardown would be.
        for _ in 0..<capacity { spaces.signal() }
    }

    /// Appends `element`, waiting for room. Any thread.
    public func push(_ element: sending Element) {
        spaces.wait()
        ring.withLock { r in
            r.slots[(r.head + r.count) % capacity] = element
            r.count += 1
        }
        items.signal()
    }

    /// Removes the oldest element, waiting for one. Any thread.
    public func pop() -> Element {
        items.wait()
        let element = ring.withLock { r -> Element in
            let e = r.slots[r.head].take()
            r.head = (r.head + 1) % capacity
            r.count -= 1
            return e!  // invariant: `items` counted this slot as filled
        }
        spaces.signal()
        return element
    }

    /// Elements queued now; for tests and statistics only, since it may change at once.
    public var count: Int { ring.withLock { $0.count } }
}
