import Foundation
import Layers
import Testing

/// `mpirun -np N zoo run RECIPE` as a user runs it, over Open MPI (the Makefile installs
/// openmpi-bin): 2 ranks train as 1 does on the same global batch, checkpoints resume on any
/// number of ranks, and what cannot run says so in one line.
@Suite(.serialized) struct DataParallelCLITests {
    let cli = ZooCLITests()

    /// mpirun as root (CI) and with more ranks than cores.
    func mpirun(_ ranks: Int, _ arguments: [String], in dir: URL, environment: [String: String?] = [:]) throws -> ZooCLITests.Result {
        let mpirun = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let path = try #require(mpirun, "mpirun is missing: install openmpi-bin and libopenmpi-dev (make deps does)")
        return try cli.run(["--allow-run-as-root", "--oversubscribe", "-np", String(ranks), ZooCLITests.zoo.path] + arguments,
                           in: dir, environment: environment.merging(["ZOO_DIR": nil, "COLUMNS": "1000"]) { $1 },
                           executable: URL(fileURLWithPath: path))
    }

    static func losses(_ work: URL) throws -> [Double] {
        try String(contentsOf: work.appendingPathComponent("train.jsonl"), encoding: .utf8).split(separator: "\n").map {
            let record = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            return try #require(record?["loss"] as? Double)
        }
    }

