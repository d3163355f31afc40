/// Every benchmark `zoo bench` knows, in the order `zoo bench all` runs them.
/// To add one: write `SomethingBenchmark.swift` with a `static let benchmark: BenchmarkCase`
/// (or a function returning one) and list it here.
public enum Benchmarks {
    public static var all: [BenchmarkCase] {
        [
            GemmBenchmark.benchmark,
            Seq2SeqTrainingBenchmark.benchmark(Seq2SeqTrainingBenchmark.small),
            Seq2SeqTrainingBenchmark.benchmark(Seq2SeqTrainingBenchmark.base),
            TokenizerBenchmark.benchmark,
            GPTBenchmarks.generation(name: "generate-124m", config: GPTBenchmarks.gpt2Small),
            GPTBenchmarks.generation(name: "generate-124m-int8", config: GPTBenchmarks.gpt2Small, quantization: .int8),
            GPTBenchmarks.generation(name: "generate-124m-bf16", config: GPTBenchmarks.gpt2Small, quantization: .bf16),
            MemoryBandwidth.benchmark,
            QuantizedKernelRate.benchmark,
            GPTBenchmarks.generation(name: "generate-small", config: GPTBenchmarks.small),
            GPTBenchmarks.trainChar,
            AttentionBenchmark.causal,
            VisionBenchmarks.train,
            VisionBenchmarks.classifyLatency,
            TranslationBenchmark.beam4,
            ParsingBenchmark.chart,
        ]
    }
}
