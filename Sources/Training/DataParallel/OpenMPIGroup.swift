import CMPI

/// The ranks of a job started by Open MPI's `mpirun`, through its library loaded at run time
/// (`Sources/CMPI`): the zoo builds and runs without MPI, and only such a job loads it.
public final class OpenMPIGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// Loads the library and initializes MPI; one process calls this once.
    init() throws {
        var error = [CChar](repeating: 0, count: 512)
        guard zoo_mpi_load(&error, error.count) == 0 else { throw DataParallelError.cannotJoin(String(cString: error)) }
        var rank: Int32 = 0, size: Int32 = 0
        guard zoo_mpi_init(&rank, &size, &error, error.count) == 0 else { throw DataParallelError.cannotJoin(String(cString: error)) }
        self.rank = Int(rank)
        self.size = Int(size)
    }

    static func check(_ code: Int32, _ operation: String) throws {
        guard code != 0 else { return }
        var text = [CChar](repeating: 0, count: 300)
        zoo_mpi_error_string(code, &text, text.count)
        throw DataParallelError.collectiveFailed(operation: operation, reason: String(cString: text))
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(zoo_mpi_allreduce_float(base, values.count), "MPI_Allreduce")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        guard let base = values.baseAddress else { return }
        try Self.check(zoo_mpi_allreduce_double(base, values.count), "MPI_Allreduce")
    }

    public func broadcast(_ bytes: UnsafeMutableRawBufferPointer, from root: Int) throws {
        guard let base = bytes.baseAddress else { return }
        try Self.check(zoo_mpi_broadcast(base, bytes.count, Int32(root)), "MPI_Bcast")
    }

    public func startAllReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws -> any PendingCollective {
        precondition(values.count <= Int(Int32.max), "a bucket of \(values.count) values is longer than MPI counts go")
        let request = Request()
        guard let base = values.baseAddress else { return request }
        try Self.check(zoo_mpi_start_allreduce_float(base, Int32(values.count), &request.handle), "MPI_Iallreduce")
        request.started = true
        return request
    }

    /// Ends MPI in this process; the group is unusable afterwards.
    func finalize() { _ = zoo_mpi_finalize() }

    /// Ends every process of the job.
    func abort(code: Int32) -> Never {
        zoo_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    final class Request: PendingCollective {
        var handle: UnsafeMutableRawPointer?
        var started = false
        private var done = false

        func isFinished() throws -> Bool {
            if done || !started { return true }
            let result = zoo_mpi_test(&handle)
            if result < 0 { try OpenMPIGroup.check(-result, "MPI_Iallreduce") }
            done = result == 1
            return done
        }

        func wait() throws {
            guard started, !done else { return }
            try OpenMPIGroup.check(zoo_mpi_wait(&handle), "MPI_Iallreduce")
            done = true
        }
    }
}
