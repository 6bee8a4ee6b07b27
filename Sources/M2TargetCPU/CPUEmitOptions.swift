/// Knobs of the CPU C emitter.
public struct CPUEmitOptions: Sendable {
    /// Version string written into the header and the .m2w-independent constants.
    public var m2cVersion: String
    /// Read templates from this directory instead of the copies compiled into m2c (for editing kernels
    /// without rebuilding). Must hold every file of Templates/cpu.
    public var templateDirectory: String?
    /// Rows of a block-diagonal matmul processed together so each weight row is reused from cache.
    public var matmulRowTile: Int

    public init(m2cVersion: String = "0.1.0", templateDirectory: String? = nil, matmulRowTile: Int = 8) {
        self.m2cVersion = m2cVersion
        self.templateDirectory = templateDirectory
        self.matmulRowTile = matmulRowTile
    }
}
