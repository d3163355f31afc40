import ArgumentParser
import Foundation
import Tasks
import Tensors

/// `zoo quantize --model M --dtype int8 --out DIR`: a zoo entry with int8 or bf16 weight matrices.
struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a copy of a zoo model with its weight matrices in int8 or bf16 (weight-only quantization).",
        discussion: """
            Every linear layer's weight, attention's query/key/value projection and the token \
            embeddings (also the output projection of the language model and the translators) are \
            stored as int8 with one fp32 scale per output row (max |w| / 127), or as bfloat16; layer \
            norms, biases and positions stay fp32. The new entry loads and runs in generate, \
            translate, classify, parse, eval and attention like any other; at batch 1 its products \
            read 1 (int8) or 2 (bf16) bytes a weight instead of 4, which is what generation waits \
            for. Activations and sums stay fp32. Fine-tuning needs the fp32 entry.

            With held-out data (the options of `zoo eval`), both models are measured the same way \
            and the card and config.json record the figures of each (as SPLIT_metric, --split \
            test by default), so `zoo eval --check SPLIT` can check the new entry later.

            An entry already at --out is not replaced unless --force is given, and never when it \
            is the model being quantized. With --json, prints one object: directory (the entry) and \
            metrics: matrices, matrix_bytes and fp32_matrix_bytes, and with held-out data the new \
            entry's figures by name (ppl, bleu, accuracy, ...) and the fp32 model's as fp32_<name>.

            Examples:
              zoo quantize --model gpt-kjv --dtype int8 --out Zoo/gpt-kjv-int8
              zoo quantize --model gpt-kjv --dtype int8 --out Zoo/gpt-kjv-int8 --force \\
                --data data/kjv/valid.txt --split val
              zoo quantize --model bible-en-es --dtype bf16 --out Zoo/bible-en-es-bf16 \\
                --src data/bible-en-es/test.en --ref data/bible-en-es/test.es
              zoo quantize --model vit-fashion-mnist --dtype int8 --out /tmp/vit-int8 \\
                --data fashion-mnist-test --json
            """
    )

    @Option(help: "The model to quantize: a zoo name or an entry directory.")
    var model: String

    @OptionGroup var zoo: ZooOption

    @Option(help: ArgumentHelp("int8 (one scale per output row) or bf16.", valueName: "dtype"))
    var dtype: String

    @Option(help: "The new zoo entry's directory, e.g. Zoo/gpt-kjv-int8.")
    var out: String

    @Flag(help: "Replace the zoo entry at --out if there is one (never the model being quantized).")
    var force = false

    @OptionGroup(title: "Held-out data to measure both models on (as zoo eval)") var heldOut: HeldOutOptions

    @Option(help: "The split the held-out data is (test, val, dev): the figures are recorded as SPLIT_metric.")
    var split = "test"

    @Flag(help: "One JSON object instead of the report.")
    var json = false

    func validate() throws {
        if QuantizedKind(rawValue: dtype) == nil {
            throw ValidationError("--dtype takes \(QuantizedKind.allCases.map(\.rawValue).joined(separator: " or ")), not '\(dtype)'")
        }
        if !["test", "val", "dev"].contains(split) { throw ValidationError("--split takes test, val or dev, not '\(split)'") }
        if (heldOut.src == nil) != heldOut.ref.isEmpty { throw ValidationError("--src and --ref go together") }
    }

    func run() throws {
        let base = try zoo.resolve(model)
        var job = ZooQuantization(base: base, kind: QuantizedKind(rawValue: dtype)!, output: URL(fileURLWithPath: out))
        job.force = force
        if let input = heldOut.input { job.evaluation = (heldOut.request, split, input) }
        let result = try job.run { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let bytes = result.matrixBytes
        if json {
            var metrics = ["matrices": Double(result.matrices), "matrix_bytes": Double(bytes.quantized), "fp32_matrix_bytes": Double(bytes.fp32)]
            for (name, value) in result.after?.metrics ?? [:] { metrics[name] = value }
            for (name, value) in result.before?.metrics ?? [:] { metrics["fp32_" + name] = value }
            JSONLine(input: heldOut.input, metrics: JSONLine.metrics(metrics), directory: out).print()
            return
        }
        print("\(out): \(result.matrices) matrices in \(dtype), \(ZooQuantization.megabytes(bytes.fp32)) → \(ZooQuantization.megabytes(bytes.quantized))")
        if let before = result.before, let after = result.after {
            print("fp32:"); for line in before.lines { print("  \(line)") }
            print("\(dtype):"); for line in after.lines { print("  \(line)") }
        }
    }
}
