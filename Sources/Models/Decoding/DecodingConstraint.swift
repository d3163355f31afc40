/// Which tokens a hypothesis may take next: constrained decoding. Beam search and greedy decoding
/// renormalize the model's distribution over the allowed tokens and never take another.
public protocol DecodingConstraint: Sendable {
    /// The tokens allowed after `prefix` (the hypothesis so far, without the beginning token) for
    /// source sentence `sentence`, when at most `remaining` ≥ 1 more tokens may follow, the
    /// end-of-sentence token included. Never empty.
    func allowed(sentence: Int, prefix: [Int32], remaining: Int) -> [Int32]
}
