/// What the tasks need of a tokenizer, whichever kind it is (SentencePiece, GPT-2 byte-level BPE).
public protocol TextTokenizer: AnyObject, Sendable {
    /// Ids of `text` (no BOS/EOS added).
    func encode(_ text: String) -> [Int32]
    /// Text of `ids`; control tokens decode to nothing.
    func decode(_ ids: [Int32]) -> String
    var vocabularySize: Int { get }
    /// End-of-text id, if the vocabulary has one (generation stops there).
    var endOfTextId: Int32? { get }
    /// Beginning-of-text id, if any (prepended to documents when training a language model).
    var beginningOfTextId: Int32? { get }
}
