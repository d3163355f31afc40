/// Construction of a darts-clone double-array trie (darts-clone 0.32, as vendored by
/// sentencepiece in third_party/darts_clone/darts.h), ported so that the units we produce are
/// bit-for-bit the ones `Darts::DoubleArray::build` produces for the same sorted keys and values.
/// With values, darts-clone first builds a minimal DAWG (shared suffixes) and lays that out; this
/// is the only mode sentencepiece's normalizer builder uses, so it is the only one ported.
///
/// Unit layout (32 bits): bit 31 marks a value unit (value in bits 0–30); otherwise bits 0–7 are
/// the label, bit 8 "has leaf", bit 9 selects the offset encoding and bits 10–31 the offset.
enum DoubleArrayBuilder {
    enum BuildError: Error, CustomStringConvertible {
        case unsortedKeys(index: Int)
        case emptyKey(index: Int)
        case nulInKey(index: Int)
        case negativeValue(index: Int)
        case offsetTooLarge

        var description: String {
            switch self {
            case .unsortedKeys(let i): return "double-array build: key \(i) is out of order (keys must be sorted bytewise and unique)"
            case .emptyKey(let i): return "double-array build: key \(i) is empty"
            case .nulInKey(let i): return "double-array build: key \(i) contains a NUL byte"
            case .negativeValue(let i): return "double-array build: value \(i) is negative"
            case .offsetTooLarge: return "double-array build: too many keys (offset exceeds 2^29)"
            }
        }
    }

    /// The units of a double array holding `keys` (sorted bytewise, unique, non-empty, no NUL
    /// bytes) with `values` (non-negative).
    static func build(keys: [[UInt8]], values: [Int32]) throws -> [UInt32] {
        precondition(keys.count == values.count)
        var dawg = DawgBuilder()
        for i in keys.indices {
            if keys[i].isEmpty { throw BuildError.emptyKey(index: i) }
            if values[i] < 0 { throw BuildError.negativeValue(index: i) }
            if keys[i].contains(0) { throw BuildError.nulInKey(index: i) }
            try dawg.insert(keys[i], value: values[i], index: i)
        }
        dawg.finish()
        var builder = ArrayBuilder()
        try builder.build(from: dawg)
        return builder.units
    }
}

// MARK: - Succinct bit vector (darts-clone BitVector)

private struct BitVector {
    var units: [UInt32] = []
    var ranks: [UInt32] = []
    var numOnes = 0
    var size = 0

    subscript(id: Int) -> Bool { (units[id / 32] >> UInt32(id % 32)) & 1 == 1 }

    func rank(_ id: Int) -> UInt32 {
        let unitID = id / 32
        return ranks[unitID] &+ UInt32((units[unitID] & (UInt32.max >> UInt32(32 - (id % 32) - 1))).nonzeroBitCount)
    }

    mutating func set(_ id: Int, _ bit: Bool) {
        if bit { units[id / 32] |= 1 << UInt32(id % 32) } else { units[id / 32] &= ~(1 << UInt32(id % 32)) }
    }

    mutating func append() {
        if size % 32 == 0 { units.append(0) }
        size += 1
    }

    mutating func build() {
        ranks = [UInt32](repeating: 0, count: units.count)
        numOnes = 0
        for i in units.indices {
            ranks[i] = UInt32(numOnes)
            numOnes += units[i].nonzeroBitCount
        }
    }
}

// MARK: - DAWG builder (darts-clone DawgBuilder)

private struct DawgNode {
    var child: UInt32 = 0     // also the value of a leaf (label 0) node
    var sibling: UInt32 = 0
    var label: UInt8 = 0
    var isState = false
    var hasSibling = false

    var unit: UInt32 {
        if label == 0 { return (child << 1) | (hasSibling ? 1 : 0) }
        return (child << 2) | (isState ? 2 : 0) | (hasSibling ? 1 : 0)
    }
}

