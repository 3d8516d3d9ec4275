using System.Text.Json;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Language.HuggingFace;

/// <summary>
/// Converts between HF model folders and Loom checkpoints. <see cref="Import"/> writes a Loom checkpoint (kind gpt or
/// llama) of an HF folder; <see cref="Export"/> writes a Loom gpt/llama checkpoint as an HF folder transformers loads
/// (config.json, model.safetensors with HF keys, tokenizer.json, generation_config.json). Re-importing an export gives
/// the same logits. Neither replaces a non-empty output folder unless <c>overwrite</c>.
/// </summary>
public static class HfFolderConversion
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the model of the HF folder <paramref name="source"/> as a Loom checkpoint in <paramref name="output"/>.</summary>
    public static void Import(string source, string output, bool overwrite = false)
    {
        if (!HfModelFolder.Recognizes(source))
            throw new LoomDataException($"{source}: not an HF model folder (a config.json with \"architectures\" or \"model_type\")");
        using var model = HfModelFolder.Load(source);
        if (model.Tokenizer is Text.Tokenizers.TokenIdTokenizer)
            throw new LoomUsageException($"{source} has no tokenizer.json; a Loom checkpoint needs one (add the model's tokenizer.json)");
        PrepareOutput(output, overwrite, [.. Checkpoint.CheckpointFiles, CheckpointManifest.FileName, Checkpoint.LogFile,
            Text.Templates.ChatTemplate.ConfigFile, Text.Templates.ChatTemplate.TemplateFile, NeuralLanguageModel.GenerationFile]);
        var provenance = Directory.EnumerateFiles(source).Order(StringComparer.Ordinal).Select(DataProvenance.OfFile).ToList();
        // The chat template and the special-token roles travel beside the checkpoint (loom chat and the chat client read them).
        foreach (var file in new[] { Text.Templates.ChatTemplate.ConfigFile, Text.Templates.ChatTemplate.TemplateFile })
            if (File.Exists(Path.Combine(source, file)))
                File.Copy(Path.Combine(source, file), Path.Combine(output, file), overwrite: true);
        Checkpoint.Save(output, model, new ModelCard
        {
            Data = provenance,
            Notes = $"imported from the HF folder {Path.GetFullPath(source)} ({HfModelFolder.Inspect(source).Architecture})",
        });
        model.GenerationDefaults?.Save(Path.Combine(output, NeuralLanguageModel.GenerationFile));
    }

    /// <summary>Writes the Loom gpt/llama checkpoint <paramref name="checkpoint"/> as an HF folder in <paramref name="output"/>.</summary>
    public static void Export(string checkpoint, string output, bool overwrite = false)
    {
        using var loaded = Checkpoint.Load(checkpoint);
        if (loaded is not NeuralLanguageModel { Network: DecoderTransformer transformer } model)
            throw new LoomUsageException($"export hf: {checkpoint} holds a '{loaded.Kind}' model; only transformer language models "
                + "(gpt, llama) have an HF form");
        if (Quantization.LayerQuantization.OptionsOf(transformer) is { } quantization)
            throw new LoomUsageException($"export hf: {checkpoint} is {quantization.Bits}-bit quantized; export the float checkpoint "
                + "it was quantized from");
        PrepareOutput(output, overwrite, [Checkpoint.ConfigFile, HfWeightFiles.SingleFile, HfWeightFiles.IndexFile,
            Text.Tokenizers.TokenizerFiles.FileName, HfTokenIds.GenerationConfigFile]);
        HfTokenizerExport.Write(model.Tokenizer, output);
        int? bos = model.Tokenizer.BosId;
        var eos = model.Tokenizer.EosId is { } e ? model.EosTokenIds.Prepend(e).Distinct().ToList() : model.EosTokenIds.ToList();
        using (var scope = torch.NewDisposeScope())
            SafeTensorsFile.Save(Path.Combine(output, HfWeightFiles.SingleFile), HfWeights(transformer),
                new Dictionary<string, string> { ["format"] = "pt" });
        var generation = HfGenerationDefaults.ToJson(model.GenerationDefaults);
        generation["bos_token_id"] = bos;
        generation["eos_token_id"] = eos.Count > 0 ? eos[0] : null;
        AtomicFile.WriteAllText(Path.Combine(output, HfTokenIds.GenerationConfigFile), generation.ToJsonString(Indented));
        AtomicFile.WriteAllText(Path.Combine(output, Checkpoint.ConfigFile),
            HfConfigJson.From(transformer.Config, bos, eos).ToJsonString(Indented));
    }

    /// <summary>
    /// The weights under HF keys. HF's GPT-2 always has biases: a Loom GPT trained without them exports zero biases,
    /// which compute the same function.
    /// </summary>
    private static Dictionary<string, Tensor> HfWeights(DecoderTransformer transformer)
    {
        var own = transformer.StateByKey();
        if (transformer.Config.Style != TransformerStyle.Gpt2 || transformer.Config.Bias)
            return own.ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu());
        using var full = new DecoderTransformer(transformer.Config with { Bias = true });
        return full.StateByKey().ToDictionary(kv => kv.Key,
            kv => own.TryGetValue(kv.Key, out var value) ? value.detach().cpu() : torch.zeros_like(kv.Value));
    }

    /// <summary>
    /// Creates <paramref name="folder"/>; a folder holding files is refused unless overwrite, which removes the named files.
    /// </summary>
    private static void PrepareOutput(string folder, bool overwrite, IEnumerable<string> files)
    {
        if (File.Exists(folder))
            throw LoomUsageException.ForOption("Out", $"{folder} is a file; give a folder");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            if (!overwrite)
                throw LoomUsageException.ForOption("Out", $"{folder} is not empty; choose another folder or replace it with Overwrite");
            foreach (var file in files.Select(f => Path.Combine(folder, f)).Where(File.Exists))
                File.Delete(file);
        }
        Directory.CreateDirectory(folder);
    }
}
