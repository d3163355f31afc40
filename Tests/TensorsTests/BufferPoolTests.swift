@testable import Tensors
import Testing

/// The buffer pool's size classes: never smaller than the request, at most 12.5 % larger, eight
/// per doubling, and a class is its own class (a buffer given back lands where a request finds it).
@Suite struct BufferPoolTests {
    @Test func sizeClassesWasteAtMostAnEighth() {
        var previous = 0
        for count in stride(from: 1024, through: 1 << 22, by: 37) {
            let size = BufferPool.sizeClass(count)
            #expect(size >= count && size * 8 <= count * 9, "\(count) → \(size)")
            #expect(BufferPool.sizeClass(size) == size, "class \(size) of \(count) is not its own class")
            #expect(size >= previous, "\(count) → \(size), below the class \(previous) of a smaller count")
            previous = size
        }
        let classes = Set((4096..<8192).map(BufferPool.sizeClass))
        #expect(classes == [4096, 4608, 5120, 5632, 6144, 6656, 7168, 7680, 8192])
    }

    @Test func storageHoldsItsClass() {
        let s = Storage(uninitialized: 5000)
        // Its class, or a pooled buffer up to twice that (other tests share the pool).
        let size = BufferPool.sizeClass(5000)
        #expect(s.count == 5000 && s.capacity >= size && s.capacity <= 2 * size)
        // The tail past `count` is allocated: writing all of the capacity is safe.
        s.base.update(repeating: 1, count: s.capacity)
        #expect(s.base[s.capacity - 1] == 1)
    }
}
