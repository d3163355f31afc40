extension ConvStemConfig {
    /// The widest block and the largest stride a stem may have.
    public static let maxChannels = 4_096, maxStride = 16

    /// Throws a `ConfigError` naming the first field of `fields`' section that cannot build a
    /// stem: no blocks, a width or stride out of range, or a stride list of another length.
    public func validate(_ fields: ConfigFields) throws {
        let widths = ValueLimit.integers(1...Self.maxChannels), steps = ValueLimit.integers(1...Self.maxStride)
        guard !channels.isEmpty else { throw fields.error("channels", "expected a list of integers \(widths), found an empty list") }
        for c in channels where !widths.contains(Double(c)) {
            throw fields.error("channels", "expected a list of integers \(widths), found \(c) in the list")
        }
        guard strides.count == channels.count else {
            throw fields.error("strides", "expected a list of \(channels.count) integers (one per block of \(fields.field("channels"))), found \(strides.count)")
        }
        for s in strides where !steps.contains(Double(s)) {
            throw fields.error("strides", "expected a list of integers \(steps), found \(s) in the list")
        }
    }

    /// The stem's weights: each block's 3×3 kernels (batch norms left out), a lower bound as
    /// `TransformerConfig.minimumParameterCount`.
    public func minimumParameterCount(inChannels: Int) -> Int {
        var count = 0, c = inChannels
        for out in channels {
            count += out * c * 9
            c = out
        }
        return count
    }
}
