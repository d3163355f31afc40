import CMPI
import Foundation

/// The data-parallel world of this process: one process alone, or the ranks of an `mpirun` job.
/// `zoo run` and `zoo finetune` call `join()` first; the trainer and the recipe stages then ask
/// `world` who they are.
public enum DataParallel {
    nonisolated(unsafe) public private(set) static var world: any ProcessGroup = SingleProcess()

    /// Joins the job that started this process, if a launcher started it as one of several:
    /// Open MPI's `mpirun` sets OMPI_COMM_WORLD_SIZE. A single rank (`mpirun -np 1`) runs as a
    /// plain process without loading MPI. Throws one line when this process cannot join.
    public static func join(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard world.size == 1 else { return }
        if let size = environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1 {
            do {
                world = try OpenMPIGroup()
            } catch {
                throw DataParallelError.cannotJoin("mpirun started this process as one of \(size), but it cannot join them: \(error)")
            }
        } else if let size = (environment["PMI_SIZE"] ?? environment["PMIX_SIZE"]).flatMap(Int.init), size > 1 {
            throw DataParallelError.cannotJoin("an MPI launcher other than Open MPI's mpirun started this process as one of \(size); "
                              + "data-parallel training needs Open MPI's mpirun (Debian: openmpi-bin)")
        }
    }

    /// Uses `group` as the world (tests; a single-process world otherwise).
    public static func use(_ group: any ProcessGroup) { world = group }

    /// Leaves the job at the end of the process (MPI_Finalize), so that mpirun sees a clean exit.
    public static func leave() {
        (world as? OpenMPIGroup)?.finalize()
        world = SingleProcess()
    }

    /// After an error on one rank: ends every rank of the job at once (MPI_Abort), as a rank
    /// that simply exited would leave the others waiting in their next collective.
    public static func abortJob(code: Int32) {
        (world as? OpenMPIGroup)?.abort(code: code)
    }

    /// What rank 0 says when mpirun ends the job because another rank failed (SIGTERM): one
    /// line, typically where the last checkpoint is. Only in a job of several ranks.
    public static func onTermination(say line: String) {
        guard world.size > 1 else { return }
        zoo_mpi_on_termination("Error: \(line)\n")
    }

    /// A label for messages: "" alone, "rank 1 of 4: " in a job.
    public static var rankPrefix: String { world.size > 1 ? "rank \(world.rank) of \(world.size): " : "" }

    /// The `part`-th of `parts` contiguous, near-equal slices of `0..<count` (the earlier ones
    /// shorter): the examples of a global batch that one rank trains on.
    public static func slice(_ count: Int, part: Int, of parts: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }
}
