import Dispatch
import Foundation
import Tasks
import Tensors

/// Standard input to standard output a line per line, for commands that turn each line into
/// one output line independently (`zoo tokenizer encode`): large blocks are read, their lines
/// transformed on every core, and the results written in input order, a block at a time. A
/// line that is not UTF-8 (or that the transform refuses) stops it with that error, after the
/// output of the lines before it.
struct LineStream {
    /// Bytes read at a time; a longer line grows the block.
    var blockSize = 4 << 20
    var input: Int32 = 0
    var output: Int32 = 1

    /// Runs `transform` on every line with its number (it must be safe to call from several
    /// threads at once); each result is written followed by "\n". An error `transform` throws
    /// stops the stream as a line that is not UTF-8 does.
    func run(_ transform: @escaping @Sendable (String, Int) throws -> [UInt8]) throws {
        var pending: [UInt8] = []  // the unfinished last line of the blocks read so far
        var block = [UInt8](repeating: 0, count: blockSize)
        var firstLine = 1
        while true {
            let count = try fill(&block)
            if count == 0 {
                // A last line without "\n" still counts.
                if !pending.isEmpty { try process(pending[...], complete: false, firstLine: &firstLine, transform) }
                return
            }
            pending += block[0..<count]
            guard let last = pending.lastIndex(of: 0x0A) else { continue }
            try process(pending[...last], complete: true, firstLine: &firstLine, transform)
            pending.removeSubrange(...last)
        }
    }

    /// Reads into `block` until it is full, the input ends, or no more is ready at once (a pipe
    /// fed a line at a time is answered a line at a time; a file fills whole blocks). 0 at the end.
    private func fill(_ block: inout [UInt8]) throws -> Int {
        var count = 0
        while count < block.count {
            let n = block.withUnsafeMutableBytes { read(input, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot read \(TextInput.standardInputName): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            count += n
            var ready = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 0) <= 0 { break }
        }
        return count
    }

    /// Transforms the lines of `bytes` (ending in "\n" when `complete`), numbered from `firstLine`.
    private func process(_ bytes: ArraySlice<UInt8>, complete: Bool, firstLine: inout Int,
                         _ transform: @escaping @Sendable (String, Int) throws -> [UInt8]) throws {
        var ends: [Int] = []  // each line's end (its "\n", or the end of the bytes)
        for i in bytes.indices where bytes[i] == 0x0A { ends.append(i) }
        if !complete { ends.append(bytes.endIndex) }
        let chunks = min(ends.count, max(1, Parallel.cores * 4))
        var outputs = [[UInt8]](repeating: [], count: chunks)
        var failures = [(any Error)?](repeating: nil, count: chunks)
        let first = firstLine
        bytes.withUnsafeBufferPointer { buffer in
            let base = bytes.startIndex
            outputs.withUnsafeMutableBufferPointer { outputs in
                failures.withUnsafeMutableBufferPointer { failures in
                    nonisolated(unsafe) let out = outputs, failed = failures
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        let lines = (ends.count * c / chunks)..<(ends.count * (c + 1) / chunks)
                        var text: [UInt8] = []
                        for l in lines {
                            let start = l == 0 ? base : ends[l - 1] + 1
                            do {
                                let line = try TextInput.line(UnsafeBufferPointer(rebasing: buffer[(start - base)..<(ends[l] - base)]),
                                                              source: TextInput.standardInputName, number: first + l)
                                text += try transform(line, first + l)
                                text.append(0x0A)
                            } catch {
                                failed[c] = error
                                break
                            }
                        }
                        out[c] = text
                    }
                }
            }
        }
        for c in 0..<chunks {
            try emit(outputs[c])
            if let failure = failures[c] { throw failure }
        }
        firstLine += ends.count
    }

    private func emit(_ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(output, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot write standard output: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }
}