private struct DawgBuilder {
    private var nodes: [DawgNode] = []
    private(set) var units: [UInt32] = []
    private(set) var labels: [UInt8] = []
    private(set) var isIntersections = BitVector()
    private var table: [UInt32] = []
    private var nodeStack: [UInt32] = []
    private var recycleBin: [UInt32] = []
    private var numStates = 0

    init() {
        table = [UInt32](repeating: 0, count: 1 << 10)
        _ = appendNode()
        _ = appendUnit()
        numStates = 1
        nodes[0].label = 0xFF
        nodeStack.append(0)
    }

    var root: UInt32 { 0 }
    var size: Int { units.count }
    func child(_ id: UInt32) -> UInt32 { units[Int(id)] >> 2 }
    func sibling(_ id: UInt32) -> UInt32 { units[Int(id)] & 1 == 1 ? id + 1 : 0 }
    func value(_ id: UInt32) -> UInt32 { units[Int(id)] >> 1 }
    func isLeaf(_ id: UInt32) -> Bool { labels[Int(id)] == 0 }
    func label(_ id: UInt32) -> UInt8 { labels[Int(id)] }
    func isIntersection(_ id: UInt32) -> Bool { isIntersections[Int(id)] }
    func intersectionID(_ id: UInt32) -> UInt32 { isIntersections.rank(Int(id)) &- 1 }
    var numIntersections: Int { isIntersections.numOnes }

    mutating func finish() {
        flush(0)
        units[0] = nodes[0].unit
        labels[0] = nodes[0].label
        nodes = []
        table = []
        nodeStack = []
        recycleBin = []
        isIntersections.build()
    }

    mutating func insert(_ key: [UInt8], value: Int32, index: Int) throws {
        let length = key.count
        var id: UInt32 = 0
        var keyPos = 0
        while keyPos <= length {
            let childID = nodes[Int(id)].child
            if childID == 0 { break }
            let keyLabel: UInt8 = keyPos < length ? key[keyPos] : 0
            let unitLabel = nodes[Int(childID)].label
            if keyLabel < unitLabel {
                throw DoubleArrayBuilder.BuildError.unsortedKeys(index: index)
            } else if keyLabel > unitLabel {
                nodes[Int(childID)].hasSibling = true
                flush(childID)
                break
            }
            id = childID
            keyPos += 1
        }
        if keyPos > length { return }  // duplicate key: darts keeps the first value

        while keyPos <= length {
            let keyLabel: UInt8 = keyPos < length ? key[keyPos] : 0
            let childID = appendNode()
            if nodes[Int(id)].child == 0 { nodes[Int(childID)].isState = true }
            nodes[Int(childID)].sibling = nodes[Int(id)].child
            nodes[Int(childID)].label = keyLabel
            nodes[Int(id)].child = childID
            nodeStack.append(childID)
            id = childID
            keyPos += 1
        }
        nodes[Int(id)].child = UInt32(bitPattern: value)
    }

    private mutating func flush(_ id: UInt32) {
        while nodeStack.last! != id {
            let nodeID = nodeStack.removeLast()
            if numStates >= table.count - (table.count >> 2) { expandTable() }

            var numSiblings: UInt32 = 0
            var i = nodeID
            while i != 0 { numSiblings += 1; i = nodes[Int(i)].sibling }

            var (matchID, hashID) = findNode(nodeID)
            if matchID != 0 {
                isIntersections.set(Int(matchID), true)
            } else {
                var unitID: UInt32 = 0
                for _ in 0..<numSiblings { unitID = appendUnit() }
                i = nodeID
                while i != 0 {
                    units[Int(unitID)] = nodes[Int(i)].unit
                    labels[Int(unitID)] = nodes[Int(i)].label
                    unitID &-= 1
                    i = nodes[Int(i)].sibling
                }
                matchID = unitID &+ 1
                table[Int(hashID)] = matchID
                numStates += 1
            }

            i = nodeID
            while i != 0 {
                let next = nodes[Int(i)].sibling
                recycleBin.append(i)
                i = next
            }
            nodes[Int(nodeStack.last!)].child = matchID
        }
        nodeStack.removeLast()
    }

