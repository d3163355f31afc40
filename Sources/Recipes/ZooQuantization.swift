import Foundation
import Layers
import ModelZoo
import Tensors
import Training

/// `zoo quantize`: a new zoo entry whose matrices are int8 or bf16 (`ModelQuantization`), with a
/// card that says what changed: the bytes a token reads and, when held-out data is given, the
/// metric of both models measured the same way.
public struct ZooQuantization {
    public var base: ZooEntry
    public var kind: QuantizedKind
    public var output: URL
    public var force = false
    /// Held-out data to measure both models on (as `zoo eval`), and the split its figures are
    /// recorded as (`test_bleu`, `val_ppl`, ...), so `zoo eval --check SPLIT` checks the new entry too.
    public var evaluation: (request: EvaluationRequest, split: String, description: String)?

    public init(base: ZooEntry, kind: QuantizedKind, output: URL) {
        self.base = base
        self.kind = kind
        self.output = output
    }

    /// What `run` made and measured.
    public struct Result {
        public var entry: ZooEntry
        /// The fp32 model's and the quantized model's figures, when measured.
        public var before: Evaluation?
        public var after: Evaluation?
        /// Bytes of the matrices, fp32 and quantized.
        public var matrixBytes: (fp32: Int, quantized: Int)
        public var matrices: Int
    }

    /// Quantizes, writes the entry (atomically, as every export), then measures it; an `output`
    /// that exists (without `force`) or is the base entry is an error before anything is read.
    public func run(note: (String) -> Void = { _ in }) throws -> Result {
        try ProtectedOutput.check(output, force: force, source: base.directory, sourceName: base.name)
        try base.requireFullPrecision(for: "quantization")
        let family = try TaskCatalog.family(of: base)
        var before: Evaluation?
        if let evaluation {
            note("measuring \(base.name) (fp32) on \(evaluation.description)")
            before = try family.evaluate(base, evaluation.request)
        }
        let model = try family.loadModel(base)
        let targets = ModelQuantization.targets(of: model)
        let fp32Bytes = targets.reduce(0) { $0 + $1.tensor.count * 4 }
        ModelQuantization.quantize(model, as: kind)
        let quantizedBytes = targets.reduce(0) { $0 + ($1.tensor.quantized?.byteCount ?? 0) }
        note("quantized \(targets.count) matrices to \(kind.rawValue): \(Self.megabytes(fp32Bytes)) → \(Self.megabytes(quantizedBytes))")

        var config = base.config
        config.name = output.lastPathComponent
        config.dtype = kind.rawValue
        config.quantizedFrom = base.name
        config.metrics = [:]
        let tokenizerFiles = base.config.tokenizer.files.map { base.directory.appendingPathComponent($0) }
        // The loss curve the base card (appended to this one) shows; the training log stays with
        // the base entry, whose run it records.
        let curve = base.directory.appendingPathComponent(LossPlot.fileName)
        let records = ModelQuantization.records(of: model)
        let write = { (config: ZooEntryConfig, card: String) in
            try ZooRegistry.export(ZooExport(config: config, records: records, tokenizerFiles: tokenizerFiles, card: card,
                                             extraFiles: [curve]), to: output)
        }
        var entry = try write(config, card(before: nil, after: nil, matrices: targets.count, bytes: (fp32Bytes, quantizedBytes)))
        var after: Evaluation?
        if let evaluation {
            // Measured on the entry as written and loaded back: what a user of it gets.
            note("measuring \(entry.name) (\(kind.rawValue)) on \(evaluation.description)")
            let measured = try family.evaluate(entry, evaluation.request)
            for c in CardCheck.compared { if let value = measured.metrics[c.name] { config.metrics["\(evaluation.split)_\(c.key)"] = value } }
            entry = try write(config, card(before: before, after: measured, matrices: targets.count, bytes: (fp32Bytes, quantizedBytes)))
            after = measured
        }
        return Result(entry: entry, before: before, after: after, matrixBytes: (fp32Bytes, quantizedBytes), matrices: targets.count)
    }

    /// The new entry's card: what was quantized and how, the figures of both models, then the
    /// base model's own card.
    func card(before: Evaluation?, after: Evaluation?, matrices: Int, bytes: (fp32: Int, quantized: Int)) -> String {
        let how = kind == .int8 ? "int8, one fp32 scale per output row (max |w| / 127)" : "bfloat16 (rounded to nearest even)"
        var card = ModelCard(title: output.lastPathComponent,
                             summary: "\(base.name) with its \(matrices) weight matrices in \(kind.rawValue) "
                                + "(every linear layer, attention's projections and the token embeddings where it has them; norms, biases, "
                                + "positions and convolutions stay fp32), "
                                + "made by `zoo quantize --model \(base.name) --dtype \(kind.rawValue)`. Activations and sums are fp32.")
        card.facts = [
            ("quantized from", base.name),
            ("dtype", how),
            ("matrices", "\(Self.megabytes(bytes.fp32)) in fp32 → \(Self.megabytes(bytes.quantized)) (what each token, or image, reads at batch 1)"),
            ("kernels", "int8/bf16 weights widened to fp32 in registers (AVX-512 or AVX2, chosen at run time) for batches up to "
                + "\(QuantizedMatrix.largestBatch) rows; larger batches use OpenBLAS on blocks of rows dequantized as they are needed "
                + "(no fp32 copy of the weights is kept)"),
        ]
        if let before, let after, let evaluation {
            for c in CardCheck.compared {
                guard let b = before.metrics[c.name], let a = after.metrics[c.name] else { continue }
                let change = b != 0 ? String(format: " (%+.2f %%)", (a - b) / abs(b) * 100) : ""
                card.facts.append(("\(evaluation.split) \(c.name)", "\(CardCheck.number(a)) (fp32: \(CardCheck.number(b)); \(String(format: "%+.4g", a - b))\(change)) on \(evaluation.description)"))
            }
        }
        var remake = "zoo quantize --model \(base.name) --dtype \(kind.rawValue) --out \(EvaluationRequest.shellQuoted(output.relativePath)) --force"
        if let evaluation {
            remake += " " + evaluation.request.arguments + (evaluation.split == "test" ? "" : " --split \(evaluation.split)")
        }
        card.usage = [remake + "   # remake it"]
        let baseCard = CardText(base.card ?? "").demoted
        return card.markdown + (baseCard.isEmpty ? "" : "\n## The fp32 model's card\n\n" + baseCard)
    }

    public static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
