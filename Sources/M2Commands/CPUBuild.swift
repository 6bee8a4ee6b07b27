import Foundation
import M2IR
import M2TargetCPU

/// Compile → write → (build) of the CPU target, shared by `compile`, `verify` and `run --engine cpu`.
enum CPUBuild {
    /// Emits the library for `graph` into `directory`; with weights, also NAME.m2w.
    static func emit(_ graph: Graph, session: CompilerSession, name: String, directory: String,
                     options: CPUEmitOptions = CPUEmitOptions()) throws -> EmittedLibrary {
        do {
            let library = try CPUEmitter.emit(graph: graph, weights: session.weights, name: name, options: options)
            try library.write(to: directory)
            return library
        } catch {
            Console.error("error: \(error)\n")
            throw ReportedFailure()
        }
    }

    /// Emits, builds with make and loads the library (weights required).
    static func load(_ graph: Graph, session: CompilerSession, name: String, directory: String,
                     compiler: String? = nil, cflags: String? = nil,
                     options: CPUEmitOptions = CPUEmitOptions()) throws -> GeneratedLibrary {
        _ = try emit(graph, session: session, name: name, directory: directory, options: options)
        return try buildAndLoad(name: name, directory: directory, compiler: compiler, cflags: cflags)
    }

    /// Builds an emitted library with make and loads it with the .m2w next to it.
    static func buildAndLoad(name: String, directory: String, compiler: String? = nil, cflags: String? = nil) throws -> GeneratedLibrary {
        do {
            try LibraryBuilder.build(directory: directory, compiler: compiler, cflags: cflags)
            return try GeneratedLibrary(directory: directory, name: name, weights: "\(directory)/\(name).m2w")
        } catch {
            Console.error("error: \(error)\n")
            throw ReportedFailure()
        }
    }

    /// A C identifier for the library name (graph names are .m2 identifiers already).
    static func libraryName(_ requested: String?, graph: Graph) -> String {
        requested ?? graph.name
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("m2c-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
