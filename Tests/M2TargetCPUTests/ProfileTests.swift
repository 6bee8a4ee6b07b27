import Foundation
import M2IR
import M2TargetCPU
import Testing

@Suite("CPU target: -DM2_PROFILE per-op profile", .serialized)
struct ProfileTests {
    /// Runs two forwards of batch 3 without the pooled output (NULL) and one with it, prints `count N`, one
    /// `op KIND FLOPS SECONDS` line per profiled op, then resets and prints the totals again as
    /// `reset FLOPS SECONDS`, and the code for an index past the end.
    static let driver = """
    #include "chain.h"
    #include <stdio.h>

    int main(int argc, char **argv) {
        (void)argc;
        chain_model *m = NULL;
        if (chain_open(argv[1], &m) != CHAIN_OK) { printf("open failed %s\\n", chain_last_error(m)); return 1; }
        int32_t ids[3 * CHAIN_SEQ_LEN] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4 };
        float hidden[3 * CHAIN_OUT_LAST_HIDDEN_STATE_SIZE], pooled[3 * CHAIN_OUT_POOLED_SIZE];
        chain_outputs out = { hidden, NULL };
        for (int r = 0; r < 3; r++) {
            if (r == 2) out.pooled = pooled;
            if (chain_forward(m, 3, ids, NULL, &out) != CHAIN_OK) { printf("forward failed\\n"); return 1; }
        }
        const int n = chain_profile_count(m);
        printf("count %d\\n", n);
        for (int i = 0; i < n; i++) {
            const char *kind = NULL, *label = NULL;
            double seconds = -1, flops = -1;
            if (chain_profile(m, i, &kind, &label, &seconds, &flops) != CHAIN_OK) { printf("profile %d failed\\n", i); return 1; }
            printf("op %s %.17g %.17g\\n", kind, flops, seconds);
        }
        chain_profile_reset(m);
        for (int i = 0; i < n; i++) {
            double seconds = -1, flops = -1;
            chain_profile(m, i, NULL, NULL, &seconds, &flops);
            printf("reset %.17g %.17g\\n", flops, seconds);
        }
        printf("past_end %d\\n", chain_profile(m, n, NULL, NULL, NULL, NULL));
        chain_close(m);
        return 0;
    }
    """

    func run(cflags: String) throws -> [Substring] {
        let model = try TestModels.chain()
        let library = try CPUEmitter.emit(graph: model.graph, weights: model.weights, name: "chain")
        let harness = try CHarness(library, compiler: "gcc", cflags: cflags)
        defer { harness.remove() }
        let result = try harness.run(try harness.driver(Self.driver), [harness.weightsPath])
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n")
    }

    @Test("a -DM2_PROFILE build reports every forward op with its FlopCount flops and a time; ops only a NULL output reads do not run; reset zeroes them")
    func profiledBuild() throws {
        let lines = try run(cflags: CHarness.strict + " -pedantic -DM2_PROFILE")
        let graph = try TestModels.chain().graph
        let expected = FlopCount.forwardOps(of: graph)
        // Output 0 (last_hidden_state) was wanted by all three forwards, output 1 (pooled) by the last only.
        let readers = graph.outputDependence()
        let onlyPooled = Set(expected.map(\.op.result).filter { readers[$0] == [1] })
        #expect(expected.contains { onlyPooled.contains($0.op.result) && $0.flops > 0 } && onlyPooled.count < expected.count)
        #expect(lines.first == "count \(expected.count)")
        let ops = lines.filter { $0.hasPrefix("op ") }.map { $0.split(separator: " ") }
        try #require(ops.count == expected.count)
        var totalSeconds = 0.0
        for (fields, entry) in zip(ops, expected) {
            #expect(fields[1] == entry.op.kind.mnemonic)
            let flops = try #require(Double(fields[2])), seconds = try #require(Double(fields[3]))
            // Three forwards of 3 items each; an op only the pooled output reads ran in the last one only.
            let items = onlyPooled.contains(entry.op.result) ? 3.0 : 9.0
            #expect(abs(flops - items * entry.flops) <= 1e-9 * max(1, flops), "\(fields[1]): \(flops) vs \(items) × \(entry.flops)")
            #expect(seconds >= 0)
            totalSeconds += seconds
        }
        #expect(totalSeconds > 0)
        #expect(expected.contains { $0.flops > 0 })
        let resets = lines.filter { $0.hasPrefix("reset ") }
        #expect(resets.count == expected.count && resets.allSatisfy { $0 == "reset 0 0" })
        #expect(lines.last == "past_end 8")
    }

    @Test("without -DM2_PROFILE the profile API exists and reports no ops")
    func unprofiledBuild() throws {
        let lines = try run(cflags: CHarness.strict + " -pedantic")
        #expect(lines == ["count 0", "past_end 8"])
    }
}
