/// Suffix array and the internal nodes of the suffix tree, for the unigram trainer's seed pieces.
///
/// sentencepiece builds them with esaxx (an enhanced suffix array over SA-IS); this is the same
/// construction: SA-IS (Nong, Zhang & Chan 2009), the LCP array by the permuted-LCP method
/// (Kärkkäinen et al. 2009), and esaxx's stack walk over the LCP array, which visits the internal
/// nodes in the same order so ties between equally good seeds break the same way.
enum SuffixArray {
    /// The suffix array of `text`, whose symbols are in `0..<alphabetSize`. Suffixes compare
    /// lexicographically, a proper prefix before the longer string.
    static func build(_ text: [Int32], alphabetSize: Int) -> [Int32] {
        let n = text.count
        if n == 0 { return [] }
        // SA-IS wants a unique smallest sentinel at the end: shift symbols up by one and append 0.
        var t = [Int32](repeating: 0, count: n + 1)
        for i in 0..<n { t[i] = text[i] &+ 1 }
        var sa = [Int32](repeating: 0, count: n + 1)
        t.withUnsafeBufferPointer { tp in
            sa.withUnsafeMutableBufferPointer { sp in
                sais(tp.baseAddress!, sp.baseAddress!, n + 1, alphabetSize + 1)
            }
        }
        return Array(sa[1...])  // sa[0] is the sentinel
    }

    /// An internal node of the suffix tree: the suffixes `sa[left..<right]` share their first
    /// `depth` symbols (and no more, as a group).
    struct Node {
        var left: Int32
        var right: Int32
        var depth: Int32
        /// Depth of the parent node (-1 for the root).
        var parentDepth: Int32
    }

    /// Calls `visit` for every internal node of the suffix tree, in esaxx's order.
    static func forEachInternalNode(text: [Int32], sa: [Int32], _ visit: (Node) -> Void) {
        let n = sa.count
        if n == 0 { return }
        var lcp = [Int32](repeating: 0, count: n)
        text.withUnsafeBufferPointer { tp in
            sa.withUnsafeBufferPointer { sp in
                lcp.withUnsafeMutableBufferPointer { hp in
                    computeLCP(tp.baseAddress!, sp.baseAddress!, hp.baseAddress!, n)
                }
            }
        }
        // esaxx's suffixtree(): a stack of (left bound, depth) over the LCP array.
        var stack: [(Int32, Int32)] = [(-1, -1)]
        stack.reserveCapacity(1024)
        lcp.withUnsafeBufferPointer { h in
            sa.withUnsafeBufferPointer { s in
                var i = 0
                while true {
                    var cur: (Int32, Int32) = (Int32(i), i == n ? -1 : h[i])
                    var cand = stack[stack.count - 1]
                    while cand.1 > cur.1 {
                        cur.0 = cand.0
                        stack.removeLast()
                        let popped = cand
                        cand = stack[stack.count - 1]
                        if Int32(i) - popped.0 > 1 {
                            // The parent is the next interval on the stack, or the one about to
                            // be pushed with depth cur.1, whichever is deeper.
                            visit(Node(left: popped.0, right: Int32(i), depth: popped.1, parentDepth: max(cand.1, cur.1)))
                        }
                    }
                    if cand.1 < cur.1 { stack.append(cur) }
                    if i == n { break }
                    stack.append((Int32(i), Int32(n) - s[i] + 1))
                    i += 1
                }
            }
        }
    }

    /// lcp[i] = length of the common prefix of suffixes sa[i-1] and sa[i]; lcp[0] = -1.
    private static func computeLCP(_ t: UnsafePointer<Int32>, _ sa: UnsafePointer<Int32>,
                                   _ lcp: UnsafeMutablePointer<Int32>, _ n: Int) {
        // Φ[sa[i]] = sa[i-1]; PLCP in text order; then permute into suffix order.
        let phi = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        defer { phi.deallocate() }
        phi[Int(sa[0])] = sa[n - 1]
        for i in 1..<n { phi[Int(sa[i])] = sa[i - 1] }
        var h = 0
        for i in 0..<n {  // reuse phi as PLCP
            let j = Int(phi[i])
            while i + h < n && j + h < n && t[i + h] == t[j + h] { h += 1 }
            phi[i] = Int32(h)
            if h > 0 { h -= 1 }
        }
        for i in 0..<n { lcp[i] = phi[Int(sa[i])] }
        lcp[0] = -1
    }

