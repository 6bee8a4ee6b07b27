// swift-app: runs the linked m2c model (scripts/link-model.sh) on one batch of token ids from Swift.
//
//   swift-app [--weights FILE.m2w] [-n RUNS] [TOKEN_ID ...]
//
// Like examples/c-app: the batch holds the ids (or a fixed sentence-like sequence) and the same ids reversed,
// each padded with 0 to the model's sequence length, with an attention mask of 1 on the tokens. It prints the
// first values of `pooled_output` per item and the time per forward. Works for BERT-style models (inputs
// input_ids / token_type_ids / attention_mask, output pooled_output), which is every `m2c import`ed checkpoint.

import Foundation

/// Sentence-like BERT ids ([CLS]=101 … [SEP]=102), wrapped into smaller vocabularies of test models.
let defaultTokens: [Int32] = [101, 1996, 8254, 15299, 2944, 2003, 3435, 1998, 2235, 1012, 102]
let valuesPrinted = 8
let batch = 2

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

struct Arguments {
    var weightsPath = LinkedModelInfo.defaultWeightsPath
    var runs = 10
    var tokens: [Int32] = []

    init(_ arguments: ArraySlice<String>) throws(UsageError) {
        var rest = arguments
        while let argument = rest.popFirst() {
            switch argument {
            case "--weights":
                guard let path = rest.popFirst() else { throw UsageError(description: "--weights needs a file") }
                weightsPath = path
            case "-n":
                guard let text = rest.popFirst(), let value = Int(text), value >= 1 else {
                    throw UsageError(description: "-n needs a positive number of runs")
                }
                runs = value
            default:
                guard let id = Int32(argument) else { throw UsageError(description: "not a token id: '\(argument)'") }
                tokens.append(id)
            }
        }
        if tokens.isEmpty {
            tokens = defaultTokens.map { id in LinkedModelInfo.vocabulary.map { id % Int32($0) } ?? id }
        }
        guard tokens.count <= LinkedModelInfo.sequenceLength else {
            throw UsageError(description: "\(tokens.count) token ids; the model takes at most \(LinkedModelInfo.sequenceLength)")
        }
    }
}

/// Item 0 is the tokens, item 1 the tokens reversed; both 0-padded, masked 1 on tokens and 0 on padding.
func makeBatch(_ tokens: [Int32]) -> (inputIds: [Int32], attentionMask: [Int32]) {
    let padding = [Int32](repeating: 0, count: LinkedModelInfo.sequenceLength - tokens.count)
    let mask = [Int32](repeating: 1, count: tokens.count) + padding
    return (tokens + padding + tokens.reversed() + padding, mask + mask)
}

func run(_ arguments: Arguments) throws(LinkedModelError) {
    let model = try LinkedModel(weightsPath: arguments.weightsPath)
    let (inputIds, attentionMask) = makeBatch(arguments.tokens)

    // One warm-up forward (it sizes the activation arena), then the timed ones. Only the pooled output is printed,
    // so only it is asked for: the kernels of the other outputs (an MLM head) do not run.
    var outputs = try model.forward(inputIds: inputIds, batch: batch, attentionMask: attentionMask, wanted: .pooledOutput)
    let clock = ContinuousClock()
    let start = clock.now
    for _ in 0..<arguments.runs {
        outputs = try model.forward(inputIds: inputIds, batch: batch, attentionMask: attentionMask, wanted: .pooledOutput)
    }
    let elapsed = clock.now - start

    print("model \(LinkedModelInfo.name), seq_len \(LinkedModelInfo.sequenceLength), batch \(batch), \(arguments.tokens.count) token(s)")
    let size = LinkedModel.pooledOutputSize
    for item in 0..<batch {
        let values = outputs.pooledOutput[item * size..<item * size + min(valuesPrinted, size)]
        print("pooled_output[\(item)][0:\(values.count)]: " + values.map { "\($0)" }.joined(separator: " "))
    }
    let milliseconds = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15
    print("forward: \(String(format: "%.3f", milliseconds / Double(arguments.runs))) ms per batch of \(batch) (mean of \(arguments.runs) runs after 1 warm-up)")
}

/// Prints the message to standard error and exits with the status.
func fail(_ status: Int32, _ message: String) -> Never {
    FileHandle.standardError.write(Data("swift-app: \(message)\n".utf8))
    exit(status)
}

let arguments: Arguments
do {
    arguments = try Arguments(CommandLine.arguments.dropFirst())
} catch {
    fail(2, "\(error)\nusage: swift-app [--weights FILE.m2w] [-n RUNS] [TOKEN_ID ...]")
}
do {
    try run(arguments)
} catch .tokenOutOfRange(let detail) {
    // The errors are typed (LinkedModelError): one case per C error code, with the library's detail message.
    fail(1, "a token id is outside the vocabulary: \(detail)")
} catch {
    fail(1, "\(error)")
}
