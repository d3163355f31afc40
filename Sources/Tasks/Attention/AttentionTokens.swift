import Tokenization

/// Tokens as a reader sees them on a page: a SentencePiece piece with its word-start mark `▁`
/// turned into a space (control pieces such as `</s>` as they are), a byte-level BPE token as
/// the text it decodes to.
public enum AttentionTokens {
    public static func display(_ ids: [Int32], tokenizer: any TextTokenizer) -> [String] {
        ids.map { id in
            if let sp = tokenizer as? SentencePieceTokenizer { return sp.piece(for: id).replacingOccurrences(of: "\u{2581}", with: " ") }
            let text = tokenizer.decode([id])
            if !text.isEmpty { return text }
            if let bpe = tokenizer as? ByteLevelBPETokenizer, let token = bpe.token(id) { return token }
            return "#\(id)"
        }
    }
}
