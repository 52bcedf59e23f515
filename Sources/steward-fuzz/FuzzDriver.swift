// steward-fuzz: fuzzing over inspection (issue 12). Two drivers share FuzzTarget.run:
//
//  - libFuzzer, coverage-guided: scripts/fuzz builds this target with
//    -sanitize=fuzzer,address -DSTEWARD_LIBFUZZER; libFuzzer's driver runs it.
//  - this bounded mutation driver, for the test suite's smoke: seeds, then random byte flips,
//    inserts, deletes, splices and MIME tokens, for at most --runs inputs and --seconds seconds.
//    A crash kills the process, so the test sees a non-zero exit.
//
//   steward-fuzz [--runs N] [--seconds S] [--seed X]    run the driver
//   steward-fuzz --write-seeds DIR                      write the seeds (libFuzzer's corpus)
#if !STEWARD_LIBFUZZER
import Foundation

// @main rather than main.swift: under libFuzzer this type is compiled out and libFuzzer's own
// main runs, which a main.swift (always an entry point) would not allow.
@main
struct FuzzDriver {
    static func main() throws {
        var runs = 10_000
        var seconds = 60.0
        var seed: UInt64 = 12
        var arguments = CommandLine.arguments.dropFirst()
        while let flag = arguments.popFirst() {
            let value = arguments.popFirst() ?? ""
            switch flag {
            case "--runs": runs = Int(value) ?? runs
            case "--seconds": seconds = Double(value) ?? seconds
            case "--seed": seed = UInt64(value) ?? seed
            case "--write-seeds":
                try FileManager.default.createDirectory(atPath: value, withIntermediateDirectories: true)
                for (index, text) in Seeds.all.enumerated() {
                    _ = FileManager.default.createFile(atPath: "\(value)/seed-\(index).eml", contents: Data(text.utf8))
                }
                exit(0)
            default:
                FileHandle.standardError.write(Data("steward-fuzz: unknown option \(flag)\n".utf8))
                exit(2)
            }
        }

        var mutator = Mutator(seed: seed, seeds: Seeds.all.map { Array($0.utf8) })
        let deadline = Date().addingTimeInterval(seconds)
        var done = 0
        for input in mutator.seeds { FuzzTarget.run(input) }
        while done < runs, Date() < deadline {
            FuzzTarget.run(mutator.next())
            done += 1
        }
        print("steward-fuzz: \(done) inputs after the \(mutator.seeds.count) seeds, no crash")
    }
}
#endif
