using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models.Adapters;
using Loom.Models.Transformer;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adapters;

/// <summary>
/// LoRA on the tiny GPT-2 and Llama transformers: a fresh adapter (B = 0) changes nothing, the hooked update equals a
/// naive W x + (α/r)·B A x per layer, merging changes the output by no more than rounding and unmerging restores the
/// weights, only adapter matrices get gradients, adapters switch and disable at run time.
/// </summary>
public sealed class LoraAdaptersTests
{
    public static TheoryData<string> Styles => new() { "gpt", "llama" };

    internal static DecoderTransformer Create(string style, int width = 16, long seed = 3) => style switch
    {
        "gpt" => new DecoderTransformer(TransformerConfig.Gpt2(11, 32, 2, 2, width), seed),
        _ => new DecoderTransformer(TransformerConfig.Llama(11, 32, 2, 4, 2, width), seed),
    };

    internal static readonly long[] Ids = [1, 5, 2, 7, 3, 9, 4, 4, 0, 6];

    /// <summary>Gives every B of adapter <paramref name="name"/> random values, so the adapter changes the output.</summary>
    internal static void Randomize(LoraAdapters adapters, string name, long seed)
    {
        using var noGrad = torch.no_grad();
        using var g = Seeding.Generator(seed, "test-b");
        foreach (var layer in adapters.Layers.Values.Where(l => l.Adapters.ContainsKey(name)))
            layer.Adapters[name].B.normal_(0, 0.5, generator: g);
    }

    internal static Tensor Logits(DecoderTransformer model)
    {
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(Ids).view(1, -1);
        return model.Forward(ids);
    }

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().ToDouble();

