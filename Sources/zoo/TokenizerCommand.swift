import ArgumentParser
import Data
import Foundation
import Tokenization

/// `zoo tokenizer train|encode|decode`: SentencePiece-compatible tokenizers.
struct TokenizerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenizer",
        abstract: "Train, apply and invert SentencePiece-compatible tokenizers (.model files).",
        discussion: """
        Models load in Python's sentencepiece and give the same ids there; models trained by \
        Python's sentencepiece load here. Text must be UTF-8: invalid UTF-8 in the training file \
        or on standard input is an error naming the file (or "stdin") and the line, where \
        sentencepiece would replace it. encode and decode give one line per input line, a blank \
        line for a blank line.

        Examples:
          zoo tokenizer train --input data/kjv/train.txt --vocab-size 8000 \\
            --model-type unigram --out kjv.model
          echo "In the beginning" | zoo tokenizer encode --ids \\
            --model Tokenizers/kjv-unigram-8000.model \\
            | zoo tokenizer decode --ids --model Tokenizers/kjv-unigram-8000.model
        """,
        subcommands: [Train.self, Encode.self, Decode.self]
    )

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a unigram or BPE model on a text file (one sentence a line).",
            discussion: """
            The file must be UTF-8: invalid UTF-8 is an error naming the file and the line.

            Example:
              zoo tokenizer train --input data/kjv/train.txt --vocab-size 8000 \\
                --out kjv.model
            """)

        @Option(help: "Training text, one sentence a line.") var input: String
        @Option(help: "Vocabulary size, special pieces included.") var vocabSize: Int
        @Option(help: "unigram or bpe.") var modelType: String = "unigram"
        @Option(help: "Where to write the .model file.") var out: String
        @Option(help: "Fraction of characters the vocabulary must cover (rarer ones become <unk> or bytes).") var characterCoverage: Double = 0.9995
        @Flag(help: "Spell unknown characters as UTF-8 byte pieces <0xNN> instead of <unk>.") var byteFallback = false
        @Option(help: "Normalization: nmt_nfkc, nfkc, nmt_nfkc_cf, nfkc_cf or identity.") var normalization: String = "nmt_nfkc"
        @Option(help: "Longest piece in characters.") var maxPieceLength: Int = 16
        @Option(help: "Pieces always kept whole (comma-separated).") var userDefinedSymbols: String?
        @Flag(help: "Split numbers into single digits.") var splitDigits = false

        func validate() throws {
            guard ["unigram", "bpe"].contains(modelType) else { throw ValidationError("--model-type must be unigram or bpe, not '\(modelType)'") }
            guard vocabSize > 3 else { throw ValidationError("--vocab-size must be larger than 3, not \(vocabSize)") }
            guard characterCoverage > 0 && characterCoverage <= 1 else { throw ValidationError("--character-coverage must be in (0, 1], not \(characterCoverage)") }
        }

        func run() throws {
            // One policy for text: sentencepiece's trainer would replace invalid UTF-8 and go on.
            if FileManager.default.fileExists(atPath: input) { try TextInput.validate(file: input) }
            var options = TrainerOptions(vocabSize: vocabSize, modelType: modelType == "bpe" ? .bpe : .unigram)
            options.characterCoverage = characterCoverage
            options.byteFallback = byteFallback
            options.normalizationRuleName = normalization
            options.maxSentencepieceLength = maxPieceLength
            options.splitDigits = splitDigits
            if let userDefinedSymbols { options.userDefinedSymbols = userDefinedSymbols.split(separator: ",").map(String.init) }
            let report = try SentencePieceTrainer.trainWithReport(inputFile: input, options: options)
            try report.model.write(to: out)
            var note = "\(out): \(report.model.pieces.count) pieces from \(report.sentences) sentences in \(String(format: "%.1f", report.seconds)) s"
            if report.linesTooLong > 0 { note += "; \(report.linesTooLong) lines too long were skipped" }
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tokenize standard input, one line per line, into pieces (or ids).",
            discussion: """
            A blank line gives a blank line. Invalid UTF-8 is an error naming stdin and the line. \
            With --json, prints one object per line: input (the line), tokens (its pieces) and ids. \
            Standard input is read in large blocks whose lines are encoded on every core and written \
            in their order.

            Examples:
              echo "In the beginning" \\
                | zoo tokenizer encode --model Tokenizers/kjv-unigram-8000.model
              zoo tokenizer encode --model Tokenizers/kjv-unigram-8000.model --json \\
                < data/kjv/test.txt | jq '.ids | length'
            """)
        @Option(help: "A .model file.") var model: String
        @Flag(help: "Print ids instead of pieces.") var ids = false
        @Flag(help: "One JSON object per line (input, tokens, ids).") var json = false

        func run() throws {
            let tokenizer = try SentencePieceTokenizer(contentsOf: model)
            let json = json, ids = ids
            try LineStream().run { line, _ in
                if json {
                    return Array(JSONLine(input: line, tokens: tokenizer.encodePieces(line), ids: tokenizer.encode(line).map(Int.init)).text.utf8)
                }
                var out: [UInt8] = []
                if ids {
                    for (i, id) in tokenizer.encode(line).enumerated() {
                        if i > 0 { out.append(0x20) }
                        Self.appendDecimal(id, to: &out)
                    }
                } else {
                    for (i, piece) in tokenizer.encodePieces(line).enumerated() {
                        if i > 0 { out.append(0x20) }
                        out += piece.utf8
                    }
                }
                return out
            }
        }

        /// `value` (not negative) in decimal digits.
        static func appendDecimal(_ value: Int32, to out: inout [UInt8]) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var v = UInt32(value), n = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat { d[n] = 0x30 + UInt8(v % 10); v /= 10; n += 1 } while v > 0
                while n > 0 { n -= 1; out.append(d[n]) }
            }
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn pieces (or ids) on standard input back into text, one line per line.",
            discussion: """
            A blank line gives a blank line. Invalid UTF-8 is an error naming stdin and the line.

            Examples:
              echo "▁In ▁the ▁beginning" \\
                | zoo tokenizer decode --model Tokenizers/kjv-unigram-8000.model
              zoo tokenizer decode --model Tokenizers/kjv-unigram-8000.model --ids < ids.txt
            """)
        @Option(help: "A .model file.") var model: String
        @Flag(help: "Read ids instead of pieces.") var ids = false

        func run() throws {
            let tokenizer = try SentencePieceTokenizer(contentsOf: model)
            let ids = ids
            try LineStream().run { line, number in
                let fields = line.split(separator: " ").map(String.init)
                guard ids else { return Array(tokenizer.decodePieces(fields).utf8) }
                var values: [Int32] = []
                for f in fields {
                    guard let v = Int32(f), v >= 0, Int(v) < tokenizer.vocabularySize else {
                        throw CommandError("\(TextInput.standardInputName):\(number): '\(f)' is not an id of this model (0..<\(tokenizer.vocabularySize))")
                    }
                    values.append(v)
                }
                return Array(tokenizer.decode(values).utf8)
            }
        }
    }
}
