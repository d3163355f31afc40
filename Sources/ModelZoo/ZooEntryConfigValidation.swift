import Foundation
import Tensors
import Layers
import Models

extension ZooEntryConfig {
    /// Checks every field right after `config.json` is decoded, so what a hand edit breaks is one
    /// `ConfigError` naming `file` and the field (`Zoo/gpt/config.json: field 'model.heads': 3
    /// does not divide model.dModel 256`), never a trap or a silently wrong model later. The model's
    /// sections are checked as the stack they build (`vision`: a ViT, `parser`: a chart parser's
    /// encoder, `seq2seqParser`: an encoder–decoder; otherwise what the layer counts make it);
    /// with `weightValues`, the number of values in the weights file, the model may not describe
    /// more parameters than the file holds, which bounds every size before anything is allocated.
    public func validate(file: String, weightValues: Int?, weightsFile: String = ZooEntry.weightsFile) throws {
        let top = ConfigFields(file: file)
        guard !name.isEmpty, !name.contains("/"), !name.contains(where: \.isNewline) else {
            throw top.error("name", "expected a name without '/', found \(Self.quote(name))")
        }
        guard !task.rawValue.isEmpty else { throw top.error("task", "expected a task name, found an empty string") }
        try tokenizer.validate(top.section("tokenizer"))
        for (key, value) in metrics where !value.isFinite {
            throw top.section("metrics").error(key, "expected a finite number, found \(value)")
        }
        try training.validate(top.section("training"))
        if let languages { try top.names("languages", languages, count: 2, what: "language") }
        if let dtype, QuantizedKind(rawValue: dtype) == nil {
            throw top.error("dtype", "expected \(QuantizedKind.allCases.map { Self.quote($0.rawValue) }.joined(separator: " or ")) (or no key for fp32), found \(Self.quote(dtype))")
        }

        let modelFields = top.section("model")
        let bound: (fields: ConfigFields, parameters: Int)
        if vision != nil && (parser != nil || seq2seqParser != nil) {
            throw top.error("vision", "an entry is one model: an image classifier has no 'parser' or 'seq2seqParser'")
        }
        if parser != nil && seq2seqParser != nil {
            throw top.error("seq2seqParser", "an entry is one parser: give 'parser' (chart) or 'seq2seqParser', not both")
        }
        if let vision {
            // `model` repeats the classifier's encoder (what `zoo list` and the card read).
            try model.validate(modelFields, as: .encoder(tokens: false))
            try vision.validate(top.section("vision"))
            if model != vision.encoder { throw modelFields.error("", "differs from vision.encoder (an image classifier's model is its encoder)") }
            guard let image else { throw top.error("image", "required key is missing (an image classifier needs its preprocessing)") }
            try image.validate(top.section("image"), for: vision)
            bound = (top.section("vision"), vision.minimumParameterCount)
        } else if let parser {
            try model.validate(modelFields, as: .encoder(tokens: true))
            try parser.validate(top.section("parser"))
            if model != parser.encoder { throw modelFields.error("", "differs from parser.encoder (a chart parser's model is its encoder)") }
            bound = (top.section("parser"), parser.minimumParameterCount)
        } else if let seq2seqParser {
            try model.validate(modelFields, as: .encoderDecoder)
            try seq2seqParser.validate(top.section("seq2seqParser"), model: model, modelFields: modelFields)
            bound = (modelFields, model.minimumParameterCount(as: .encoderDecoder))
        } else {
            let stack = Self.stack(of: model)
            try model.validate(modelFields, as: stack)
            bound = (modelFields, model.minimumParameterCount(as: stack))
        }
        if image != nil && vision == nil { throw top.error("image", "an image preprocessing needs a 'vision' model") }
        if let weightValues { try bound.fields.fits(bound.parameters, weights: weightValues, weightsFile: weightsFile) }
    }

    /// What the layer counts of a text model make it: no encoder is GPT, no decoder an encoder,
    /// both the paper's encoder–decoder (a target vocabulary of its own is one too).
    static func stack(of model: TransformerConfig) -> TransformerConfig.Stack {
        if model.targetVocabSize != nil { return .encoderDecoder }
        if model.encoderLayers == 0 { return .decoderOnly }
        return model.decoderLayers == 0 ? .encoder(tokens: true) : .encoderDecoder
    }

    static func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\n", with: "\\n") + "\"" }
}

extension ZooEntryConfig.TokenizerInfo {
    /// A kind, and plain file names inside the entry (never a path out of it); as many as a
    /// registered kind is made of.
    func validate(_ fields: ConfigFields) throws {
        guard !kind.isEmpty else { throw fields.error("kind", "expected a tokenizer kind (\(TokenizerRegistry.names.joined(separator: ", ")), or none), found an empty string") }
        for file in files where file.isEmpty || file.contains("/") || file == "." || file == ".." {
            throw fields.error("files", "expected file names inside the entry's directory, found \(ZooEntryConfig.quote(file)) in the list")
        }
        if let registered = try? TokenizerRegistry.kind(kind), registered.files.count != files.count {
            throw fields.error("files", "a \(kind) tokenizer is \(registered.files.count) file(s) (\(registered.files.joined(separator: ", "))), found \(files.count)")
        }
    }
}

extension ZooEntryConfig.TrainingInfo {
    /// Counts that are not negative and a time of export that is one.
    func validate(_ fields: ConfigFields) throws {
        try fields.int("steps", steps, .atLeast(0))
        try fields.int("tokens", tokens, .atLeast(0))
        try fields.int("parameters", parameters, .atLeast(0))
        try fields.number("wall_seconds", wallSeconds, .atLeast(0))
        guard ISO8601DateFormatter().date(from: created) != nil else {
            throw fields.error("created", "expected an ISO 8601 time such as \"2026-01-31T12:00:00Z\", found \(ZooEntryConfig.quote(created))")
        }
    }
}
