import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A status line on stderr for long commands: rewritten in place on a terminal, one line per update otherwise
/// (so logs and CI output keep every step).
struct ProgressLine {
    private let interactive = isatty(STDERR_FILENO) != 0
    private var shown = false

    mutating func update(_ text: String) {
        if interactive {
            Console.error("\r\u{1B}[K" + text)
            shown = true
        } else {
            Console.error(text + "\n")
        }
    }

    /// Clears the line so regular output starts at column 0.
    mutating func clear() {
        if interactive && shown { Console.error("\r\u{1B}[K") }
        shown = false
    }
}
