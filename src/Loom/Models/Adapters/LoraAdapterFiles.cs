using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Transformer;

namespace Loom.Models.Adapters;

/// <summary>
/// An adapter folder as peft saves one: <c>adapter_model.safetensors</c> (only the adapter's A and B, keys
/// <c>base_model.model.PATH.lora_A.weight</c> with no adapter name) and <c>adapter_config.json</c>. peft's
/// <c>PeftModel.from_pretrained</c> loads a folder Loom writes onto the HF model of the same base, and the reverse.
/// </summary>
public static class LoraAdapterFiles
{
    public const string WeightsFile = "adapter_model.safetensors";

    /// <summary>Writes adapter <paramref name="name"/> into <paramref name="directory"/> (weights first, config last).</summary>
    public static void Save(LoraAdapters adapters, string name, string directory)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Save(Path.Combine(directory, WeightsFile), adapters.PeftState(name),
            new Dictionary<string, string> { ["format"] = "pt" });
        var json = adapters.Config(name).ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(Path.Combine(directory, LoraConfig.FileName), json + "\n");
    }

    /// <summary>Reads an adapter folder's settings.</summary>
    public static LoraConfig ReadConfig(string directory)
    {
        var configPath = Path.Combine(directory, LoraConfig.FileName);
        if (!Directory.Exists(directory))
            throw new LoomUsageException($"adapter: no folder {directory}");
        if (!File.Exists(configPath) || !File.Exists(Path.Combine(directory, WeightsFile)))
            throw new LoomDataException($"{directory}: not an adapter folder (needs {LoraConfig.FileName} and {WeightsFile})");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new LoomDataException($"{configPath}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{configPath}: not valid JSON ({e.Message})");
        }
        return LoraConfig.FromJson(json, configPath);
    }

    /// <summary>Loads the adapter in <paramref name="directory"/> into <paramref name="adapters"/> as <paramref name="name"/>.</summary>
    public static void Load(LoraAdapters adapters, string directory, string name = LoraAdapters.DefaultName)
    {
        var config = ReadConfig(directory);
        LoraNetworks.RequireKind(config, adapters.ModelKind, directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        using var content = SafeTensorsFile.Load(weightsPath);
        adapters.Load(name, config, content.Tensors, weightsPath);
    }

    /// <summary>
    /// Loads the adapter in <paramref name="directory"/> onto a loaded transformer language model or U-Net diffusion
    /// model and makes it active; any other model is refused with a usage error.
    /// </summary>
    public static LoraAdapters Apply(IGenerativeModel model, string directory)
    {
        var adapters = LoraNetworks.Create(model);
        Load(adapters, directory);
        LoraNetworks.NetworkOf(model).eval();
        return adapters;
    }

    /// <summary>
    /// Loads the model in <paramref name="folder"/> (<see cref="Checkpoint.Load"/>) with the adapter in
    /// <paramref name="adapter"/> applied when one is given; the caller disposes the model.
    /// </summary>
    public static IGenerativeModel LoadModel(string folder, string? adapter, TorchSharp.torch.Device? device = null,
        TorchSharp.torch.ScalarType dtype = TorchSharp.torch.ScalarType.Float32)
    {
        var model = Checkpoint.Load(folder, device, dtype);
        if (adapter is null) return model;
        try
        {
            Apply(model, adapter);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The decoder transformer inside a language model, or a usage error naming the model's kind.</summary>
    public static DecoderTransformer TransformerOf(IGenerativeModel model) =>
        model is NeuralLanguageModel { Network: DecoderTransformer transformer }
            ? transformer
            : throw new LoomUsageException($"adapter: LoRA adapters apply to transformer language models (gpt, llama, HF folders); "
                + $"this is a '{model.Kind}' model");
}