    private mutating func expandTable() {
        let tableSize = table.count << 1
        table = [UInt32](repeating: 0, count: tableSize)
        for i in 1..<units.count {
            let id = UInt32(i)
            if labels[i] == 0 || units[i] & 2 == 2 {
                let hashID = findUnit(id)
                table[Int(hashID)] = id
            }
        }
    }

    /// The first empty slot of `id`'s hash chain.
    private func findUnit(_ id: UInt32) -> UInt32 {
        var hashID = hashUnit(id) % UInt32(table.count)
        while table[Int(hashID)] != 0 { hashID = (hashID + 1) % UInt32(table.count) }
        return hashID
    }

    private func findNode(_ nodeID: UInt32) -> (match: UInt32, hashID: UInt32) {
        var hashID = hashNode(nodeID) % UInt32(table.count)
        while true {
            let unitID = table[Int(hashID)]
            if unitID == 0 { return (0, hashID) }
            if areEqual(nodeID, unitID) { return (unitID, hashID) }
            hashID = (hashID + 1) % UInt32(table.count)
        }
    }

    private func areEqual(_ nodeID: UInt32, _ unitIDIn: UInt32) -> Bool {
        var unitID = unitIDIn
        var i = nodes[Int(nodeID)].sibling
        while i != 0 {
            if units[Int(unitID)] & 1 == 0 { return false }
            unitID += 1
            i = nodes[Int(i)].sibling
        }
        if units[Int(unitID)] & 1 == 1 { return false }
        i = nodeID
        while i != 0 {
            if nodes[Int(i)].unit != units[Int(unitID)] || nodes[Int(i)].label != labels[Int(unitID)] { return false }
            i = nodes[Int(i)].sibling
            unitID &-= 1
        }
        return true
    }

    private func hashUnit(_ idIn: UInt32) -> UInt32 {
        var hashValue: UInt32 = 0
        var id = idIn
        while id != 0 {
            let unit = units[Int(id)]
            hashValue ^= Self.hash((UInt32(labels[Int(id)]) << 24) ^ unit)
            if unit & 1 == 0 { break }
            id += 1
        }
        return hashValue
    }

    private func hashNode(_ idIn: UInt32) -> UInt32 {
        var hashValue: UInt32 = 0
        var id = idIn
        while id != 0 {
            hashValue ^= Self.hash((UInt32(nodes[Int(id)].label) << 24) ^ nodes[Int(id)].unit)
            id = nodes[Int(id)].sibling
        }
        return hashValue
    }

    private mutating func appendUnit() -> UInt32 {
        isIntersections.append()
        units.append(0)
        labels.append(0)
        return UInt32(isIntersections.size - 1)
    }

    private mutating func appendNode() -> UInt32 {
        if let id = recycleBin.popLast() {
            nodes[Int(id)] = DawgNode()
            return id
        }
        nodes.append(DawgNode())
        return UInt32(nodes.count - 1)
    }

    private static func hash(_ k: UInt32) -> UInt32 {
        var key = k
        key = ~key &+ (key << 15)
        key = key ^ (key >> 12)
        key = key &+ (key << 2)
        key = key ^ (key >> 4)
        key = key &* 2057
        key = key ^ (key >> 16)
        return key
    }
}

// MARK: - DAWG → double array (darts-clone DoubleArrayBuilder)

private struct ExtraUnit {
    var prev: UInt32 = 0
    var next: UInt32 = 0
    var isFixed = false
    var isUsed = false
}

private struct ArrayBuilder {
    static let blockSize: UInt32 = 256
    static let numExtraBlocks: UInt32 = 16
    static let numExtras = Int(blockSize * numExtraBlocks)
    static let upperMask: UInt32 = 0xFF << 21
    static let lowerMask: UInt32 = 0xFF

