import Foundation

/// A Float32 buffer. Freed buffers go back to a pool keyed by size, so a training step that
/// allocates the same shapes every iteration reuses last step's memory instead of calling malloc.
public final class Storage: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Float>

    /// Uninitialized storage of `count` floats; the caller writes every element.
    public init(uninitialized count: Int) {
        self.count = count
        base = BufferPool.shared.take(count)
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

    deinit { BufferPool.shared.give(base, count: count) }
}

/// Free lists of buffers by exact element count, holding at most `maxCachedBytes` so unusual shapes do not
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

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count >= minPooled {
            lock.lock()
            if let p = free[count]?.popLast() {
                cachedBytes -= count * MemoryLayout<Float>.stride
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        // 64-byte alignment for AVX-512 loads.
        var raw: UnsafeMutableRawPointer?
        let bytes = max(1, count) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: max(1, count))
    }

    func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
        if count >= minPooled {
            lock.lock()
            let bytes = count * MemoryLayout<Float>.stride
            if cachedBytes + bytes <= maxCachedBytes {
                free[count, default: []].append(p)
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
