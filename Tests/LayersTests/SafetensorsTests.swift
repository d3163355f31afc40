import Foundation
@testable import Layers
import Testing
import Tensors

/// The safetensors reader and writer: round trips, compatibility with Python's safetensors,
/// strict validation of corrupt files, and atomic writes.
@Suite struct SafetensorsTests {
    // MARK: - Round trips

    @Test func float32RoundTripIsBitExact() throws {
        let dir = try ScratchDirectory()
        let specials: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, Float(bitPattern: 0x0001_1171), 3.14159265]
        var rng = RandomGenerator(seed: 1)
        let tensors: [(String, Tensor)] = [
            ("specials", Tensor(specials, shape: [specials.count])),
            ("matrix", Tensor.randn([3, 5], generator: &rng)),
            ("scalar", Tensor(scalar: 42.5)),
            ("empty", Tensor(uninitialized: [0, 4])),
        ]
        let path = dir.path("f32.safetensors")
        try SafetensorsFile.write(tensors, to: path)

        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["empty", "matrix", "scalar", "specials"])
        for (name, original) in tensors {
            let loaded = try file.tensor(name)
            #expect(loaded.shape == original.shape, "\(name)")
            #expect(loaded.scalars.map(\.bitPattern) == original.scalars.map(\.bitPattern), "\(name)")
            #expect(try file.info(name).dtype == .f32)
        }
    }

    @Test func float16RoundTripRoundsToNearestHalf() throws {
        let dir = try ScratchDirectory()
        var rng = RandomGenerator(seed: 2)
        var values = Tensor.randn([64], std: 100, generator: &rng).scalars
        values += [0, -0.0, 65504, 65520, 1e6, -.infinity, 6e-8, 1 + 1.0 / 2048]  // max, overflow, subnormal, tie
        let path = dir.path("f16.safetensors")
        try SafetensorsFile.write(["x": Tensor(values, shape: [2, values.count / 2])], to: path, dtype: .f16)

        let file = try SafetensorsFile(path: path)
        #expect(try file.info("x").dtype == .f16)
        #expect(try file.info("x").dataOffsets == 0..<(values.count * 2))
        let loaded = try file.tensor("x").scalars
        for (v, l) in zip(values, loaded) {
            #expect(l.bitPattern == Float(Float16(v)).bitPattern, "\(v) read back as \(l)")
            if v.isFinite && abs(v) < 65504 && abs(v) > 1e-4 { #expect(abs(l - v) <= abs(v) / 2048) }
        }
        #expect(loaded[loaded.count - 1] == 1)  // 1 + 2^-11 is a tie: rounds to the even 1.0
        #expect(loaded[values.count - 5] == .infinity)  // 65520 rounds past the largest half
    }

    /// Crafted Float32 bit patterns and the BF16 bits PyTorch's round_to_nearest_even gives them.
    static let bfloat16Cases: [(UInt32, UInt16)] = [
        (0x3F80_0000, 0x3F80),  // 1.0, exact
        (0x3F80_7FFF, 0x3F80),  // just below half an ulp: down
        (0x3F80_8000, 0x3F80),  // tie, even below: stays
        (0x3F80_8001, 0x3F81),  // just above half: up
        (0x3F81_8000, 0x3F82),  // tie, odd below: up to even
        (0xBF81_8000, 0xBF82),  // negative tie, odd: away from zero to even
        (0x7F7F_FFFF, 0x7F80),  // largest float rounds to infinity
        (0x7F80_0000, 0x7F80),  // +inf
        (0xFF80_0000, 0xFF80),  // -inf
        (0x8000_0000, 0x8000),  // -0
        (0x0000_0001, 0x0000),  // smallest subnormal rounds to 0
        (0x007F_FFFF, 0x0080),  // largest subnormal rounds up to the smallest normal
        (0x7FC0_0001, 0x7FC0),  // NaN becomes the canonical quiet NaN
        (0xFFFF_FFFF, 0x7FC0),  // negative NaN too
    ]

    @Test func bfloat16NarrowingIsRoundToNearestEvenLikePyTorch() {
        for (input, expected) in Self.bfloat16Cases {
            let got = bfloat16Bits(Float(bitPattern: input))
            #expect(got == expected, "0x\(String(input, radix: 16)) -> 0x\(String(got, radix: 16)), want 0x\(String(expected, radix: 16))")
        }
    }

    @Test func bfloat16RoundTripStoresRoundedBits() throws {
        let dir = try ScratchDirectory()
        let inputs = Self.bfloat16Cases.map { Float(bitPattern: $0.0) }
        let path = dir.path("bf16.safetensors")
        try SafetensorsFile.write([("b", Tensor(inputs, shape: [inputs.count]))], to: path, dtype: .bf16)

        // The raw bytes hold the rounded bits, little-endian.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        let stored = (0..<inputs.count).map { i in
            UInt16(bytes[8 + headerLength + 2 * i]) | UInt16(bytes[8 + headerLength + 2 * i + 1]) << 8
        }
        #expect(stored == Self.bfloat16Cases.map(\.1))

        // Reading widens exactly.
        let file = try SafetensorsFile(path: path)
        #expect(try file.info("b").dtype == .bf16)
        let loaded = try file.tensor("b").scalars
        #expect(loaded.map(\.bitPattern) == Self.bfloat16Cases.map { UInt32($0.1) << 16 })
    }

    @Test func metadataAndAwkwardNamesRoundTrip() throws {
        let dir = try ScratchDirectory()
        let metadata = ["format": "pt", "config": "{\"d_model\": 64, \"path\": \"a\\\\b\"}", "note": "ünïcode ✓ 日本",
                        "control": "tab\tnew\nline\u{01}", "empty": ""]
        let names = ["a.b.c", "quote\"d", "back\\slash", "ü", "Upper", "_"]
        let tensors = names.enumerated().map { ($0.element, Tensor([Float($0.offset)], shape: [1])) }
        let path = dir.path("meta.safetensors")
        try SafetensorsFile.write(tensors, to: path, metadata: metadata)

        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == metadata)
        #expect(file.names == names.sorted())
        for (i, name) in names.enumerated() { #expect(try file.tensor(name).scalars == [Float(i)]) }
    }

    @Test func headerIsPaddedSortedAndDataFollowsNameOrder() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("layout.safetensors")
        try SafetensorsFile.write(["zeta": Tensor([1, 2, 3], shape: [3]), "alpha": Tensor([4], shape: [1]),
                                   "mid": Tensor([5, 6], shape: [2, 1])],
                                  to: path, metadata: ["k": "v"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{\"__metadata__\":{\"k\":\"v\"},\"alpha\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}"))
        #expect(header.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        #expect(bytes.count == 8 + headerLength + 6 * 4)

        let file = try SafetensorsFile(path: path)
        #expect(try file.info("alpha").dataOffsets == 0..<4)
        #expect(try file.info("mid").dataOffsets == 4..<12)
        #expect(try file.info("zeta").dataOffsets == 12..<24)
        #expect(try file.info("mid").shape == [2, 1])
    }

    @Test func bigTensorIsReadThroughTheMapping() throws {
        let dir = try ScratchDirectory()
        let big = Tensor(uninitialized: [1024, 4096])  // 16 MB
        for i in 0..<big.count { big.data[i] = Float(i % 65_521) * 0.25 - 100 }
        let small = Tensor([7, 8], shape: [2])
        let path = dir.path("big.safetensors")
        try SafetensorsFile.write([("big", big), ("small", small)], to: path)

        let file = try SafetensorsFile(path: path)
        #expect(try file.info("big").dataOffsets == 0..<(big.count * 4))
        let loaded = try file.tensor("big")
        #expect(loaded.shape == [1024, 4096])
        #expect(memcmp(loaded.data, big.data, big.count * 4) == 0)
        #expect(try file.tensor("small").scalars == [7, 8])
        #expect(try file.tensors().keys.sorted() == ["big", "small"])
    }

    /// A tensor copied out of the mapping leaves none of its pages resident, and reading it again
    /// finds the file's bytes: a model loads at its own size, not its size plus its file's.
    @Test func readTensorsLeaveNoMappedPagesResident() throws {
        let dir = try ScratchDirectory()
        let big = Tensor(uninitialized: [1024, 1024])  // 4 MB
        for i in 0..<big.count { big.data[i] = Float(i % 4099) - 2000 }
        let path = dir.path("big.safetensors")
        try SafetensorsFile.write([("big", big), ("small", Tensor([1, 2], shape: [2]))], to: path)
        let file = try SafetensorsFile(path: path)
        for _ in 0..<2 {
            let copy = Tensor(zeros: [1024, 1024])
            try file.read("big", into: copy.data)
            #expect(memcmp(copy.data, big.data, big.count * 4) == 0)
            let resident = try #require(file.residentBytes)
            #expect(resident < 64 << 10, "\(resident) bytes of the mapping still resident")
        }
        #expect(try file.withBytes(of: "small") { $0.count } == 8)
        #expect(try #require(file.residentBytes) < 64 << 10)
        #expect(try file.tensor("small").scalars == [1, 2])
    }

    @Test func openFileKeepsReadingAfterItIsReplaced() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("model.safetensors")
        try SafetensorsFile.write([("w", Tensor([1, 2, 3], shape: [3]))], to: path)
        let old = try SafetensorsFile(path: path)
        try SafetensorsFile.write([("w", Tensor([9], shape: [1]))], to: path)
        #expect(try old.tensor("w").scalars == [1, 2, 3])  // the mapping holds the old inode
        #expect(try SafetensorsFile(path: path).tensor("w").scalars == [9])
    }

    // MARK: - Other dtypes

    @Test func integerAndDoubleTensorsConvertToFloat() throws {
        let dir = try ScratchDirectory()
        var data: [UInt8] = []
        for v: Int64 in [-3, 0, 1 << 40] { data += littleEndianBytes(v) }
        for v: Int32 in [7, -8] { data += littleEndianBytes(v) }
        for v: Double in [0.5, -1e300] { data += littleEndianBytes(v.bitPattern) }
        data += [1, 0, 255]  // U8
        let header = """
        {"i64":{"dtype":"I64","shape":[3],"data_offsets":[0,24]},"i32":{"dtype":"I32","shape":[2],"data_offsets":[24,32]},\
        "f64":{"dtype":"F64","shape":[2],"data_offsets":[32,48]},"flags":{"dtype":"U8","shape":[3],"data_offsets":[48,51]}}
        """
        let path = try dir.write("mixed.safetensors", rawFile(header, data: data))
        let file = try SafetensorsFile(path: path)
        #expect(try file.tensor("i64").scalars == [-3, 0, Float(1 << 40)])
        #expect(try file.tensor("i32").scalars == [7, -8])
        #expect(try file.tensor("f64").scalars == [0.5, -.infinity])
        #expect(try file.info("flags").dtype == .u8)
        let error = loadError { _ = try file.tensor("flags") }
        #expect(error == .unsupportedDType(path: path, name: "flags", dtype: .u8))
        #expect(error?.description.contains("mixed.safetensors") == true)
    }

    @Test func missingTensorErrorNamesTheTensorAndFile() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("named.safetensors")
        try SafetensorsFile.write([("present", Tensor([1], shape: [1]))], to: path)
        let file = try SafetensorsFile(path: path)
        #expect(!file.contains("absent") && file.contains("present"))
        let error = loadError { _ = try file.tensor("absent") }
        #expect(error == .missingTensor(path: path, name: "absent"))
        #expect(error?.description == "\(path): no tensor named \"absent\"")
        #expect(loadError { _ = try file.info("absent") } != nil)
    }

    // MARK: - Compatibility with Python's safetensors

    @Test func readsFileWrittenByPythonSafetensorsExactly() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/safetensors")
        let file = try SafetensorsFile(path: fixtures.appendingPathComponent("python_written.safetensors").path)
        let json = try Data(contentsOf: fixtures.appendingPathComponent("python_written.json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(file.metadata == expected["metadata"] as? [String: String])

        let tensors = try #require(expected["tensors"] as? [String: [String: Any]])
        #expect(file.names == tensors.keys.sorted())
        let dtypes: [String: SafetensorsDType] = ["float32": .f32, "float16": .f16, "bfloat16": .bf16,
                                                  "float64": .f64, "int64": .i64]
        for (name, entry) in tensors {
            let shape = (entry["shape"] as? [NSNumber])?.map(\.intValue)
            let bits = (entry["float32_bits"] as? [NSNumber])?.map(\.uint32Value)
            #expect(try file.info(name).dtype == dtypes[entry["dtype"] as? String ?? ""], "\(name)")
            let loaded = try file.tensor(name)
            #expect(loaded.shape == shape, "\(name)")
            #expect(loaded.scalars.map(\.bitPattern) == bits, "\(name)")
        }
    }

    /// Our writer's F32, F16 and BF16 output must equal, byte for byte, the committed files in
    /// Tests/Fixtures/safetensors/swift_*.safetensors, which `check_safetensors_loads.py` loaded in
    /// Python's safetensors when they were made. Set SAFETENSORS_REGENERATE=1 to rewrite them.
    @Test func writerOutputEqualsFilesThatLoadInPython() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/safetensors")
        let regenerate = ProcessInfo.processInfo.environment["SAFETENSORS_REGENERATE"] == "1"
        let dir = try ScratchDirectory()
        let tensors: [String: Tensor] = [
            "weight": Tensor([1, -2.5, 3.140625, 1 + 1.0 / 256, 1e-3, 65504], shape: [2, 3]),
            "scalar": Tensor(scalar: 0.5),
            "empty": Tensor(uninitialized: [0, 2]),
            "name with \"quotes\"": Tensor([7, 8], shape: [2]),
        ]
        for dtype in [SafetensorsDType.f32, .f16, .bf16] {
            let name = "swift_\(dtype.rawValue.lowercased()).safetensors"
            let path = regenerate ? fixtures.appendingPathComponent(name).path : dir.path(name)
            try SafetensorsFile.write(tensors, to: path, dtype: dtype, metadata: ["format": "pt", "writer": "TransformerZoo ✓"])
            let expected = try Data(contentsOf: fixtures.appendingPathComponent(name))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == expected, "\(name) differs from the committed file")
        }
    }

    // MARK: - Corrupt files

    @Test(arguments: CorruptSafetensorsFile.all)
    func corruptFileIsRejectedWithAClearError(_ corrupt: CorruptSafetensorsFile) throws {
        let dir = try ScratchDirectory()
        let path = try dir.write("corrupt-\(corrupt.label).safetensors", corrupt.bytes)
        let error = loadError { _ = try SafetensorsFile(path: path) }
        let message = try #require(error?.description, "\(corrupt.label) was accepted")
        #expect(message.contains("corrupt-\(corrupt.label).safetensors"), "\(message)")
        #expect(message.contains(corrupt.expected), "\(message)")
    }

    @Test func truncatedFileIsRejectedAtEveryCut() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("whole.safetensors")
        try SafetensorsFile.write([("a", Tensor([1, 2, 3, 4], shape: [2, 2])), ("b", Tensor([5, 6], shape: [2]))],
                                  to: path, metadata: ["k": "v"])
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let headerEnd = 8 + (Int(bytes[0]) | Int(bytes[1]) << 8)
        let cuts = [0, 1, 7, 8, 9, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1, headerEnd + 10, bytes.count - 1]
        for cut in cuts {
            let name = "truncated-at-\(cut).safetensors"
            let error = loadError { _ = try SafetensorsFile(path: try dir.write(name, Array(bytes[0..<cut]))) }
            #expect(error?.description.contains(name) == true, "cut at \(cut): \(String(describing: error))")
        }
    }

    @Test func randomlyDamagedFilesNeverCrash() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("intact.safetensors")
        try SafetensorsFile.write([("a", Tensor([1, 2, 3], shape: [3])), ("bb", Tensor([4, 5], shape: [1, 2]))],
                                  to: path, dtype: .bf16, metadata: ["k": "v"])
        let intact = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var rng = RandomGenerator(seed: 7)
        var accepted = 0
        for trial in 0..<1500 {
            var bytes = intact
            if trial % 3 == 0 {
                bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                for _ in 0...(rng.next() % 3) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            let damaged = try dir.write("damaged.safetensors", bytes)
            do {
                let file = try SafetensorsFile(path: damaged)
                for name in file.names where file.contains(name) {
                    if try file.info(name).dtype.convertsToFloat { _ = try file.tensor(name) }
                }
                accepted += 1  // e.g. a changed data byte or a harmless header byte
            } catch let error as SafetensorsError {
                #expect(error.description.contains("damaged.safetensors"))
            }
        }
        #expect(accepted > 0 && accepted < 1500)
    }

    @Test func unopenableFilesAreReported() throws {
        let dir = try ScratchDirectory()
        let missing = dir.path("nope.safetensors")
        #expect(loadError { _ = try SafetensorsFile(path: missing) }?.description.hasPrefix("\(missing): cannot open") == true)
        #expect(loadError { _ = try SafetensorsFile(path: dir.url.path) }?.description.contains("not a regular file") == true)
    }

    // MARK: - Writing safely

    @Test func failureMidWriteLeavesThePreviousFileIntact() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("model.safetensors")
        try SafetensorsFile.write([("w", Tensor([1, 2, 3], shape: [3]))], to: path, metadata: ["step": "100"])

        struct InjectedFailure: Error {}
        let bigger = Tensor(repeating: 0.5, shape: [300_000])  // several chunks in BF16
        var writes = 0
        #expect(throws: InjectedFailure.self) {
            try SafetensorsFile.write([("w", bigger)], to: path, dtype: .bf16, metadata: ["step": "200"],
                                      afterWrite: { bytes in
                                          writes += 1
                                          if bytes > 100_000 { throw InjectedFailure() }
                                      })
        }
        #expect(writes >= 3)  // it failed part-way through the data, not before starting

        let file = try SafetensorsFile(path: path)
        #expect(file.metadata == ["step": "100"])
        #expect(try file.tensor("w").scalars == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["model.safetensors"])
    }

    @Test func writerRejectsBadRequestsWithoutLeavingFiles() throws {
        let dir = try ScratchDirectory()
        let path = dir.path("out.safetensors")
        let t = Tensor([1], shape: [1])
        #expect(loadError { try SafetensorsFile.write([("x", t), ("x", t)], to: path) }
                == .invalidTensorName(path: path, name: "x", reason: "the name appears twice"))
        #expect(loadError { try SafetensorsFile.write([("__metadata__", t)], to: path) } != nil)
        #expect(loadError { try SafetensorsFile.write([("x", t)], to: path, dtype: .i64) }?.description.contains("I64") == true)
        let nowhere = dir.path("no/such/dir/out.safetensors")
        #expect(loadError { try SafetensorsFile.write([("x", t)], to: nowhere) }?.description.hasPrefix(nowhere) == true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }
}