    var units: [UInt32] = []
    private var extras: [ExtraUnit] = []
    private var labels: [UInt8] = []
    private var table: [UInt32] = []
    private var extrasHead: UInt32 = 0

    private var numBlocks: UInt32 { UInt32(units.count) / Self.blockSize }

    private func extra(_ id: UInt32) -> ExtraUnit { extras[Int(id) % Self.numExtras] }
    private mutating func withExtra(_ id: UInt32, _ body: (inout ExtraUnit) -> Void) {
        body(&extras[Int(id) % Self.numExtras])
    }

    // Unit setters (darts-clone DoubleArrayBuilderUnit).
    private mutating func setHasLeaf(_ id: UInt32) { units[Int(id)] |= 1 << 8 }
    private mutating func setValue(_ id: UInt32, _ value: UInt32) { units[Int(id)] = value | (1 << 31) }
    private mutating func setLabel(_ id: UInt32, _ label: UInt8) {
        units[Int(id)] = (units[Int(id)] & ~0xFF) | UInt32(label)
    }
    private mutating func setOffset(_ id: UInt32, _ offset: UInt32) throws {
        if offset >= 1 << 29 { throw DoubleArrayBuilder.BuildError.offsetTooLarge }
        var unit = units[Int(id)] & ((1 << 31) | (1 << 8) | 0xFF)
        if offset < 1 << 21 { unit |= offset << 10 } else { unit |= (offset << 2) | (1 << 9) }
        units[Int(id)] = unit
    }

    mutating func build(from dawg: DawgBuilder) throws {
        var numUnits = 1
        while numUnits < dawg.size { numUnits <<= 1 }
        units.reserveCapacity(numUnits)
        table = [UInt32](repeating: 0, count: dawg.numIntersections)
        extras = [ExtraUnit](repeating: ExtraUnit(), count: Self.numExtras)

        reserveID(0)
        withExtra(0) { $0.isUsed = true }
        try setOffset(0, 1)
        setLabel(0, 0)

        if dawg.child(dawg.root) != 0 { try build(dawg, dawgID: dawg.root, dicID: 0) }
        fixAllBlocks()
        extras = []
        labels = []
        table = []
    }

    private mutating func build(_ dawg: DawgBuilder, dawgID: UInt32, dicID: UInt32) throws {
        var dawgChildID = dawg.child(dawgID)
        if dawg.isIntersection(dawgChildID) {
            let intersectionID = dawg.intersectionID(dawgChildID)
            var offset = table[Int(intersectionID)]
            if offset != 0 {
                offset ^= dicID
                if offset & Self.upperMask == 0 || offset & Self.lowerMask == 0 {
                    if dawg.isLeaf(dawgChildID) { setHasLeaf(dicID) }
                    try setOffset(dicID, offset)
                    return
                }
            }
        }

        let offset = try arrange(dawg, dawgID: dawgID, dicID: dicID)
        if dawg.isIntersection(dawgChildID) { table[Int(dawg.intersectionID(dawgChildID))] = offset }

        repeat {
            let childLabel = dawg.label(dawgChildID)
            let dicChildID = offset ^ UInt32(childLabel)
            if childLabel != 0 { try build(dawg, dawgID: dawgChildID, dicID: dicChildID) }
            dawgChildID = dawg.sibling(dawgChildID)
        } while dawgChildID != 0
    }

    private mutating func arrange(_ dawg: DawgBuilder, dawgID: UInt32, dicID: UInt32) throws -> UInt32 {
        labels.removeAll(keepingCapacity: true)
        var dawgChildID = dawg.child(dawgID)
        while dawgChildID != 0 {
            labels.append(dawg.label(dawgChildID))
            dawgChildID = dawg.sibling(dawgChildID)
        }

        let offset = findValidOffset(dicID)
        try setOffset(dicID, dicID ^ offset)

        dawgChildID = dawg.child(dawgID)
        for label in labels {
            let dicChildID = offset ^ UInt32(label)
            reserveID(dicChildID)
            if dawg.isLeaf(dawgChildID) {
                setHasLeaf(dicID)
                setValue(dicChildID, dawg.value(dawgChildID))
            } else {
                setLabel(dicChildID, label)
            }
            dawgChildID = dawg.sibling(dawgChildID)
        }
        withExtra(offset) { $0.isUsed = true }
        return offset
    }

