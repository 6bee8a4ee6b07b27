import Foundation
import M2IR

/// The GEMM tiles an IR file records (`m2c compile … -o DIR` writes DIR/NAME.ir, the IR the emitter walked, with
/// `tile`, `kernel` and, after `--tune`, `tuned` annotations), copied onto the same model's graph: what
/// `--tiles FILE` does, so a tuned compile can be reproduced without tuning again, on any machine.
///
/// The file is read line by line rather than parsed: a model's IR prints its large constants as digests, without
/// their data. The k-th annotated matmul of the file goes to the k-th matmul of the graph that runs a tiled GEMM;
/// both must have the same op and result type, or the file describes another model, length or pipeline.
public enum TileRecords {
    public struct Record: Equatable, Sendable {
        public var line: Int, column: Int
        public var mnemonic: String
        public var type: String
        public var annotations: [String: String]
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var description: String
    }

    /// The annotated matmuls of an IR text, in order: every op line whose `#{…}` has a `tile`.
    public static func records(in text: String, file: String) throws(Failure) -> [Record] {
        var result: [Record] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            guard let open = line.range(of: " #{"), line.contains("tile = ") else { continue }
            let lineNumber = index + 1
            let head = line[..<open.lowerBound]
            guard let eq = head.range(of: " = "), let colon = head.range(of: " : ", options: .backwards) else {
                throw Failure(description: "\(file):\(lineNumber):1: expected an op line '%N = op … : type #{…}'")
            }
            let mnemonic = head[eq.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            let column = line.distance(from: line.startIndex, to: open.upperBound) + 1
            var annotations: [String: String] = [:]
            do { annotations = try dictionary(String(line[open.upperBound...])) } catch {
                throw Failure(description: "\(file):\(lineNumber):\(column): \(error.description)")
            }
            guard annotations[TileAnnotation.tileKey] != nil else { continue }   // `tile = ` was inside another string
            result.append(Record(line: lineNumber, column: column, mnemonic: mnemonic,
                                 type: String(head[colon.upperBound...]), annotations: annotations))
        }
        return result
    }

    /// `graph` with the tiles of `text` on its matmuls, each checked against the kernel `options` select (the
    /// emitter checks them again, as it checks every recorded tile).
    public static func apply(_ text: String, file: String, to graph: Graph, options: CPUEmitOptions) throws(Failure) -> Graph {
        let records = try records(in: text, file: file)
        let matmuls = GemmProblem.all(in: graph)
        guard records.count == matmuls.count else {
            throw Failure(description: "\(file): records the tiles of \(records.count) matmul(s); this model, compiled as asked, "
                          + "has \(matmuls.count) that run a tiled GEMM: the file comes from another model, length or pipeline")
        }
        var tiled = graph
        for (record, (index, problem)) in zip(records, matmuls) {
            let op = graph.ops[index]
            guard record.mnemonic == op.kind.mnemonic, record.type == "\(op.type)" else {
                throw Failure(description: "\(file):\(record.line):1: a \(record.mnemonic) of type \(record.type) is tiled here, "
                              + "where this model has a \(op.kind.mnemonic) of type \(op.type)\(op.name.map { " (\($0))" } ?? ""): "
                              + "the file comes from another model, length or pipeline")
            }
            for key in [TileAnnotation.tileKey, TileAnnotation.kernelKey, TileAnnotation.tunedKey] {
                if let value = record.annotations[key] { tiled.ops[index].annotations[key] = .string(value) }
            }
            do { _ = try TileAnnotation.recorded(on: tiled.ops[index], problem: problem, options: options) } catch {
                throw Failure(description: "\(file):\(record.line):\(record.column): \(error)")
            }
        }
        return tiled
    }

    /// The string-valued entries of `key = value, …}` (the text after `#{`); other values are skipped whole.
    static func dictionary(_ text: String) throws(Failure) -> [String: String] {
        var result: [String: String] = [:]
        var chars = Array(text)[...]
        func skipSpaces() { while chars.first == " " { chars.removeFirst() } }
        while true {
            skipSpaces()
            guard let first = chars.first else { throw Failure(description: "the annotations are not closed with '}'") }
            if first == "}" { return result }
            var key = ""
            while let c = chars.first, c.isLetter || c.isNumber || c == "_" || c == "." { key.append(c); chars.removeFirst() }
            skipSpaces()
            guard !key.isEmpty, chars.first == "=" else { throw Failure(description: "expected 'key = value' in the annotations") }
            chars.removeFirst()
            skipSpaces()
            if chars.first == "\"" {
                chars.removeFirst()
                var value = ""
                while true {
                    guard let c = chars.popFirst() else { throw Failure(description: "an annotation's string is not closed") }
                    if c == "\"" { break }
                    if c != "\\" { value.append(c); continue }
                    switch chars.popFirst() {
                    case "n": value.append("\n")
                    case "t": value.append("\t")
                    case "\"": value.append("\"")
                    case "\\": value.append("\\")
                    case "u":
                        guard chars.popFirst() == "{", let close = chars.firstIndex(of: "}"),
                              let code = UInt32(String(chars[..<close]), radix: 16), let scalar = Unicode.Scalar(code) else {
                            throw Failure(description: "a bad \\u{…} escape in an annotation's string")
                        }
                        value.unicodeScalars.append(scalar)
                        chars = chars[(close + 1)...]
                    default: throw Failure(description: "an unknown escape in an annotation's string")
                    }
                }
                result[key] = value
            } else {
                var depth = 0
                while let c = chars.first, depth > 0 || (c != "," && c != "}") {
                    if c == "[" { depth += 1 } else if c == "]" { depth -= 1 }
                    chars.removeFirst()
                }
            }
            skipSpaces()
            if chars.first == "," { chars.removeFirst() }
        }
    }
}
