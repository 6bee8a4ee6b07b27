import ArgumentParser

public struct M2C: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "m2c",
        abstract: "Ahead-of-time compiler for Monarch Mixer (M2) models.")
    public init() {}
}
