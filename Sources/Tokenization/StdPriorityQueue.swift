/// A binary max-heap that pushes and pops exactly as libstdc++'s `std::priority_queue` (its
/// `__push_heap` / `__adjust_heap`), so that among equal elements we pop the same one that
/// sentencepiece's BPE merge loop and n-best A* search pop: ties then resolve identically.
struct StdPriorityQueue<Element: HeapOrdered> {
    private(set) var storage: [Element] = []

    init() {}

    var isEmpty: Bool { storage.isEmpty }
    var count: Int { storage.count }
    var top: Element? { storage.first }

    mutating func reserveCapacity(_ n: Int) { storage.reserveCapacity(n) }
    mutating func removeAll() { storage.removeAll(keepingCapacity: true) }

    mutating func push(_ x: Element) {
        storage.append(x)
        siftUp(hole: storage.count - 1, top: 0, value: x)
    }

    @discardableResult
    mutating func pop() -> Element? {
        guard let first = storage.first else { return nil }
        let n = storage.count
        if n > 1 {
            // std::pop_heap: move the last element out, the top into the last slot, re-heapify.
            let value = storage[n - 1]
            storage[n - 1] = first
            adjust(hole: 0, length: n - 1, value: value)
        }
        storage.removeLast()
        return first
    }

    // std::__push_heap
    private mutating func siftUp(hole: Int, top: Int, value: Element) {
        var hole = hole
        var parent = (hole - 1) / 2
        while hole > top && Element.heapLess(storage[parent], value) {
            storage[hole] = storage[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        storage[hole] = value
    }

    // std::__adjust_heap
    private mutating func adjust(hole: Int, length: Int, value: Element) {
        let top = hole
        var hole = hole
        var second = hole
        while second < (length - 1) / 2 {
            second = 2 * (second + 1)
            if Element.heapLess(storage[second], storage[second - 1]) { second -= 1 }
            storage[hole] = storage[second]
            hole = second
        }
        if length & 1 == 0 && second == (length - 2) / 2 {
            second = 2 * (second + 1)
            storage[hole] = storage[second - 1]
            hole = second - 1
        }
        siftUp(hole: hole, top: top, value: value)
    }
}

/// The order of a `StdPriorityQueue`: `heapLess(a, b)` puts `b` nearer the top (the comparator
/// given to `std::priority_queue`).
protocol HeapOrdered {
    static func heapLess(_ a: Self, _ b: Self) -> Bool
}
