using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
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
            root = JsonNode.Parse(File.ReadAllText(index));
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

    /// <summary>Every tensor of every weight file; a name in two files is an error. The caller disposes the result.</summary>
    public static SafeTensorsContent Load(string folder, Device? device = null)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var file in Find(folder))
            {
                RegularFiles.Require(file);
                using var content = SafeTensorsFile.Load(file, device);
                foreach (var (name, tensor) in content.Tensors)
                {
                    if (tensors.ContainsKey(name))
                        throw new LoomDataException($"{file}: tensor '{name}' is also in another shard");
                    tensors[name] = tensor.alias().DetachFromDisposeScope();
                }
            }
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsContent(tensors, new Dictionary<string, string>());
    }
}