// MARK: - Corrupt file catalogue

/// A malformed file and a phrase its error message must contain.
struct CorruptSafetensorsFile: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    let expected: String
    var testDescription: String { label }

    static let all: [CorruptSafetensorsFile] = {
        let f32x2 = [UInt8](repeating: 0, count: 8)
        func entry(_ name: String, _ dtype: String = "F32", _ shape: String = "[2]", _ offsets: String = "[0,8]") -> String {
            "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":\(shape),\"data_offsets\":\(offsets)}"
        }
        func header(_ entries: String...) -> String { "{" + entries.joined(separator: ",") + "}" }
        return [
            CorruptSafetensorsFile(label: "empty", bytes: [], expected: "too short"),
            CorruptSafetensorsFile(label: "seven-bytes", bytes: [8, 0, 0, 0, 0, 0, 0], expected: "too short"),
            CorruptSafetensorsFile(label: "header-past-end", bytes: littleEndianBytes(UInt64(1000)) + Array("{}".utf8),
                        expected: "runs past the end of the file"),
            CorruptSafetensorsFile(label: "header-absurd", bytes: littleEndianBytes(UInt64(1) << 40) + Array("{}".utf8),
                        expected: "exceeds the 100000000-byte limit"),
            CorruptSafetensorsFile(label: "header-max-u64", bytes: littleEndianBytes(UInt64.max) + f32x2, expected: "exceeds"),
            CorruptSafetensorsFile(label: "bad-json", bytes: rawFile("{\"a\": {\"dtype\": "), expected: "not valid JSON"),
            CorruptSafetensorsFile(label: "not-utf8", bytes: littleEndianBytes(UInt64(4)) + [0x7B, 0xFF, 0xFE, 0x7D], expected: "not valid JSON"),
            CorruptSafetensorsFile(label: "deep-nesting", bytes: rawFile(String(repeating: "[", count: 5000)), expected: "not valid JSON"),
            CorruptSafetensorsFile(label: "json-array", bytes: rawFile("[1, 2]"), expected: "not a JSON object"),
            CorruptSafetensorsFile(label: "entry-not-object", bytes: rawFile("{\"a\": 3}"), expected: "not an object"),
            CorruptSafetensorsFile(label: "missing-dtype", bytes: rawFile("{\"a\":{\"shape\":[0],\"data_offsets\":[0,0]}}"), expected: "dtype"),
            CorruptSafetensorsFile(label: "unknown-dtype", bytes: rawFile(header(entry("a", "F17")), data: f32x2), expected: "unknown dtype \"F17\""),
            CorruptSafetensorsFile(label: "negative-shape", bytes: rawFile(header(entry("a", "F32", "[-1,-2]")), data: f32x2),
                        expected: "negative dimension"),
            CorruptSafetensorsFile(label: "fractional-shape", bytes: rawFile(header(entry("a", "F32", "[2.5]")), data: f32x2),
                        expected: "not an integer"),
            CorruptSafetensorsFile(label: "boolean-shape", bytes: rawFile(header(entry("a", "F32", "[true]")), data: f32x2),
                        expected: "not an integer"),
            CorruptSafetensorsFile(label: "overflowing-shape", bytes: rawFile(header(entry("a", "F32", "[4611686018427387904,4]")), data: f32x2),
                        expected: "too many elements"),
            CorruptSafetensorsFile(label: "three-offsets", bytes: rawFile(header(entry("a", "F32", "[2]", "[0,4,8]")), data: f32x2),
                        expected: "not a list of two integers"),
            CorruptSafetensorsFile(label: "huge-offset", bytes: rawFile(header(entry("a", "F32", "[2]", "[0,18446744073709551615]")), data: f32x2),
                        expected: "not a list of two integers"),
            CorruptSafetensorsFile(label: "negative-offset", bytes: rawFile(header(entry("a", "F32", "[2]", "[-8,0]")), data: f32x2),
                        expected: "negative"),
            CorruptSafetensorsFile(label: "offsets-reversed", bytes: rawFile(header(entry("a", "F32", "[2]", "[8,0]")), data: f32x2),
                        expected: "begin after they end"),
            CorruptSafetensorsFile(label: "offsets-out-of-range", bytes: rawFile(header(entry("a", "F32", "[4]", "[0,16]")), data: f32x2),
                        expected: "past the end of the 8-byte data buffer"),
            CorruptSafetensorsFile(label: "size-mismatch", bytes: rawFile(header(entry("a", "F32", "[3]")), data: f32x2),
                        expected: "has 8 bytes but F32 shape [3] needs 12"),
            CorruptSafetensorsFile(label: "overlap", bytes: rawFile(header(entry("a"), entry("b", "F32", "[2]", "[4,12]")), data: f32x2 + [0, 0, 0, 0]),
                        expected: "overlap"),
            CorruptSafetensorsFile(label: "hole-between", bytes: rawFile(header(entry("a", "F32", "[1]", "[0,4]"), entry("b", "F32", "[1]", "[8,12]")),
                                                              data: f32x2 + [0, 0, 0, 0]),
                        expected: "hole: 4 bytes at offset 4"),
            CorruptSafetensorsFile(label: "hole-at-start", bytes: rawFile(header(entry("a", "F32", "[1]", "[4,8]")), data: f32x2),
                        expected: "hole: 4 bytes at offset 0"),
            CorruptSafetensorsFile(label: "hole-at-end", bytes: rawFile(header(entry("a", "F32", "[1]", "[0,4]")), data: f32x2),
                        expected: "hole: 4 bytes at offset 4"),
            CorruptSafetensorsFile(label: "bad-metadata", bytes: rawFile("{\"__metadata__\":{\"k\":3}}"), expected: "__metadata__"),
        ]
    }()
}

// MARK: - Helpers

/// A fresh directory under the system's temporary directory, removed when released.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("safetensors-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `bytes` to `name` in this directory and returns its path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        // Plain POSIX: Foundation's Data.write is slow enough here to dominate the fuzz test.
        let fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        return p
    }
}

/// A safetensors file from a literal header and data buffer (header length computed).
private func rawFile(_ header: String, data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return littleEndianBytes(UInt64(json.count)) + json + data
}

private func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// The `SafetensorsError` that `body` throws, or nil (recording an issue if it throws something else).
private func loadError(_ body: () throws -> Void) -> SafetensorsError? {
    do {
        try body()
        return nil
    } catch let error as SafetensorsError {
        return error
    } catch {
        Issue.record("expected a SafetensorsError, got \(error)")
        return nil
    }
}
