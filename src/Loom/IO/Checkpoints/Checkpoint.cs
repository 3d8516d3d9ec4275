using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Models.Language;
using Loom.Models.Language.HuggingFace;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.IO.Checkpoints;

/// <summary>
/// A checkpoint is a folder: <c>config.json</c> (kind, Loom version, hyperparameters), <c>model.safetensors</c>,
/// <c>card.json</c> (provenance), and for resumable gradient training <c>trainer-state.json</c> +
/// <c>trainer-state.safetensors</c>; <c>log.jsonl</c> and plots may sit beside them. Every file is written to a
/// temporary name and renamed; <c>config.json</c> and then <c>manifest.json</c> (size and SHA-256 of every checkpoint
/// file, <see cref="CheckpointManifest"/>) are written last, so a folder without config.json is not a checkpoint and a
/// file that does not match the manifest is refused when loading or resuming.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string ModelFile = "model.safetensors";
    public const string CardFile = "card.json";
    public const string TrainerStateJsonFile = "trainer-state.json";
    public const string TrainerStateTensorsFile = "trainer-state.safetensors";
    public const string LogFile = "log.jsonl";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the model (and optional trainer state) into <paramref name="directory"/>.</summary>
    public static void Save(string directory, IGenerativeModel model, ModelCard card, TrainerStateFiles? trainerState = null)
    {
        Directory.CreateDirectory(directory);
        RemoveOrphanedTemporaryFiles(directory);
        var metadata =
            new Dictionary<string, string> { ["format"] = "loom", ["kind"] = model.Kind, ["loom_version"] = LoomVersion.Current };
        SafeTensorsFile.Save(Path.Combine(directory, ModelFile), model.GetState(), metadata);
        if (trainerState is not null)
            SaveTrainerState(directory, trainerState);
        AtomicFile.WriteAllText(Path.Combine(directory, CardFile), (card with { Kind = model.Kind }).ToJson());
        var config = new JsonObject
        {
            ["kind"] = model.Kind,
            ["loom_version"] = LoomVersion.Current,
            ["config"] = model.GetConfig().DeepClone(),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(Indented));
        CheckpointManifest.Write(directory, CheckpointFiles.Where(f => File.Exists(Path.Combine(directory, f))));
    }

    /// <summary>
    /// Writes a trainer state (tensors, then the JSON that <see cref="HasTrainerState"/> and resuming read), each file
    /// atomically.
    /// </summary>
    public static void SaveTrainerState(string directory, TrainerStateFiles trainerState)
    {
        SafeTensorsFile.Save(Path.Combine(directory, TrainerStateTensorsFile), trainerState.Tensors);
        AtomicFile.WriteAllText(Path.Combine(directory, TrainerStateJsonFile), trainerState.Json.ToJsonString(Indented));
    }

    /// <summary>The files a manifest covers (the trainer state only where a run saved one).</summary>
    public static IReadOnlyList<string> CheckpointFiles { get; } =
        [ConfigFile, ModelFile, CardFile, TrainerStateJsonFile, TrainerStateTensorsFile];

    /// <summary>
    /// Checks the checkpoint against its manifest: the model's files (config, weights, card), plus the trainer state when
    /// <paramref name="trainerState"/>. False when the checkpoint predates manifests; throws on any mismatch.
    /// </summary>
    public static bool Verify(string directory, bool trainerState = false) =>
        CheckpointManifest.Verify(directory, trainerState ? CheckpointFiles : [ConfigFile, ModelFile, CardFile]);

    /// <summary>Reads <c>config.json</c>: the kind and the family's hyperparameters.</summary>
    public static (string Kind, JsonObject Config) ReadConfig(string directory)
    {
        RequireCheckpointFolder(directory);
        var path = Path.Combine(directory, ConfigFile);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(TextFileOrThrow(path));
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (node is not JsonObject root || root["kind"]?.GetValueKind() != JsonValueKind.String)
            throw new LoomDataException($"{path}: missing \"kind\" (is this a Loom checkpoint?)");
        if (root["config"] is not JsonObject config)
            throw new LoomDataException($"{path}: missing \"config\" object");
        return (root["kind"]!.GetValue<string>(), (JsonObject)config.DeepClone());
    }

    /// <summary>
    /// Rebuilds the model saved in <paramref name="directory"/> (a Loom checkpoint or an HF folder) on
    /// <paramref name="device"/> (CPU by default), computing in <paramref name="dtype"/>: float32 by default; bfloat16 and
    /// float16 are for transformer text models (<see cref="ComputeDtype"/>).
    /// </summary>
    public static IGenerativeModel Load(string directory, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        if (HfModelFolder.Recognizes(directory))
            return HfModelFolder.Load(directory, device, dtype);
        var (kind, config) = ReadConfig(directory);
        if (!ModelRegistry.TryGet(kind, out var family) || family is null)
            throw new LoomDataException($"{Path.Combine(directory, ConfigFile)}: unknown model kind '{kind}' (written by a newer Loom?)");
        var modelPath = Path.Combine(directory, ModelFile);
        if (!File.Exists(modelPath))
            throw new LoomDataException($"{modelPath}: missing; the checkpoint is incomplete");
        RegularFiles.Require(modelPath);
        Verify(directory);
        using var content = SafeTensorsFile.Load(modelPath, device ?? CPU);
        if (content.Metadata.TryGetValue("kind", out var savedKind) && savedKind != kind)
            throw new LoomDataException($"{modelPath}: holds a '{savedKind}' model but config.json says '{kind}'");
        RequireFinite(modelPath, content.Tensors);
        IGenerativeModel model;
        try
        {
            model = family.Load(config, content.Tensors, device ?? CPU);
        }
        catch (LoomException)
        {
            throw;
        }
        catch (Exception e) when (e is KeyNotFoundException or ArgumentException or InvalidOperationException or FormatException
            or JsonException or NullReferenceException)
        {
            throw new LoomDataException($"{directory}: the checkpoint does not match a '{kind}' model ({e.Message.Split('\n')[0]})", e);
        }
        try
        {
            RequireSameLayout(modelPath, content.Tensors, model);
            if (dtype != ScalarType.Float32)
                ComputeIn(model, dtype);
            var generation = Path.Combine(directory, NeuralLanguageModel.GenerationFile);
            if (model is NeuralLanguageModel language && File.Exists(generation))
                language.GenerationDefaults = Text.Decoding.GenerationSettings.Load(generation);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    private static void ComputeIn(IGenerativeModel model, ScalarType dtype)
    {
        if (model is not NeuralLanguageModel { Network: DecoderTransformer network })
            throw LoomUsageException.ForOption("Dtype",
                $"a '{model.Kind}' model computes in float32 only; {ComputeDtype.Name(dtype)} is for transformer text models");
        if (Models.Quantization.LayerQuantization.OptionsOf(network) is { } quantization)
            throw LoomUsageException.ForOption("Dtype", $"a quantized checkpoint ({quantization.Bits}-bit) computes in float32 only "
                + "(its layers dequantize to float32)");
        network.to(dtype);
    }

    /// <summary>
    /// Every tensor the loaded model holds under a name the file also has must have the file's dtype and shape: a family
    /// that converts or reshapes what it reads (an edited dtype, a shape with an extra dimension) would otherwise load
    /// reinterpreted bytes as a working model.
    /// </summary>
    private static void RequireSameLayout(string path, IReadOnlyDictionary<string, Tensor> saved, IGenerativeModel model)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var (name, tensor) in model.GetState())
        {
            if (!saved.TryGetValue(name, out var file))
                continue;
            if (file.dtype != tensor.dtype || !file.shape.SequenceEqual(tensor.shape))
                throw new LoomDataException(
                    $"{path}: tensor '{name}' is {file.dtype}[{string.Join(", ", file.shape)}], but the model holds it as " +
                    $"{tensor.dtype}[{string.Join(", ", tensor.shape)}]");
        }
    }

    public static ModelCard ReadCard(string directory)
    {
        var path = Path.Combine(directory, CardFile);
        return ModelCard.FromJson(TextFileOrThrow(path), path);
    }

    public static bool HasTrainerState(string directory) =>
        File.Exists(Path.Combine(directory, TrainerStateJsonFile)) && File.Exists(Path.Combine(directory, TrainerStateTensorsFile));

    /// <summary>Reads the trainer state written by <see cref="Save"/>; the caller disposes the tensors.</summary>
    public static TrainerStateFiles ReadTrainerState(string directory)
    {
        var jsonPath = Path.Combine(directory, TrainerStateJsonFile);
        RegularFiles.Require(Path.Combine(directory, TrainerStateTensorsFile));
        Verify(directory, trainerState: true);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(TextFileOrThrow(jsonPath));
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{jsonPath}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (node is not JsonObject json)
            throw new LoomDataException($"{jsonPath}: not a JSON object");
        var tensorsPath = Path.Combine(directory, TrainerStateTensorsFile);
        var content = SafeTensorsFile.Load(tensorsPath);
        try
        {
            if (content.Metadata.TryGetValue("kind", out var savedKind) && savedKind != ReadConfig(directory).Kind)
                throw new LoomDataException($"{tensorsPath}: belongs to a '{savedKind}' run, not this checkpoint's model");
            RequireFinite(tensorsPath, content.Tensors);
        }
        catch
        {
            content.Dispose();
            throw;
        }
        return new TrainerStateFiles(json, content.Tensors);
    }

    /// <summary>
    /// Deletes temporary files (<c>.NAME.PID.GUID.tmp</c>, <see cref="AtomicFile"/>) that a killed process left behind:
    /// those whose process no longer runs.
    /// </summary>
    private static void RemoveOrphanedTemporaryFiles(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^3], out int pid) || pid == Environment.ProcessId || ProcessRuns(pid))
                continue;
            try { File.Delete(path); } catch (IOException) { }
        }
    }

    private static bool ProcessRuns(int pid) => OperatingSystem.IsLinux() ? Directory.Exists($"/proc/{pid}") : true;

    /// <summary>A model with NaN or infinite weights samples garbage; refuse it naming the first such tensor.</summary>
    internal static void RequireFinite(string path, IReadOnlyDictionary<string, Tensor> tensors)
    {
        foreach (var (name, tensor) in tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            if (!FiniteValues.All(tensor))
                throw new LoomDataException($"{path}: tensor '{name}' holds NaN or infinite values; the model cannot be used");
        }
    }

    private static void RequireCheckpointFolder(string directory)
    {
        if (File.Exists(directory))
            throw new LoomDataException($"{directory}: is a file; a checkpoint is a folder holding config.json and model.safetensors");
        if (!Directory.Exists(directory))
            throw new LoomDataException($"{directory}: no such checkpoint folder");
        if (!File.Exists(Path.Combine(directory, ConfigFile)))
            throw new LoomDataException($"{directory}: not a Loom checkpoint (no config.json)");
    }

    internal static string TextFileOrThrow(string path)
    {
        RegularFiles.Require(path);
        try
        {
            return Data.TextFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoomDataException($"{path}: cannot be read ({e.Message.Split('\n')[0]})", e);
        }
    }
}

/// <summary>Trainer state as written to <c>trainer-state.json</c> and <c>trainer-state.safetensors</c>.</summary>
public sealed record TrainerStateFiles(JsonObject Json, IReadOnlyDictionary<string, Tensor> Tensors);
