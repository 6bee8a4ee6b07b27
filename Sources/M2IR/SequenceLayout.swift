/// Where an op that runs along the sequence (`short_conv`, `monarch_conv`) finds channels and positions.
///
/// The model describes the sequence mixer channels-first, as the original M2 code does (each channel's sequence
/// contiguous, the layout a convolution along L wants); the matmuls around it produce and consume
/// channels-last rows. The `fuse` pass's layout rules (`short-conv-channels-last`, `monarch-channels-last`,
/// `slice-through-transpose`) move the transposes between the two through these ops until they cancel.
public enum SequenceLayout: String, Hashable, Sendable, CaseIterable {
    /// x[..., C, L]: the model's own layout (what the front end builds).
    case channelsFirst
    /// x[..., L, C]: each position's channels contiguous, printed `channels_last = true`.
    case channelsLast

    /// The static axes (channels, positions) of a tensor of `rank` static dims in this layout.
    public func axes(rank: Int) -> (channel: Int, position: Int) {
        self == .channelsFirst ? (rank - 2, rank - 1) : (rank - 1, rank - 2)
    }

    /// (channels, length) of a [..., C, L] or [..., L, C] shape.
    public func channelsAndLength(of shape: [Int]) -> (channels: Int, length: Int) {
        let a = axes(rank: shape.count)
        return (shape[a.channel], shape[a.position])
    }

    /// The kind attribute: present only for channels-last, so channels-first IR reads as before.
    public var attributes: [(key: String, value: String)] {
        self == .channelsLast ? [("channels_last", "true")] : []
    }
}

/// A short convolution a channels-last `monarch_conv` computes as it reads its operands (fusion rule
/// `monarch-short-conv`, M2's "short conv + split + pre-gate"): with s = short_conv(z, W, bias) over z's S·H
/// channels, x is segment `segments[0]` of s (channels segments[0]·H ..< (segments[0]+1)·H), g1 the next listed
/// segment when the op has a pre-gate, g2 the next when it has a post-gate.
public struct MonarchInputConv: Hashable, Sendable {
    public var taps: Int
    public var segments: [Int]

    public init(taps: Int, segments: [Int]) {
        self.taps = taps
        self.segments = segments
    }

    /// `short_conv_taps = 3, segments = [2,0,1]`.
    public var attributes: [(key: String, value: String)] {
        [("short_conv_taps", String(taps)), ("segments", AttrValue.ints(segments).description)]
    }
}
