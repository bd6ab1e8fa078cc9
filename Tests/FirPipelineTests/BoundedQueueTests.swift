import FirPipeline
import Foundation
import Testing

/// `BoundedQueue`: first in, first out across threads, and never more than its capacity inside.
@Suite struct BoundedQueueTests {
    @Test func keepsOrderAcrossThreads() {
        let queue = BoundedQueue<Int>(capacity: 3)
        let producer = Thread {
            for i in 0..<10_000 { queue.push(i) }
        }
        producer.start()
        var received: [Int] = []
        for _ in 0..<10_000 { received.append(queue.pop()) }
        #expect(received == Array(0..<10_000))
    }

    @Test func neverHoldsMoreThanItsCapacity() {
        let queue = BoundedQueue<Int>(capacity: 2)
        let producer = Thread {
            for i in 0..<2_000 { queue.push(i) }
        }
        producer.start()
        var most = 0
        for _ in 0..<2_000 {
            most = max(most, queue.count)
            _ = queue.pop()
        }
        #expect(most <= 2)
    }
}