    static func expectClose(_ a: [Double], _ b: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count && !a.isEmpty, "\(a.count) vs \(b.count) steps", sourceLocation: sourceLocation)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-5 * abs(y), "\(x) vs \(y)", sourceLocation: sourceLocation) }
    }

    /// The entries' weights, each against its tensor's scale; the key projection's bias is left
    /// out (its gradient is rounding noise, which Adam turns into full steps).
    static func expectSameWeights(_ a: URL, _ b: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let x = try SafetensorsFile(path: a.appendingPathComponent("model.safetensors").path)
        let y = try SafetensorsFile(path: b.appendingPathComponent("model.safetensors").path)
        #expect(x.names == y.names, sourceLocation: sourceLocation)
        for name in x.names {
            var u = try x.tensor(name).scalars, v = try y.tensor(name).scalars
            if name.hasSuffix("in_proj_bias") {
                let d = u.count / 3
                u.removeSubrange(d..<(2 * d))
                v.removeSubrange(d..<(2 * d))
            }
            let scale = max(u.map(abs).max() ?? 0, 1e-3)
            let worst = zip(u, v).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-4 * scale, "\(name): off by \(worst) (scale \(scale))", sourceLocation: sourceLocation)
        }
    }

    @Test func twoRanksTrainAsOneAndResumeTheSameCurve() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = try mpirun(1, ["run", "tiny.yaml", "--work", "one", "--out", "Zoo/one"], in: dir)
        #expect(one.status == 0, "\(one.stderr)")
        // Each rank takes its thread count from the environment mpirun passes on.
        let two = try mpirun(2, ["run", "tiny.yaml", "--work", "two", "--out", "Zoo/two"], in: dir, environment: ["OMP_NUM_THREADS": "3"])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stderr.contains("data-parallel on 2 ranks × 3 thread(s)"), "\(two.stderr)")
        #expect(two.stdout.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1, "rank 0 alone prints: \(two.stdout)")
        let curve = try Self.losses(dir.appendingPathComponent("one"))
        #expect(curve.count == 20)
        Self.expectClose(try Self.losses(dir.appendingPathComponent("two")), curve)
        try Self.expectSameWeights(dir.appendingPathComponent("Zoo/one"), dir.appendingPathComponent("Zoo/two"))

        // The entry and its card record the world size.
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("Zoo/two/config.json"))) as? [String: Any]
        #expect((config?["training"] as? [String: Any])?["ranks"] as? Int == 2)
        let card = try String(contentsOf: dir.appendingPathComponent("Zoo/two/card.md"), encoding: .utf8)
        #expect(card.contains("on 2 processes × "), "\(card)")

        // Two ranks stop after 10 steps; two ranks, then one, resume to the same curve.
        for resumers in [2, 1] {
            let work = "split\(resumers)"
            let first = try mpirun(2, ["run", "tiny.yaml", "--work", work, "--out", "Zoo/\(work)", "--stop-after", "10"], in: dir)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("Zoo/\(work)").path), "a stopped run exports nothing")
            let rest = try mpirun(resumers, ["run", "tiny.yaml", "--work", work, "--out", "Zoo/\(work)", "--resume"], in: dir)
            #expect(rest.status == 0, "\(rest.stderr)")
            Self.expectClose(try Self.losses(dir.appendingPathComponent(work)), curve)
            try Self.expectSameWeights(dir.appendingPathComponent("Zoo/\(work)"), dir.appendingPathComponent("Zoo/one"))
        }
    }

    /// A rank that fails ends the whole job at once, its line naming the rank; nothing is exported.
    @Test func aFailingRankEndsTheJob() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = try String(contentsOf: dir.appendingPathComponent("tiny.yaml"), encoding: .utf8)
        try Data(recipe.replacingOccurrences(of: "train: train.txt", with: "train: gone.txt").utf8).write(to: dir.appendingPathComponent("gone.yaml"))
        // Rank 0 runs the good recipe, rank 1 one whose data is missing (mpirun's ':' gives each its own command).
        let r = try mpirun(1, ["run", "tiny.yaml", "--work", "w", "--out", "Zoo/t", ":", "-np", "1", ZooCLITests.zoo.path,
                               "run", "gone.yaml", "--work", "w", "--out", "Zoo/t"], in: dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("Error: rank 1 of 2: gone.txt: no such file\n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("Zoo/t").path))
    }

    /// A rank killed in the middle of training: mpirun ends the job, rank 0's last line says where
    /// the last checkpoint is, and that checkpoint is whole: the run resumes from it.
    @Test func rankZeroNamesTheWholeCheckpointWhenAnotherRankDies() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recipe = try String(contentsOf: dir.appendingPathComponent("tiny.yaml"), encoding: .utf8)
        try Data((recipe.replacingOccurrences(of: "steps: 20,", with: "steps: 1000000,") + "\ncheckpoint: {every: 50}\n").utf8)
            .write(to: dir.appendingPathComponent("long.yaml"))
        let launcher = try #require(["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: launcher)
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", ZooCLITests.zoo.path, "run", "long.yaml", "--work", "long"]
        process.currentDirectoryURL = dir
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let checkpoint = dir.appendingPathComponent("long/checkpoint.safetensors")
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(100_000) }
        #expect(FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint within 2 minutes")

        // Rank 1: the zoo process whose environment says so.
        let ranks = try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ"),
                  let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let words = command.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return words.first == ZooCLITests.zoo.path && words.contains("long.yaml") && environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=1" }
        }
        let rank1 = try #require(ranks.first, "rank 1 not found")
        kill(rank1, SIGKILL)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        let said = stderr.split(separator: "\n").filter { $0.hasPrefix("Error: ") }
        #expect(said.count == 1 && said[0].hasPrefix("Error: the job ended: another process failed or mpirun was stopped; ")
                && said[0].hasSuffix(" is whole; continue with --resume"), "\(stderr)")
        let step = try #require(said.first.flatMap { line in line.range(of: "(step ").map { Int(line[$0.upperBound...].prefix { $0.isNumber }) } } ?? nil)
        #expect(step >= 50 && step % 50 == 0)
        let file = try SafetensorsFile(path: checkpoint.path)
        #expect(file.metadata["step"] == String(step))
        let resumed = try mpirun(1, ["run", "tiny.yaml", "--work", "long", "--resume", "--steps", String(step + 1)], in: dir)
        #expect(resumed.stderr.contains("resuming at step \(step) of \(step + 1)"), "\(resumed.stderr)")
    }

    /// Started as if by mpirun, but without an Open MPI library to load: one line, exit 1.
    @Test func withoutOpenMPIARankSaysSoInOneLine() throws {
        let dir = try ProtectedOutputCLITests.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try cli.run(["run", "tiny.yaml"], in: dir,
                            environment: ["ZOO_DIR": nil, "OMPI_COMM_WORLD_SIZE": "2", "ZOO_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("Error: mpirun started this process as one of 2, but it cannot join them: cannot load Open MPI ("), "\(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".runs").path), "nothing ran")
    }
}
