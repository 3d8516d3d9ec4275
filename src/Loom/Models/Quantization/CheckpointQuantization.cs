using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Transformer;

namespace Loom.Models.Quantization;

/// <summary>
/// <c>loom quantize</c>: reads a gpt/llama checkpoint (or an HF model folder), quantizes its transformer projections with
/// <see cref="QuantizationOptions"/> and writes a new checkpoint, which every command that loads checkpoints reads as it
/// reads any other (the family's load rebuilds the quantized layers from the config's <c>quantization</c> entry).
/// </summary>
public static class CheckpointQuantization
{
    /// <summary>What a quantization wrote: layers replaced and the weights file's size before and after (bytes).</summary>
    public sealed record Outcome(int Layers, long SourceBytes, long OutputBytes);

    /// <summary>
    /// Quantizes the model in <paramref name="checkpoint"/> into the new checkpoint folder <paramref name="output"/> (absent
    /// or empty). Its card keeps the source's data provenance and notes how it was made; the generation defaults and chat
    /// template travel along.
    /// </summary>
    public static Outcome Write(string checkpoint, string output, QuantizationOptions options)
    {
        options.Validate();
        if (File.Exists(output))
            throw LoomUsageException.ForOption("Out", $"{output} is a file; give a folder for the quantized checkpoint");
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw LoomUsageException.ForOption("Out", $"{output} is not empty; choose a new folder for the quantized checkpoint");
        using var loaded = Checkpoint.Load(checkpoint);
        if (loaded is not NeuralLanguageModel { Network: DecoderTransformer network } model)
            throw new LoomUsageException($"quantize: {checkpoint} holds a '{loaded.Kind}' model; only transformer language models "
                + "(gpt, llama) are quantized");
        if (model.Tokenizer is Text.Tokenizers.TokenIdTokenizer)
            throw new LoomUsageException(
                $"quantize: {checkpoint} has no tokenizer.json; a Loom checkpoint needs one (add the model's tokenizer.json)");
        int layers = LayerQuantization.Quantize(network, options);
        var hasCard = File.Exists(Path.Combine(checkpoint, Checkpoint.CardFile))
            && !Language.HuggingFace.HfModelFolder.Recognizes(checkpoint);
        var card = hasCard ? Checkpoint.ReadCard(checkpoint) : new ModelCard();
        var note = $"weight-only {options.Bits}-bit quantization ({options.Scheme}"
            + (options.Bits == 4 ? $", group size {options.EffectiveGroupSize}" : "") + $") of {Path.GetFullPath(checkpoint)}";
        Checkpoint.Save(output, model, card with
        {
            CreatedUtc = DateTimeOffset.UtcNow,
            LoomVersion = LoomVersion.Current,
            Notes = string.IsNullOrEmpty(card.Notes) ? note : $"{note}; {card.Notes}",
        });
        model.GenerationDefaults?.Save(Path.Combine(output, NeuralLanguageModel.GenerationFile));
        foreach (var file in new[] { Text.Templates.ChatTemplate.ConfigFile, Text.Templates.ChatTemplate.TemplateFile })
            if (File.Exists(Path.Combine(checkpoint, file)))
                AtomicFile.WriteAllText(Path.Combine(output, file), File.ReadAllText(Path.Combine(checkpoint, file)));
        return new Outcome(layers, WeightBytes(checkpoint), WeightBytes(output));
    }

    private static long WeightBytes(string folder) =>
        Directory.EnumerateFiles(folder, "*.safetensors")
            .Where(f => !Path.GetFileName(f).StartsWith("trainer-state", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);
}
