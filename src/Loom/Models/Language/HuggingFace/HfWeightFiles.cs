using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// The weights of an HF model folder: <c>model.safetensors</c>, or the shards that <c>model.safetensors.index.json</c>
/// maps every tensor name to. Tensors keep their stored dtype (F32, F16, BF16); the model converts on copy.
/// </summary>
public static class HfWeightFiles
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>The weight files of <paramref name="folder"/> in load order; one line naming what is missing.</summary>
    public static IReadOnlyList<string> Find(string folder)
    {
        var single = Path.Combine(folder, SingleFile);
        if (File.Exists(single))
            return [single];
        var index = Path.Combine(folder, IndexFile);
        if (!File.Exists(index))
            throw new LoomDataException($"{folder}: no {SingleFile} and no {IndexFile}; not an HF model folder with safetensors weights");
        RegularFiles.Require(index);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(Checkpoint.TextFileOrThrow(index));
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{index}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (root?["weight_map"] is not JsonObject map || map.Count == 0)
            throw new LoomDataException($"{index}: missing \"weight_map\" (tensor name → shard file)");
        var shards = new List<string>();
        foreach (var (name, value) in map)
        {
            if (value?.GetValueKind() != JsonValueKind.String)
                throw new LoomDataException($"{index}: weight_map[\"{name}\"] must be a file name");
            var file = value.GetValue<string>();
            if (file.Contains('/') || file.Contains('\\') || file is "." or "..")
                throw new LoomDataException($"{index}: weight_map[\"{name}\"] = \"{file}\" is not a file in the folder");
            var path = Path.Combine(folder, file);
            if (!shards.Contains(path))
                shards.Add(path);
        }
        foreach (var shard in shards)
            RegularFiles.Require(shard);
        return shards;
    }

    /// <summary>
    /// Copies the folder's weights into <paramref name="module"/>'s parameters one tensor at a time (converting the
    /// stored dtype), so loading holds the model plus one tensor. Every parameter must be there with its shape and finite
    /// values; a tensor the module has no parameter for is an error unless <paramref name="ignorable"/> says otherwise.
    /// </summary>
    public static void CopyInto(string folder, nn.Module module, Func<string, bool> ignorable)
    {
        var readers = new List<SafeTensorsReader>();
        try
        {
            foreach (var file in Find(folder))
                readers.Add(new SafeTensorsReader(file));
            var where = new Dictionary<string, SafeTensorsReader>(StringComparer.Ordinal);
            foreach (var reader in readers)
                foreach (var entry in reader.Header.Entries)
                    if (!where.TryAdd(entry.Name, reader))
                        throw new LoomDataException($"{reader.Path}: tensor '{entry.Name}' is also in {where[entry.Name].Path}");
            using var noGrad = torch.no_grad();
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (name, parameter) in module.named_parameters())
            {
                var reader = where.GetValueOrDefault(name) ?? throw new LoomDataException($"{folder}: missing tensor '{name}'");
                var entry = reader.Entry(name)!;
                if (!entry.Shape.SequenceEqual(parameter.shape))
                    throw new LoomDataException($"{reader.Path}: tensor '{name}' has shape [{string.Join(", ", entry.Shape)}], the model "
                        + $"needs [{string.Join(", ", parameter.shape)}]");
                if (!reader.TryReadInto(name, parameter))
                {
                    using var value = reader.Read(name);
                    parameter.copy_(value);
                }
                if (!FiniteValues.All(parameter))
                    throw new LoomDataException(
                        $"{reader.Path}: tensor '{name}' holds NaN or infinite values (as {parameter.dtype}); cannot use the model");
                used.Add(name);
            }
            var unexpected = where.Keys.Where(k => !used.Contains(k) && !ignorable(k)).Order(StringComparer.Ordinal).ToList();
            if (unexpected.Count > 0)
                throw new LoomDataException($"{folder}: unexpected tensors {string.Join(", ", unexpected.Take(5))}"
                    + $"{(unexpected.Count > 5 ? ", …" : "")}; does config.json match the weights?");
        }
        finally
        {
            foreach (var reader in readers) reader.Dispose();
        }
    }
}