    private func findValidOffset(_ id: UInt32) -> UInt32 {
        if extrasHead >= UInt32(units.count) { return UInt32(units.count) | (id & Self.lowerMask) }
        var unfixedID = extrasHead
        repeat {
            let offset = unfixedID ^ UInt32(labels[0])
            if isValidOffset(id, offset) { return offset }
            unfixedID = extra(unfixedID).next
        } while unfixedID != extrasHead
        return UInt32(units.count) | (id & Self.lowerMask)
    }

    private func isValidOffset(_ id: UInt32, _ offset: UInt32) -> Bool {
        if extra(offset).isUsed { return false }
        let relOffset = id ^ offset
        if relOffset & Self.lowerMask != 0 && relOffset & Self.upperMask != 0 { return false }
        var i = 1
        while i < labels.count {
            if extra(offset ^ UInt32(labels[i])).isFixed { return false }
            i += 1
        }
        return true
    }

    private mutating func reserveID(_ id: UInt32) {
        if id >= UInt32(units.count) { expandUnits() }
        if id == extrasHead {
            extrasHead = extra(id).next
            if extrasHead == id { extrasHead = UInt32(units.count) }
        }
        let e = extra(id)
        withExtra(e.prev) { $0.next = e.next }
        withExtra(e.next) { $0.prev = e.prev }
        withExtra(id) { $0.isFixed = true }
    }

    private mutating func expandUnits() {
        let srcNumUnits = UInt32(units.count)
        let srcNumBlocks = numBlocks
        let destNumUnits = srcNumUnits + Self.blockSize
        let destNumBlocks = srcNumBlocks + 1

        if destNumBlocks > Self.numExtraBlocks { fixBlock(srcNumBlocks - Self.numExtraBlocks) }
        units.append(contentsOf: repeatElement(0, count: Int(Self.blockSize)))

        if destNumBlocks > Self.numExtraBlocks {
            for id in srcNumUnits..<destNumUnits {
                withExtra(id) { $0.isUsed = false; $0.isFixed = false }
            }
        }
        for i in (srcNumUnits + 1)..<destNumUnits {
            withExtra(i - 1) { $0.next = i }
            withExtra(i) { $0.prev = i - 1 }
        }
        withExtra(srcNumUnits) { $0.prev = destNumUnits - 1 }
        withExtra(destNumUnits - 1) { $0.next = srcNumUnits }

        let headPrev = extra(extrasHead).prev
        withExtra(srcNumUnits) { $0.prev = headPrev }
        let head = extrasHead
        withExtra(destNumUnits - 1) { $0.next = head }
        withExtra(extra(extrasHead).prev) { $0.next = srcNumUnits }
        withExtra(extrasHead) { $0.prev = destNumUnits - 1 }
    }

    private mutating func fixAllBlocks() {
        var begin: UInt32 = 0
        if numBlocks > Self.numExtraBlocks { begin = numBlocks - Self.numExtraBlocks }
        let end = numBlocks
        var blockID = begin
        while blockID != end {
            fixBlock(blockID)
            blockID += 1
        }
    }

    private mutating func fixBlock(_ blockID: UInt32) {
        let begin = blockID * Self.blockSize
        let end = begin + Self.blockSize
        var unusedOffset: UInt32 = 0
        for offset in begin..<end where !extra(offset).isUsed {
            unusedOffset = offset
            break
        }
        for id in begin..<end where !extra(id).isFixed {
            reserveID(id)
            setLabel(id, UInt8(truncatingIfNeeded: id ^ unusedOffset))
        }
    }
}
