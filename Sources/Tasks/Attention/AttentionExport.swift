import Data
import Foundation
import Layers
import Models
import ModelZoo

/// Writes a directory of attention pictures for `AttentionMaps`: `index.html` (the page),
/// `attention.json` (every weight), `layer-L-TYPE.svg` (a heat map per layer and type) and, for an
/// image, `image.png` (the picture the model saw), `layer-L-head-H.png` (the class token's
/// attention over it per layer and head), `layer-L-mean.png` (heads averaged) and `rollout.png`.
///
/// Everything is written into a new directory beside `directory` and renamed into place at the
/// end, so a failure leaves no half-written directory (and what a killed run left beside it is
/// removed by the next). An existing `directory` is replaced only
/// when it is empty or holds an earlier one (it has `attention.json`); anything else is refused.
public enum AttentionExport {
    /// The files written, relative to `directory`, in order.
    @discardableResult
    public static func write(_ maps: AttentionMaps, input: String?, to directory: URL) throws -> [String] {
        guard !maps.maps.isEmpty else {
            throw AttentionError("\(maps.model) has no attention layers: there are no maps to draw")
        }
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: directory.path, isDirectory: &isDirectory)
        if exists {
            guard isDirectory.boolValue else { throw AttentionError("cannot write \(directory.relativePath): it is a file, not a directory") }
            let contents = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
            guard contents.isEmpty || contents.contains("attention.json") else {
                throw AttentionError("\(directory.relativePath) exists and holds other files than an earlier attention page; give a new directory")
            }
        }
        let parent = directory.deletingLastPathComponent()
        DirectorySwap.removeLeftovers(of: directory.lastPathComponent, in: parent, markers: ["partial", "old"])
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial-\(getpid())")
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try? fm.removeItem(at: staging)
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw AttentionError("cannot write \(directory.relativePath): \(FileProblem.reason(error, path: parent.path, directory: true))")
        }
        do {
            let files = try files(maps, input: input)
            for (name, bytes) in files { try bytes.write(to: staging.appendingPathComponent(name)) }
            if exists {
                // One exchange, so no moment leaves DIR missing or half-written; where the file
                // system cannot exchange, the old directory is moved aside first.
                if DirectorySwap.exchange(staging, directory) {
                    try? fm.removeItem(at: staging)
                } else {
                    let old = parent.appendingPathComponent(".\(directory.lastPathComponent).old-\(getpid())")
                    try fm.moveItem(at: directory, to: old)
                    try fm.moveItem(at: staging, to: directory)
                    try? fm.removeItem(at: old)
                }
            } else {
                try fm.moveItem(at: staging, to: directory)
            }
            return files.map(\.0)
        } catch {
            try? fm.removeItem(at: staging)
            if let e = error as? AttentionError { throw e }
            throw AttentionError("cannot write \(directory.relativePath): \(FileProblem.reason(error, path: directory.path, directory: true))")
        }
    }

    /// Every file's name and bytes.
    public static func files(_ maps: AttentionMaps, input: String?) throws -> [(String, Data)] {
        var out: [(String, Data)] = []
        let picturePNG = maps.picture.map { AttentionOverlay.picture($0).encoded() }
        out.append(("index.html", Data(AttentionPage.render(AttentionDocument(maps, input: input, decimals: 4, picturePNG: picturePNG)).utf8)))
        out.append(("attention.json", AttentionDocument(maps, input: input).json()))
        for map in maps.maps {
            let svg = AttentionHeatMapSVG().render(map, queries: maps.queryTokens(map.kind), keys: maps.keyTokens(map.kind), model: maps.model,
                                                   sides: maps.sides[map.kind]!)
            out.append((AttentionHeatMapSVG.fileName(layer: map.layer, kind: map.kind), Data(svg.utf8)))
        }
        if let picture = maps.picture, let picturePNG {
            out.append(("image.png", Data(picturePNG)))
            let stack = maps.maps.filter { $0.kind == .selfAttention }
            for map in stack {
                for h in 0..<map.heads {
                    let row = AttentionOverlay.classRow(map.head(h), tokens: map.keys)
                    out.append(("layer-\(map.layer)-head-\(h + 1).png", Data(AttentionOverlay.overlay(picture, patches: row).encoded())))
                }
                let mean = AttentionOverlay.classRow(map.meanOverHeads[...], tokens: map.keys)
                out.append(("layer-\(map.layer)-mean.png", Data(AttentionOverlay.overlay(picture, patches: mean).encoded())))
            }
            let rollout = AttentionRollout.rollout(stack)
            let n = stack.first?.keys ?? 0
            out.append(("rollout.png", Data(AttentionOverlay.overlay(picture, patches: Array(rollout[1..<n])).encoded())))
        }
        return out
    }
}