    [Theory]
    [MemberData(nameof(Styles))]
    public void A_fresh_adapter_with_zero_B_changes_nothing(string style)
    {
        using var model = Create(style);
        model.eval();
        using var before = Logits(model);
        using var adapters = new LoraAdapters(model);
        adapters.Add("a", new LoraConfig { Rank = 4, Alpha = 8 });
        Assert.All(adapters.Layers.Values, l => Assert.Equal(0, l.Adapters["a"].B.abs().sum().ToDouble()));
        Assert.All(adapters.Layers.Values, l => Assert.True(l.Adapters["a"].A.abs().sum().ToDouble() > 0));
        using var after = Logits(model);
        Assert.Equal(0, MaxDiff(before, after));
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void The_hooked_update_equals_a_naive_low_rank_sum(string style)
    {
        using var model = Create(style);
        model.eval();
        using var adapters = new LoraAdapters(model);
        adapters.Add("a", new LoraConfig { Rank = 2, Alpha = 6 });
        Randomize(adapters, "a", 1);
        using var noGrad = torch.no_grad();
        using var x = torch.randn(3, 5, 16, generator: Seeding.Generator(2));
        foreach (var layer in adapters.Layers.Values)
        {
            using var hooked = layer.Layer.call(x);
            var w = layer.FanInFanOut ? layer.Weight.t() : layer.Weight;   // [out, in]
            var lora = layer.Adapters["a"];
            using var naive = x.matmul(w.t()) + 3.0 * x.matmul(lora.A.t()).matmul(lora.B.t());
            Assert.True(MaxDiff(hooked, naive) < 1e-5, $"{layer.Path}: {MaxDiff(hooked, naive):E2}");
        }
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Merged_output_equals_unmerged_and_unmerge_restores_the_weights(string style)
    {
        using var model = Create(style);
        model.eval();
        using var adapters = new LoraAdapters(model);
        adapters.Add("a", new LoraConfig { Rank = 4, Alpha = 8, TargetModules = LoraTargets.Parse("re:.*(c_attn|c_proj|c_fc|_proj)") });
        Randomize(adapters, "a", 1);
        var weights = adapters.Layers.Values.Select(l => l.Weight.detach().clone()).ToList();
        using var baseLogits = WithDisabled(adapters, () => Logits(model));
        using var unmerged = Logits(model);
        Assert.True(MaxDiff(unmerged, baseLogits) > 1e-3, "the random adapter should change the output");
        adapters.Merge();
        Assert.True(adapters.IsMerged);
        using var merged = Logits(model);
        Assert.True(MaxDiff(merged, unmerged) < 1e-5, $"max |merged − unmerged| = {MaxDiff(merged, unmerged):E2}");
        adapters.Unmerge();
        foreach (var (layer, saved) in adapters.Layers.Values.Zip(weights))
            Assert.True(MaxDiff(layer.Weight, saved) < 1e-5, $"{layer.Path}: weight not restored");
        using var again = Logits(model);
        Assert.True(MaxDiff(again, unmerged) < 1e-5);
    }

    private static Tensor WithDisabled(LoraAdapters adapters, Func<Tensor> compute)
    {
        adapters.Enabled = false;
        try
        {
            return compute();
        }
        finally
        {
            adapters.Enabled = true;
        }
    }

    [Theory]
    [MemberData(nameof(Styles))]
    public void Only_adapter_parameters_receive_gradients(string style)
    {
        using var model = Create(style);
        model.train();
        using var adapters = new LoraAdapters(model);
        adapters.Add("a", new LoraConfig { Rank = 4, Alpha = 8 });
        Randomize(adapters, "a", 1);
        using var ids = torch.tensor(Ids).view(1, -1);
        using var loss = model.Loss(ids.narrow(1, 0, 9), ids.narrow(1, 1, 9));
        loss.backward();
        Assert.All(model.named_parameters(), p =>
        {
            Assert.False(p.parameter.requires_grad, $"{p.name} should be frozen");
            Assert.True(p.parameter.grad is null, $"{p.name} got a gradient");
        });
        var trained = adapters.Parameters("a");
        Assert.Equal(adapters.Layers.Count * 2, trained.Count);
        Assert.All(trained, p => Assert.True(p.grad is { } g && g.abs().sum().ToDouble() > 0));
    }

    [Fact]
    public void Adapters_switch_by_name_and_disable()
    {
        using var model = Create("llama");
        model.eval();
        using var baseLogits = Logits(model);
        using var adapters = new LoraAdapters(model);
        adapters.Add("first", new LoraConfig { Rank = 2 }, seed: 1);
        adapters.Add("second", new LoraConfig { Rank = 4, TargetModules = LoraTargets.OfNames("o_proj", "down_proj") }, seed: 2);
        Randomize(adapters, "first", 1);
        Randomize(adapters, "second", 2);
        Assert.Equal("first", adapters.Active);
        using var first = Logits(model);
        adapters.SetActive("second");
        using var second = Logits(model);
        adapters.SetActive("first");
        using var firstAgain = Logits(model);
        adapters.Enabled = false;
        using var disabled = Logits(model);
        Assert.True(MaxDiff(first, second) > 1e-3);
        Assert.Equal(0, MaxDiff(first, firstAgain));
        Assert.Equal(0, MaxDiff(disabled, baseLogits));
        Assert.Equal(["first", "second"], adapters.Names);
        var error = Assert.Throws<LoomUsageException>(() => adapters.SetActive("third"));
        Assert.Contains("first, second", error.Message);
    }

    [Fact]
    public void Target_modules_follow_peft_semantics()
    {
        using var model = Create("gpt");
        using var adapters = new LoraAdapters(model);
        adapters.Add("suffix", new LoraConfig { TargetModules = LoraTargets.OfNames("attn.c_proj") });
        Assert.Equal(["transformer.h.0.attn.c_proj", "transformer.h.1.attn.c_proj"], adapters.Layers.Keys.Order());
        adapters.Add("regex", new LoraConfig { TargetModules = LoraTargets.Parse(@"re:transformer\.h\.1\..*c_fc") });
        Assert.Contains("transformer.h.1.mlp.c_fc", adapters.Layers.Keys);
        Assert.DoesNotContain("transformer.h.0.mlp.c_fc", adapters.Layers.Keys);
        Assert.False(LoraTargets.Parse("re:c_fc").Matches("transformer.h.1.mlp.c_fc"));   // a regex matches the whole path
        Assert.False(LoraTargets.OfNames("fc").Matches("transformer.h.1.mlp.c_fc"));      // a name matches whole path segments

        var none = Assert.Throws<LoomUsageException>(() =>
            adapters.Add("none", new LoraConfig { TargetModules = LoraTargets.OfNames("q_proj") }));
        Assert.Equal("TargetModules", none.Option);
        Assert.Contains("matches no module", none.Message);
        Assert.Contains("c_attn", none.Message);
        var notLinear = Assert.Throws<LoomUsageException>(() =>
            adapters.Add("mlp", new LoraConfig { TargetModules = LoraTargets.OfNames("mlp") }));
        Assert.Contains("Gpt2Mlp", notLinear.Message);
        Assert.Throws<LoomUsageException>(() => LoraTargets.Parse("re:(unclosed"));
        Assert.Throws<LoomUsageException>(() => adapters.Add("bad-rank", new LoraConfig { Rank = 0 }));
    }
}
