import ArgumentParser
import Foundation
import Tasks
import ZooBenchmarks

/// `zoo bench NAME [--json]`: runs registered benchmarks and prints one line per figure.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark (or all of them) and print its figures.",
        discussion: """
            Benchmarks:
            \(Benchmarks.all.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))
              all: every benchmark above, in this order

            After the figures comes `peak-rss`: the peak resident memory of the whole run (MiB).
            Run one benchmark alone for its own peak.

            Started by mpirun, train-gpt-char trains data-parallel (each process on its slice of \
            every batch, gradients summed across them) and process 0 prints the figures, with the \
            bytes summed per step and the time a step waits for them.

            Examples:
              zoo bench gemm
              zoo bench all --json > figures.jsonl
              mpirun -np 2 zoo bench train-gpt-char   # 2 processes × 1 core each
            """
    )

    @Argument(help: "A benchmark name, or 'all'.")
    var name: String

    @Flag(help: "Print one JSON object per line: {\"name\": ..., \"value\": ..., \"unit\": ...}.")
    var json = false

    func run() throws {
        try DataParallel.join()
        let cases = try Benchmarks.select(name)
        if !json { emit(Benchmarks.environmentSummary) }
        for benchmark in cases {
            if !json { emit("\(benchmark.name): \(benchmark.summary)") }
            for figure in try benchmark.run() { emit(json ? figure.jsonLine : figure.humanLine) }
        }
        let rss = Benchmarks.peakRSSFigure()
        emit(json ? rss.jsonLine : rss.humanLine)
    }

    /// Prints and flushes, so a long run shows its figures as they come, even through a pipe.
    private func emit(_ line: String) {
        guard DataParallel.world.isPrimary else { return }
        print(line)
        fflush(stdout)
    }
}
