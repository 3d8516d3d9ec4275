using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Quantization;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using Loom.Text.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Quantization;

/// <summary>
/// A quantized checkpoint: smaller, one qweight + scales (+ zeros) in place of each projection weight, a
/// <c>quantization</c> config entry, and loaded through the ordinary <see cref="Checkpoint.Load"/> with the logits the
/// quantized model had in memory.
/// </summary>
public sealed class CheckpointQuantizationTests
{
    public static TheoryData<string, int> Cases => new() { { "gpt", 8 }, { "gpt", 4 }, { "llama", 8 }, { "llama", 4 } };

    private static readonly long[] Ids = [1, 5, 2, 7, 3, 9, 4, 4, 0, 6];

    private static void SaveFloat(string folder, string style)
    {
        var tokenizer = CharTokenizer.Train("hello world, quantized\n", []);
        var config = style == "gpt"
            ? TransformerConfig.Gpt2(tokenizer.VocabSize, 32, 2, 2, 64)
            : TransformerConfig.Llama(tokenizer.VocabSize, 32, 2, 4, 2, 64);
        using var model = new NeuralLanguageModel(style, new DecoderTransformer(config, seed: 3), tokenizer, SequenceLayout.Stream, 0);
        Checkpoint.Save(folder, model, new ModelCard { Notes = "float" });
    }

    private static Tensor LogitsOf(Loom.Models.IGenerativeModel model)
    {
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(Ids).view(1, -1);
        return ((DecoderTransformer)((NeuralLanguageModel)model).Network).Forward(ids);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_quantized_checkpoint_is_smaller_and_loads_with_the_in_memory_logits(string style, int bits)
    {
        using var tmp = new TempFolder();
        SaveFloat(tmp.File("float"), style);
        var options = new QuantizationOptions { Bits = bits, GroupSize = bits == 4 ? 32 : null };
        var outcome = CheckpointQuantization.Write(tmp.File("float"), tmp.File("q"), options);
        int projections = style == "gpt" ? 8 : 14;
        Assert.Equal(projections, outcome.Layers);
        Assert.Equal(new FileInfo(tmp.File("q/model.safetensors")).Length, outcome.OutputBytes);
        Assert.True(outcome.OutputBytes < outcome.SourceBytes * (bits == 8 ? 0.5 : 0.4), $"{outcome}");

        var config = JsonNode.Parse(File.ReadAllText(tmp.File("q/config.json")))!;
        Assert.Equal(options, QuantizationOptions.FromJson(config["config"]!["quantization"], "config.json"));
        Assert.Contains($"{bits}-bit quantization", Checkpoint.ReadCard(tmp.File("q")).Notes);
        int floatTensors = SafeTensorsFile.ReadHeader(tmp.File("float/model.safetensors")).Entries.Count;
        var entries = SafeTensorsFile.ReadHeader(tmp.File("q/model.safetensors")).Entries;
        Assert.Equal(floatTensors + projections * (bits == 8 ? 1 : 2), entries.Count);   // weight → qweight + scales (+ zeros)
        Assert.Equal(projections, entries.Count(e => e.Name.EndsWith(".qweight", StringComparison.Ordinal)));

        using var inMemory = Checkpoint.Load(tmp.File("float"));
        LayerQuantization.Quantize(((NeuralLanguageModel)inMemory).Network, options);
        using var expected = LogitsOf(inMemory);
        using var loaded = Checkpoint.Load(tmp.File("q"));
        Assert.Equal(options, LayerQuantization.OptionsOf(((NeuralLanguageModel)loaded).Network));
        var saved = loaded.GetState();
        foreach (var (name, tensor) in inMemory.GetState())   // the very tensors quantization made
            Assert.True(tensor.shape.SequenceEqual(saved[name].shape) && tensor.eq(saved[name]).all().item<bool>(), name);
        using var actual = LogitsOf(loaded);
        Assert.True((expected - actual).abs().max().ToDouble() <= 1e-5);
    }

    [Fact]
    public void A_quantized_checkpoint_written_again_is_identical()
    {
        using var tmp = new TempFolder();
        SaveFloat(tmp.File("float"), "gpt");
        CheckpointQuantization.Write(tmp.File("float"), tmp.File("q"), new QuantizationOptions { Bits = 4 });
        using (var model = Checkpoint.Load(tmp.File("q")))
            Checkpoint.Save(tmp.File("again"), model, new ModelCard());
        Assert.Equal(File.ReadAllBytes(tmp.File("q/model.safetensors")), File.ReadAllBytes(tmp.File("again/model.safetensors")));
    }

    [Fact]
    public void A_non_empty_output_folder_is_refused()
    {
        using var tmp = new TempFolder();
        SaveFloat(tmp.File("float"), "gpt");
        var error = Assert.Throws<LoomUsageException>(() =>
            CheckpointQuantization.Write(tmp.File("float"), tmp.File("float"), new QuantizationOptions { Bits = 8 }));
        Assert.Equal("Out", error.Option);
    }

    [Theory]
    [InlineData("bits", 3)]
    [InlineData("group_size", 24)]
    public void A_config_with_a_bad_quantization_entry_is_refused_as_bad_data(string key, int value)
    {
        using var tmp = new TempFolder();
        SaveFloat(tmp.File("float"), "gpt");
        CheckpointQuantization.Write(tmp.File("float"), tmp.File("q"), new QuantizationOptions { Bits = 4 });
        var path = tmp.File("q/config.json");
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        root["config"]!["quantization"]![key] = value;
        File.WriteAllText(path, root.ToJsonString());
        File.Delete(tmp.File("q/" + CheckpointManifest.FileName));   // an edited config would fail the manifest first
        var error = Assert.Throws<LoomDataException>(() => Checkpoint.Load(tmp.File("q")));
        Assert.Contains(key == "bits" ? "8 or 4" : "has shape", error.Message);   // a group size of 24 needs more scales
    }

    [Fact]
    public void A_quantized_checkpoint_refuses_half_precision_compute_and_hf_export()
    {
        using var tmp = new TempFolder();
        SaveFloat(tmp.File("float"), "llama");
        CheckpointQuantization.Write(tmp.File("float"), tmp.File("q"), new QuantizationOptions { Bits = 8 });
        var dtype = Assert.Throws<LoomUsageException>(() => Checkpoint.Load(tmp.File("q"), dtype: ScalarType.BFloat16));
        Assert.Equal("Dtype", dtype.Option);
        Assert.Throws<LoomUsageException>(() => Loom.Models.Language.HuggingFace.HfFolderConversion.Export(tmp.File("q"), tmp.File("hf")));
    }
}
