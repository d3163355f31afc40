import Foundation

/// A Float32 buffer. Freed buffers go back to a pool keyed by size class, so a training step that
/// allocates the same shapes every iteration reuses last step's memory instead of calling malloc.
public final class Storage: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>
    /// The floats allocated at `base`, at least `count` (the pool's size class).
    let capacity: Int
    /// The bytes mapped for reserved storage (`init(reserving:)`); 0 for the pool's buffers.
    private let mappedBytes: Int

    /// Uninitialized storage of `count` floats; the caller writes every element.
    public init(uninitialized count: Int) {
        self.count = count
        (base, capacity) = BufferPool.shared.take(count)
        mappedBytes = 0
    }

    /// Storage filled with `value`.
    public convenience init(repeating value: Float, count: Int) {
        self.init(uninitialized: count)
        if value == 0 {
            memset(base, 0, count * MemoryLayout<Float>.stride)
        } else {
            base.initialize(repeating: value, count: count)
        }
    }

    /// Storage of `count` floats that costs address space only until its pages are first written
    /// (fresh zero pages from the kernel, outside the pool): room for values that may never be
    /// needed, such as a quantized matrix's fp32 copy.
    public init(reserving count: Int) {
        self.count = count
        let bytes = max(1, count) * MemoryLayout<Float>.stride
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              raw != MAP_FAILED else {
            fatalError("out of address space reserving \(bytes) bytes")
        }
        base = raw.bindMemory(to: Float.self, capacity: max(1, count))
        capacity = max(1, count)
        mappedBytes = bytes
    }

    deinit {
        if mappedBytes > 0 {
            munmap(base, mappedBytes)
        } else {
            BufferPool.shared.give(base, capacity: capacity)
        }
    }
}

/// Free lists of buffers by size class, holding at most `maxCachedBytes` so unusual shapes do not
/// pin memory forever.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private let lock = NSLock()
    /// At most this many bytes wait in the pool; beyond it buffers go back to the system.
    private let maxCachedBytes = 1 << 30
    private var cachedBytes = 0
    /// Buffers smaller than this come straight from malloc, which is already fast for them.
    private let minPooled = 1024

    /// The pooled size of a request for `count` floats: rounded up to one of eight classes per
    /// doubling (at most 12.5 % more). Shapes that change a little, as beam search's do when
    /// finished sentences leave the batch, then reuse each other's buffers instead of each pinning
    /// its own until the pool is full. A large buffer's unused tail is never written, so it costs
    /// address space, not resident memory.
    static func sizeClass(_ count: Int) -> Int {
        let log2 = Int.bitWidth - 1 - max(1, count).leadingZeroBitCount
        let step = 1 << max(0, log2 - 3)
        return (count + step - 1) & ~(step - 1)
    }

    /// A buffer of at least `count` floats and its capacity. A miss in the request's class takes
    /// the smallest pooled buffer up to twice the size: its pages are resident already, where a new
    /// one would add to the footprint (beam search's shapes shrink as sentences finish).
    func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        var size = max(1, count)
        if count >= minPooled {
            size = Self.sizeClass(count)
            lock.lock()
            var candidate = size
            while candidate <= 2 &* size {
                if let p = free[candidate]?.popLast() {
                    cachedBytes -= candidate * MemoryLayout<Float>.stride
                    lock.unlock()
                    return (p, candidate)
                }
                candidate = Self.sizeClass(candidate &+ 1)
            }
            lock.unlock()
        }
        // 64-byte alignment for AVX-512 loads.
        var raw: UnsafeMutableRawPointer?
        let bytes = size * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        return (raw.bindMemory(to: Float.self, capacity: size), size)
    }

    func give(_ p: UnsafeMutablePointer<Float>, capacity: Int) {
        if capacity >= minPooled {
            lock.lock()
            let bytes = capacity * MemoryLayout<Float>.stride
            if cachedBytes + bytes <= maxCachedBytes {
                free[capacity, default: []].append(p)
                cachedBytes += bytes
                lock.unlock()
                return
            }
            lock.unlock()
        }
        free_(p)
    }

    /// Returns every pooled buffer to the system.
    func drain() {
        lock.lock()
        let all = free
        free = [:]
        cachedBytes = 0
        lock.unlock()
        for (_, list) in all { for p in list { free_(p) } }
    }

    private func free_(_ p: UnsafeMutablePointer<Float>) { Foundation.free(p) }
}

/// Releases memory cached by the tensor buffer pool (e.g. between phases of a long job).
public func releaseCachedBuffers() { BufferPool.shared.drain() }