    // MARK: SA-IS

    /// SA-IS on `s[0..<n]` with symbols in `0..<k`; `s[n-1]` must be a unique 0 (the sentinel).
    private static func sais(_ s: UnsafePointer<Int32>, _ sa: UnsafeMutablePointer<Int32>, _ n: Int, _ k: Int) {
        if n == 1 { sa[0] = 0; return }
        // Types: true = S, false = L.
        let isS = UnsafeMutablePointer<Bool>.allocate(capacity: n)
        defer { isS.deallocate() }
        isS[n - 1] = true
        isS[n - 2] = false
        if n >= 3 {
            for i in stride(from: n - 3, through: 0, by: -1) {
                isS[i] = s[i] < s[i + 1] || (s[i] == s[i + 1] && isS[i + 1])
            }
        }
        @inline(__always) func isLMS(_ i: Int) -> Bool { i > 0 && isS[i] && !isS[i - 1] }

        let bucket = UnsafeMutablePointer<Int32>.allocate(capacity: k)
        defer { bucket.deallocate() }
        func fillBuckets(ends: Bool) {
            bucket.initialize(repeating: 0, count: k)
            for i in 0..<n { bucket[Int(s[i])] &+= 1 }
            var sum: Int32 = 0
            for c in 0..<k {
                sum &+= bucket[c]
                bucket[c] = ends ? sum : sum &- bucket[c]
            }
        }
        func induce() {
            fillBuckets(ends: false)
            for i in 0..<n {
                let j = Int(sa[i]) - 1
                if j >= 0 && !isS[j] {
                    let c = Int(s[j])
                    sa[Int(bucket[c])] = Int32(j)
                    bucket[c] &+= 1
                }
            }
            fillBuckets(ends: true)
            for i in stride(from: n - 1, through: 0, by: -1) {
                let j = Int(sa[i]) - 1
                if j >= 0 && isS[j] {
                    let c = Int(s[j])
                    bucket[c] &-= 1
                    sa[Int(bucket[c])] = Int32(j)
                }
            }
        }

        // Stage 1: sort the LMS substrings.
        fillBuckets(ends: true)
        for i in 0..<n { sa[i] = -1 }
        for i in 1..<n where isLMS(i) {
            let c = Int(s[i])
            bucket[c] &-= 1
            sa[Int(bucket[c])] = Int32(i)
        }
        induce()

        // Compact the sorted LMS substrings into sa[0..<n1] and name them.
        var n1 = 0
        for i in 0..<n where isLMS(Int(sa[i])) {
            sa[n1] = sa[i]
            n1 += 1
        }
        for i in n1..<n { sa[i] = -1 }
        var name: Int32 = 0
        var prev = -1
        for i in 0..<n1 {
            let pos = Int(sa[i])
            var diff = false
            var d = 0
            while d < n {
                if prev == -1 || s[pos + d] != s[prev + d] || isS[pos + d] != isS[prev + d] {
                    diff = true
                    break
                } else if d > 0 && (isLMS(pos + d) || isLMS(prev + d)) {
                    break
                }
                d += 1
            }
            if diff { name += 1; prev = pos }
            sa[n1 + pos / 2] = name - 1
        }
        var j = n - 1
        for i in stride(from: n - 1, through: n1, by: -1) where sa[i] >= 0 {
            sa[j] = sa[i]
            j -= 1
        }

        // Stage 2: sort the reduced problem (recursively if names repeat).
        let s1 = sa + (n - n1)
        if Int(name) < n1 {
            sais(UnsafePointer(s1), sa, n1, Int(name))
        } else {
            for i in 0..<n1 { sa[Int(s1[i])] = Int32(i) }
        }

        // Stage 3: induce the full suffix array from the sorted LMS suffixes.
        fillBuckets(ends: true)
        j = 0
        for i in 1..<n where isLMS(i) {
            s1[j] = Int32(i)
            j += 1
        }
        for i in 0..<n1 { sa[i] = s1[Int(sa[i])] }
        for i in n1..<n { sa[i] = -1 }
        for i in stride(from: n1 - 1, through: 0, by: -1) {
            let p = Int(sa[i])
            sa[i] = -1
            let c = Int(s[p])
            bucket[c] &-= 1
            sa[Int(bucket[c])] = Int32(p)
        }
        induce()
    }
}
