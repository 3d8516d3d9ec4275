using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Transformer;
using Loom.Text.Decoding;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// A Hugging Face causal-LM folder as transformers writes it: <c>config.json</c> (with <c>architectures</c> or
/// <c>model_type</c> and no Loom <c>kind</c>), <c>model.safetensors</c> or shards with their index,
/// <c>tokenizer.json</c> (optional: without it prompts are token ids) and <c>generation_config.json</c> (optional).
/// <see cref="Checkpoint.Load"/> loads such a folder as it loads a Loom checkpoint, so every command that takes a
/// checkpoint takes one.
/// </summary>
public static class HfModelFolder
{
    /// <summary>True when <paramref name="folder"/> holds an HF config.json rather than a Loom one.</summary>
    public static bool Recognizes(string folder)
    {
        var path = Path.Combine(folder, Checkpoint.ConfigFile);
        if (!Directory.Exists(folder) || !File.Exists(path))
            return false;
        try
        {
            // A damaged config.json (a pipe, a device, bad JSON) is not an HF folder; loading it as a checkpoint says why.
            return JsonNode.Parse(Checkpoint.TextFileOrThrow(path)) is JsonObject root && root["kind"] is null
                && (root["architectures"] is not null || root["model_type"] is not null);
        }
        catch (Exception e) when (e is JsonException or LoomDataException)
        {
            return false;
        }
    }

    /// <summary>The folder's model and tokenizer; weights are converted to <paramref name="dtype"/> (float32 by default) for
    /// compute, one tensor at a time.</summary>
    public static NeuralLanguageModel Load(string folder, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        var info = Inspect(folder);
        // A config that implies more weights than the files hold is refused before the network is allocated.
        double held = info.WeightFiles.Sum(f => SafeTensorsFile.ReadHeader(f).Entries.Sum(e => e.Shape.Aggregate(1.0, (n, d) => n * d)));
        if (info.Config.MinimumParameters() > held)
            throw new LoomDataException($"{folder}: config.json describes a network of at least {info.Config.MinimumParameters():G3} "
                + $"weights, but the weight files hold {held:G3}");
        var network = new DecoderTransformer(info.Config, dtype: dtype);
        try
        {
            HfWeightFiles.CopyInto(folder, network, network.IsIgnorableKey);
            network.to(device ?? CPU);
            network.eval();
            var tokenizer = info.HasTokenizer
                ? TokenizerFiles.Load(folder)
                : new TokenIdTokenizer(folder, info.Config.VocabSize, info.TokenIds.BosId, info.TokenIds.EosIds.FirstOrDefault());
            int start = info.TokenIds.BosId ?? tokenizer.BosId ?? info.TokenIds.EosIds.FirstOrDefault();
            return new NeuralLanguageModel(KindOf(info.Config), network, tokenizer, SequenceLayout.Stream, start, info.TokenIds.EosIds)
            {
                GenerationDefaults = HfGenerationDefaults.Read(folder, new GenerationSettings()),
            };
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>What the folder holds, read without loading the weights.</summary>
    public static HfFolderInfo Inspect(string folder)
    {
        var configPath = Path.Combine(folder, Checkpoint.ConfigFile);
        RegularFiles.Require(configPath);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(Checkpoint.TextFileOrThrow(configPath)) as JsonObject
                ?? throw new LoomDataException($"{configPath}: must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{configPath}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        var config = HfTransformerConfig.FromJson(json, configPath);
        var architecture = json["architectures"] is JsonArray { Count: > 0 } a && a[0]?.GetValueKind() == JsonValueKind.String
            ? a[0]!.GetValue<string>()
            : json["model_type"]?.ToString() ?? "?";
        return new HfFolderInfo(folder, architecture, config, HfWeightFiles.Find(folder),
            File.Exists(Path.Combine(folder, TokenizerFiles.FileName)), HfTokenIds.Read(folder, json));
    }

    /// <summary>The Loom kind a transformer of this layout is saved as.</summary>
    public static string KindOf(TransformerConfig config) => config.Style == TransformerStyle.Gpt2 ? "gpt" : "llama";
}

/// <summary>What <see cref="HfModelFolder.Inspect"/> found in an HF model folder.</summary>
public sealed record HfFolderInfo(string Folder, string Architecture, TransformerConfig Config, IReadOnlyList<string> WeightFiles,
    bool HasTokenizer, HfTokenIds TokenIds);
