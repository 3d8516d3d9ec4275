using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.IO.Checkpoints;

/// <summary>
/// <c>manifest.json</c>: the size and SHA-256 of every file of a checkpoint, written last by <see cref="Checkpoint.Save"/>.
/// A checkpoint is one unit: a file that was changed, truncated, or replaced by a save that did not finish (a kill
/// between renames) no longer matches, and loading or resuming stops with one line naming the file. Checkpoints
/// written before manifests existed load unverified.
/// </summary>
public static class CheckpointManifest
{
    public const string FileName = "manifest.json";

    /// <summary>Records <paramref name="files"/> (names inside <paramref name="directory"/>) as they are on disk now.</summary>
    public static void Write(string directory, IEnumerable<string> files)
    {
        var entries = new JsonObject();
        foreach (var name in files.Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(directory, name);
            entries[name] = new JsonObject { ["size"] = new FileInfo(path).Length, ["sha256"] = FileHash.Sha256(path) };
        }
        var manifest = new JsonObject { ["format"] = "loom-checkpoint-manifest/1", ["files"] = entries };
        AtomicFile.WriteAllText(Path.Combine(directory, FileName),
            manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Checks every file the manifest lists (only those named in <paramref name="only"/> when given): present, a regular
    /// file, same size, same SHA-256. Returns false when the folder has no manifest; throws <see cref="LoomDataException"/>
    /// on any mismatch.
    /// </summary>
    public static bool Verify(string directory, IReadOnlyCollection<string>? only = null)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return false;
        JsonObject files;
        try
        {
            files = JsonNode.Parse(Data.TextFile.Read(path))?["files"]?.AsObject()
                    ?? throw new LoomDataException($"{path}: no \"files\" object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new LoomDataException($"{path}: not a valid manifest ({e.Message.Split('\n')[0]})", e);
        }
        foreach (var (name, entry) in files)
        {
            if (only is not null && !only.Contains(name))
                continue;
            var file = Path.Combine(directory, name);
            RegularFiles.Require(file);
            long size = entry?["size"]?.GetValue<long>() ?? -1;
            string? sha = entry?["sha256"]?.GetValue<string>();
            if (new FileInfo(file).Length != size || !string.Equals(FileHash.Sha256(file), sha, StringComparison.Ordinal))
                throw new LoomDataException(
                    $"{file}: does not match the checkpoint's manifest (changed, damaged, or from a save that did not finish); " +
                    "restore it or train again");
        }
        return true;
    }
}
