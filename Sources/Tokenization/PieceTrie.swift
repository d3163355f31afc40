/// A double-array trie over the UTF-8 bytes of the vocabulary's pieces: the piece lookup of
/// sentencepiece's models (which use darts-clone). Built once per model; walking it costs one
/// addition and one comparison per byte, which is what makes Viterbi over bytes fast.
///
/// Node `s` reaches its child on byte `c` at `t = nodes[s].base + c` when `nodes[t].check == s`;
/// `nodes[t].value` is the id of the piece that ends at `t`, or -1. The root is node 0. Each node
/// also carries a `score` slot its user may fill (the unigram model stores the piece's score there,
/// so that a step of Viterbi touches a single cache line).
struct PieceTrie: Sendable {
    struct Node {
        var base: Int32
        var check: Int32
        var value: Int32
        var score: Float
    }

    private(set) var nodes: [Node]
    /// For each node, the length in bytes of the key that ends there.
    private(set) var depth: [Int32]

    /// Builds the trie of `keys` (non-empty byte strings) with their `values` (ids ≥ 0). When a
    /// key occurs twice the first value is kept.
    init(keys: [[UInt8]], values: [Int32]) {
        precondition(keys.count == values.count)
        let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) || (keys[$0] == keys[$1] && $0 < $1) }
        let sortedKeys = order.map { keys[$0] }
        let sortedValues = order.map { values[$0] }
        var b = Builder()
        b.place(node: 0, keys: sortedKeys, values: sortedValues, range: 0 ..< sortedKeys.count, depth: 0)
        // Pad so that base + 255 is always a valid index: lookups need no bounds checks.
        b.grow(to: b.maxIndex + 257)
        nodes = (0 ..< b.base.count).map { Node(base: b.base[$0], check: b.check[$0], value: b.value[$0], score: 0) }
        depth = b.depth
    }

    /// Sets each terminal node's `score` to `score(value, depth)`, and its value to -1 where
    /// `keep` is false (hiding those pieces from `Nodes` walks).
    mutating func assignScores(_ score: (Int32, Int) -> Float, keep: (Int32) -> Bool) {
        for i in nodes.indices where nodes[i].value >= 0 {
            if keep(nodes[i].value) {
                nodes[i].score = score(nodes[i].value, Int(depth[i]))
            } else {
                nodes[i].value = -1
            }
        }
    }

    /// The id of exactly `key`, or nil.
    func find<C: Collection>(_ key: C) -> Int32? where C.Element == UInt8 {
        var s: Int32 = 0
        for c in key {
            let t = nodes[Int(s)].base &+ Int32(c)
            if nodes[Int(t)].check != s { return nil }
            s = t
        }
        let v = nodes[Int(s)].value
        return v >= 0 && s != 0 ? v : nil
    }

    /// An unsafe view for hot loops; valid inside `body` only.
    func withNodes<R>(_ body: (Nodes) throws -> R) rethrows -> R {
        try nodes.withUnsafeBufferPointer { try body(Nodes(p: $0.baseAddress!)) }
    }

    struct Nodes {
        let p: UnsafePointer<Node>

        /// The child of `s` on byte `c`, or -1.
        @inline(__always) func child(_ s: Int32, _ c: UInt8) -> Int32 {
            let t = p[Int(s)].base &+ Int32(c)
            return p[Int(t)].check == s ? t : -1
        }

        @inline(__always) subscript(_ s: Int32) -> Node { p[Int(s)] }
    }

    private struct Builder {
        var base: [Int32] = [0]
        var check: [Int32] = [-2]  // the root is nobody's child
        var value: [Int32] = [-1]
        var depth: [Int32] = [0]
        /// A doubly linked list of free slots (as darts' builder keeps), so that finding a base
        /// only visits free positions. -1 ends the list.
        var nextFree: [Int32] = [-1]
        var prevFree: [Int32] = [-1]
        var firstFree: Int32 = -1
        var lastFree: Int32 = -1
        var maxIndex = 0

        mutating func grow(to n: Int) {
            guard n > base.count else { return }
            let old = base.count
            let extra = n - old
            base.append(contentsOf: repeatElement(0, count: extra))
            check.append(contentsOf: repeatElement(-1, count: extra))
            value.append(contentsOf: repeatElement(-1, count: extra))
            depth.append(contentsOf: repeatElement(0, count: extra))
            nextFree.append(contentsOf: repeatElement(-1, count: extra))
            prevFree.append(contentsOf: repeatElement(-1, count: extra))
            for i in old ..< n {  // append the new slots to the free list
                prevFree[i] = lastFree
                if lastFree >= 0 { nextFree[Int(lastFree)] = Int32(i) } else { firstFree = Int32(i) }
                lastFree = Int32(i)
            }
        }

        mutating func occupy(_ t: Int, parent: Int, depth d: Int) {
            check[t] = Int32(parent)
            depth[t] = Int32(d)
            let p = prevFree[t], n = nextFree[t]
            if p >= 0 { nextFree[Int(p)] = n } else { firstFree = n }
            if n >= 0 { prevFree[Int(n)] = p } else { lastFree = p }
            maxIndex = max(maxIndex, t)
        }

        /// Lays out the children of `node`, whose keys are `keys[range]` sharing `depth` bytes.
        mutating func place(node: Int, keys: [[UInt8]], values: [Int32], range: Range<Int>, depth: Int) {
            var lo = range.lowerBound
            if lo < range.upperBound && keys[lo].count == depth {
                if node != 0 { value[node] = values[lo] }
                lo += 1
                while lo < range.upperBound && keys[lo].count == depth { lo += 1 }  // duplicates
            }
            // Children: runs of keys with the same byte at `depth`.
            var labels: [UInt8] = []
            var runs: [Range<Int>] = []
            var i = lo
            while i < range.upperBound {
                let c = keys[i][depth]
                var j = i + 1
                while j < range.upperBound && keys[j][depth] == c { j += 1 }
                labels.append(c)
                runs.append(i ..< j)
                i = j
            }
            guard !labels.isEmpty else { return }
            let b = findBase(labels)
            base[node] = Int32(b)
            for c in labels { occupy(b + Int(c), parent: node, depth: depth + 1) }
            for (c, run) in zip(labels, runs) {
                place(node: b + Int(c), keys: keys, values: values, range: run, depth: depth + 1)
            }
        }

        /// A base ≥ 1 whose slots for `labels` are all free, trying free slots in order.
        mutating func findBase(_ labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            var slot = firstFree
            while true {
                if slot < 0 {  // out of free slots: make room past the end
                    let b = max(1, base.count - first)
                    grow(to: b + 257)
                    return b
                }
                let b = Int(slot) - first
                if b >= 1 {
                    grow(to: b + 257)
                    if labels.allSatisfy({ check[b + Int($0)] == -1 }) { return b }
                }
                slot = nextFree[Int(slot)]
            }
        }
    }
}
