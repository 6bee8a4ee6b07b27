import Foundation

/// A small C program that `m2c bench` builds beside the model (a yardstick: OpenBLAS sgemm, the FMA peak): written
/// into a cache directory and compiled there once, again only when its source changes, then run as a child
/// process so its numbers come from the same run and machine state as the model's.
enum CachedCProgram {
    /// `$XDG_CACHE_HOME/m2c`, else `~/.cache/m2c`.
    static var defaultCacheDirectory: String {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty { return "\(xdg)/m2c" }
        return "\(NSHomeDirectory())/.cache/m2c"
    }

    /// The executable of `source` built as `cacheDirectory/name/name` with `compiler flags… source -o exe libs…`;
    /// `hint` follows the compiler's output when the build fails.
    static func build(name: String, source: String, cacheDirectory: String, compiler: String, flags: [String],
                      libraries: [String] = [], hint: String) throws -> String {
        let directory = "\(cacheDirectory)/\(name)"
        let sourcePath = "\(directory)/\(name).c", executable = "\(directory)/\(name)"
        let fm = FileManager.default
        // The command line is part of what is cached: a different compiler or flags rebuild.
        let command = [compiler] + flags + [sourcePath, "-o", executable] + libraries
        let stamp = source + "\n/* " + command.joined(separator: " ") + " */\n"
        if (try? String(contentsOfFile: sourcePath, encoding: .utf8)) == stamp, fm.isExecutableFile(atPath: executable) {
            return executable
        }
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try stamp.write(toFile: sourcePath, atomically: true, encoding: .utf8)
        let result = try Subprocess.run(command)
        guard result.status == 0 else {
            throw GeneratedLibrary.Failure(description: "cannot build \(name) (\(command.joined(separator: " "))); \(hint)\n\(result.stderr)")
        }
        return executable
    }

    /// The numbers `executable args…` prints on stdout; an error unless it exits 0 and prints exactly `count`.
    static func numbers(_ executable: String, _ args: [String], count: Int) throws -> [Double] {
        let result = try Subprocess.run([executable] + args)
        let fields = result.stdout.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
        guard result.status == 0, fields.count == count else {
            throw GeneratedLibrary.Failure(description: "\(([executable] + args).joined(separator: " ")) failed (\(result.status)): \(result.stderr)\(result.stdout)")
        }
        return fields
    }
}
