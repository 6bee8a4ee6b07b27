/// Sizes in messages: one way to print them, so every "needs N GiB" error reads alike.
public enum ByteCount {
    /// `bytes` as "12.3 GiB" (one decimal, rounded); beyond 10^15 GiB, where an Int of tenths would overflow,
    /// "more than 10^15 GiB".
    public static func gib(_ bytes: Double) -> String {
        let tenths = (bytes * 10 / Double(1 << 30)).rounded()
        guard tenths.isFinite, tenths < 1e16 else { return "more than 10^15 GiB" }
        let t = Int(tenths)
        return "\(t / 10).\(t % 10) GiB"
    }
}
