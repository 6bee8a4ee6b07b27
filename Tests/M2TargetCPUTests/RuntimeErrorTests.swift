import Foundation
import M2IR
import M2TargetCPU
import Testing

@Suite("CPU target: .m2w verification and argument errors", .serialized)
struct RuntimeErrorTests {
    /// A driver whose first argument picks a scenario; it prints `rc=N detail` lines.
    static let driver = """
    #include "chain.h"
    #include <stdio.h>
    #include <string.h>

    static void report(int rc, const chain_model *m) { printf("rc=%d %s\\n", rc, chain_last_error(m)); }

    int main(int argc, char **argv) {
        (void)argc;
        chain_model *m = NULL;
        int rc = chain_open(argv[2], &m);
        if (strcmp(argv[1], "open") == 0 || rc != CHAIN_OK) { report(rc, m); chain_close(m); return 0; }
        int32_t ids[2 * CHAIN_SEQ_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        float hidden[2 * CHAIN_OUT_LAST_HIDDEN_STATE_SIZE];
        chain_outputs out = { hidden, NULL };
        if (strcmp(argv[1], "token") == 0) { ids[7] = CHAIN_VOCAB; rc = chain_forward(m, 2, ids, NULL, &out); }
        if (strcmp(argv[1], "negative") == 0) { ids[0] = -3; rc = chain_forward(m, 1, ids, NULL, &out); }
        if (strcmp(argv[1], "batch0") == 0) rc = chain_forward(m, 0, ids, NULL, &out);
        if (strcmp(argv[1], "null_ids") == 0) rc = chain_forward(m, 1, NULL, NULL, &out);
        if (strcmp(argv[1], "null_out") == 0) rc = chain_forward(m, 1, ids, NULL, NULL);
        if (strcmp(argv[1], "null_model") == 0) rc = chain_forward(NULL, 1, ids, NULL, &out);
        if (strcmp(argv[1], "threads") == 0) rc = chain_set_num_threads(m, 0);
        if (strcmp(argv[1], "grow") == 0) {
            rc = chain_forward(m, 1, ids, NULL, &out);
            float first = hidden[0];
            if (rc == 0) rc = chain_forward(m, 2, ids, NULL, &out);
            if (rc == 0 && hidden[0] != first) rc = 100;
        }
        report(rc, m);
        chain_close(m);
        return 0;
    }
    """

    struct Fixture {
        var harness: CHarness
        var exe: URL
        var image: [UInt8]

        init() throws {
            let model = try TestModels.chain()
            let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "chain")
            harness = try CHarness(library, compiler: "gcc", cflags: CHarness.sanitized, openMP: false)
            exe = try harness.driver(RuntimeErrorTests.driver)
            image = library.files["chain.m2w"] ?? []
        }

        /// Runs a scenario against `bytes` written as a weights file; returns the code and the detail.
        func run(_ scenario: String, weights bytes: [UInt8]? = nil) throws -> (code: Int, detail: String) {
            let path = harness.directory.appendingPathComponent("case.m2w")
            try Data(bytes ?? image).write(to: path)
            let (status, output) = try harness.run(exe, [scenario, path.path])
            #expect(status == 0, "driver crashed: \(output)")
            guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("rc=") }) else { return (-1, output) }
            let rest = line.dropFirst(3)
            let code = Int(rest.prefix { $0.isNumber || $0 == "-" }) ?? -1
            return (code, String(rest.drop { $0.isNumber || $0 == "-" }))
        }
    }

    // Error codes as declared in the generated header.
    let ok = 0, io = 1, badMagic = 2, version = 3, wrongModel = 4, truncated = 5, checksum = 6, badArgument = 8, token = 9

    @Test("corrupted, truncated, foreign and missing weight files give their error codes, never a crash")
    func weightFiles() throws {
        let f = try Fixture()
        defer { f.harness.remove() }
        #expect(try f.run("open").code == ok)

        var magic = f.image
        magic[0] = UInt8(ascii: "X")
        #expect(try f.run("open", weights: magic).code == badMagic)

        var newer = f.image
        newer[4] = 9
        #expect(try f.run("open", weights: newer).code == version)

        for cut in [0, 3, 40, 63, 64, 100, f.image.count / 2, f.image.count - 9, f.image.count - 1] {
            let r = try f.run("open", weights: Array(f.image.prefix(cut)))
            #expect(r.code == truncated, "cut at \(cut): \(r)")
        }

        var flipped = f.image
        flipped[flipped.count - 200] ^= 0x10
        let r = try f.run("open", weights: flipped)
        #expect(r.code == checksum && r.detail.contains("checksum"), "\(r)")

        let other = try TestModels.chain(vocab: 12)
        let otherImage = try CPUEmitter.weightsFile(graph: other.graph, weights: other.weights)
        let foreign = try f.run("open", weights: otherImage)
        #expect(foreign.code == wrongModel, "\(foreign)")

        let missing = try f.harness.run(f.exe, ["open", "/nonexistent/chain.m2w"])
        #expect(missing.output.hasPrefix("rc=\(io) "), "\(missing.output)")
    }

    @Test("bad arguments and out-of-range token ids are errors with details")
    func arguments() throws {
        let f = try Fixture()
        defer { f.harness.remove() }
        let tokenError = try f.run("token")
        #expect(tokenError.code == token)
        #expect(tokenError.detail.contains("input 'input_ids': id 11 at item 1, position 2"), "\(tokenError.detail)")
        #expect(try f.run("negative").code == token)
        #expect(try f.run("batch0").code == badArgument)
        let nullIds = try f.run("null_ids")
        #expect(nullIds.code == badArgument && nullIds.detail.contains("input_ids"))
        #expect(try f.run("null_out").code == badArgument)
        #expect(try f.run("null_model").code == badArgument)
        #expect(try f.run("threads").code == badArgument)
        #expect(try f.run("grow").code == ok)
    }
}
