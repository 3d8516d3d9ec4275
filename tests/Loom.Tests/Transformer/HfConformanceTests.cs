using Loom.IO;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// The tiny GPT-2 and Llama checkpoints in tests/fixtures/hf were made with HF transformers 5.17 together with their
/// logits on two sequences and a greedy continuation: Loom's transformer, loaded from the same safetensors by HF key,
/// must reproduce both.
/// </summary>
public sealed class HfConformanceTests
{
    public static TheoryData<string> Models => new() { "tiny-gpt2", "tiny-llama" };

    internal static DecoderTransformer LoadFixture(string name)
    {
        var folder = RepoPaths.Fixture(Path.Combine("hf", name));
        var config = HfTransformerConfig.FromFile(Path.Combine(folder, "config.json"));
        var model = new DecoderTransformer(config);
        using var weights = SafeTensorsFile.Load(Path.Combine(folder, "model.safetensors"));
        model.LoadState(weights.Tensors, name);
        model.eval();
        return model;
    }

    private static SafeTensorsContent Reference(string name) =>
        SafeTensorsFile.Load(RepoPaths.Fixture(Path.Combine("hf", name, "reference.safetensors")));

    [Theory]
    [MemberData(nameof(Models))]
    public void Logits_equal_hf_within_1e4(string name)
    {
        using var model = LoadFixture(name);
        using var reference = Reference(name);
        using var noGrad = torch.no_grad();
        using var logits = model.Forward(reference.Tensors["input_ids"]);
        var expected = reference.Tensors["logits"];
        double maxDiff = (logits - expected).abs().max().ToDouble();
        double scale = expected.abs().max().ToDouble();
        Assert.True(maxDiff <= 1e-4 * Math.Max(1, scale), $"{name}: max |Δlogit| {maxDiff:E3} (logit scale {scale:F3})");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Greedy_continuation_with_cache_equals_hf(string name)
    {
        using var model = LoadFixture(name);
        using var reference = Reference(name);
        using var noGrad = torch.no_grad();
        var prompt = reference.Tensors["greedy_prompt"];
        var expected = reference.Tensors["greedy_output"].data<long>().ToArray();
        var ids = prompt.data<long>().ToList();
        using var cache = model.CreateState(1, expected.Length);
        var next = prompt;
        while (ids.Count < expected.Length)
        {
            long token;
            using (torch.NewDisposeScope())
                token = model.Forward(next, null, cache)[0, -1].argmax().ToInt64();
            ids.Add(token);
            next = torch.tensor(new[] { token }).view(1, 1);
        }
        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Hf_keys_round_trip()
    {
        using var model = LoadFixture("tiny-llama");
        using var weights = SafeTensorsFile.Load(RepoPaths.Fixture(Path.Combine("hf", "tiny-llama", "model.safetensors")));
        var keys = model.StateByKey().Keys.OrderBy(k => k, StringComparer.Ordinal);
        Assert.Equal(weights.Tensors.Keys.OrderBy(k => k, StringComparer.Ordinal), keys);
    }

    [Fact]
    public void Missing_and_misshaped_tensors_are_named()
    {
        using var model = new DecoderTransformer(TransformerConfig.Gpt2(1000, 128, 2, 4, 64));
        using var weights = SafeTensorsFile.Load(RepoPaths.Fixture(Path.Combine("hf", "tiny-gpt2", "model.safetensors")));
        var partial = weights.Tensors.Where(kv => kv.Key != "transformer.ln_f.weight").ToDictionary();
        var missing = Assert.Throws<Loom.Core.LoomDataException>(() => model.LoadState(partial, "ckpt"));
        Assert.Contains("transformer.ln_f.weight", missing.Message);
        using var wrong = new DecoderTransformer(TransformerConfig.Gpt2(1000, 128, 2, 4, 32));
        var shape = Assert.Throws<Loom.Core.LoomDataException>(() => wrong.LoadState(weights.Tensors, "ckpt"));
        Assert.Contains("shape", shape.Message);
    }
}
