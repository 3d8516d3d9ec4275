using Loom.Models.Transformer;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Transformer;

/// <summary>
/// Each architecture's pieces against independent references: the whole forward pass against
/// <see cref="NaiveLlamaFamilyDecoder"/>, Gemma's (1 + w) norm against a loop, Phi-3's fused projections against separate
/// ones, and the sliding-window mask against a hand-written matrix.
/// </summary>
public sealed class HfArchitectureNumericsTests
{
    private static readonly long[] Tokens = [3, 17, 5, 0, 31, 8, 8, 12, 1, 26];

    [Theory]
    [MemberData(nameof(TinyHfArchitectures.Names), MemberType = typeof(TinyHfArchitectures))]
    public void Logits_equal_the_naive_reference(string architecture)
    {
        var config = TinyHfArchitectures.Config(architecture);
        using var model = TinyHfArchitectures.RandomModel(config);
        using var noGrad = torch.no_grad();
        var expected = NaiveLlamaFamilyDecoder.Logits(config, model.StateByKey(), Tokens);
        using var logits = model.Forward(torch.tensor(Tokens).view(1, -1));
        var actual = logits[0].to(ScalarType.Float64).contiguous().data<double>().ToArray();
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < Tokens.Length; i++)
            for (int j = 0; j < config.VocabSize; j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[i * config.VocabSize + j] - expected[i, j]));
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
            }
        Assert.True(scale > 1, $"{architecture}: degenerate logits (scale {scale})");
        Assert.True(maxDiff <= 1e-4 * scale, $"{architecture}: max |Δlogit| {maxDiff:E3} (scale {scale:F3})");
    }

    [Fact]
    public void The_window_changes_mistral_logits_only_after_it_fills()
    {
        var windowed = TinyHfArchitectures.Config("MistralForCausalLM");   // window 3
        using var a = TinyHfArchitectures.RandomModel(windowed);
        using var b = TinyHfArchitectures.RandomModel(windowed with { SlidingWindow = 0 });
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(Tokens).view(1, -1);
        using var diff = (a.Forward(ids) - b.Forward(ids)).abs().amax([0, 2]);   // per position
        var perPosition = diff.data<float>().ToArray();
        Assert.All(perPosition.Take(3), d => Assert.Equal(0f, d));
        Assert.All(perPosition.Skip(3), d => Assert.True(d > 1e-3, $"position beyond the window unchanged ({d})"));
    }

    [Fact]
    public void Gemma_norm_scales_by_one_plus_weight_in_float32()
    {
        double[] x = [0.5, -1.5, 2.0, 0.25], w = [0.0, 0.5, -0.25, 1.0];
        double eps = 1e-6, meanSquare = x.Sum(v => v * v) / x.Length;
        var expected = x.Select((v, i) => v / Math.Sqrt(meanSquare + eps) * (1 + w[i])).ToArray();
        using var norm = new RmsNorm(4, eps, weightPlusOne: true);
        using (torch.no_grad())
            norm.get_parameter("weight")!.copy_(torch.tensor(w, ScalarType.Float32));
        using var output = norm.forward(torch.tensor(x, ScalarType.Float32).view(1, -1));
        var actual = output.data<float>().ToArray();
        for (int i = 0; i < 4; i++)
            Assert.Equal(expected[i], actual[i], 5);
        using var fresh = new RmsNorm(4, eps, weightPlusOne: true);
        Assert.Equal(0f, fresh.get_parameter("weight")!.abs().max().ToSingle());   // HF initializes Gemma's weights to 0
    }

    [Fact]
    public void Gemma_scales_embeddings_by_the_root_of_the_width_in_the_model_dtype()
    {
        var config = TinyHfArchitectures.Config("GemmaForCausalLM");
        using var model = TinyHfArchitectures.RandomModel(config);
        using var plain = new DecoderTransformer(config with { ScaleEmbeddings = false });
        using var noGrad = torch.no_grad();
        var weights = model.StateByKey().ToDictionary();
        float root = (float)Math.Sqrt(16);
        // Scaling the embedding by √16 and the tied head back by 1/√16 reproduces the scaled model with an unscaled one.
        weights["model.embed_tokens.weight"] = weights["model.embed_tokens.weight"] * root;
        plain.LoadState(weights, "scaled");
        plain.eval();
        using var ids = torch.tensor(Tokens).view(1, -1);
        using var expected = model.Forward(ids);
        using var actual = plain.Forward(ids) / root;
        Assert.True((expected - actual).abs().max().ToDouble() < 1e-4);
    }

    [Fact]
    public void Phi3_fused_projections_equal_separate_ones()
    {
        var fused = TinyHfArchitectures.Config("Phi3ForCausalLM") with { SlidingWindow = 0 };
        using var phi = TinyHfArchitectures.RandomModel(fused);
        using var separate = new DecoderTransformer(fused with { FusedProjections = false });
        var weights = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, value) in phi.StateByKey())
        {
            if (key.EndsWith("qkv_proj.weight", StringComparison.Ordinal))
            {
                string prefix = key[..^"qkv_proj.weight".Length];
                weights[prefix + "q_proj.weight"] = value.narrow(0, 0, 16);   // 4 query heads × 4
                weights[prefix + "k_proj.weight"] = value.narrow(0, 16, 8);   // then 2 key heads × 4
                weights[prefix + "v_proj.weight"] = value.narrow(0, 24, 8);   // then 2 value heads × 4
            }
            else if (key.EndsWith("gate_up_proj.weight", StringComparison.Ordinal))
            {
                string prefix = key[..^"gate_up_proj.weight".Length];
                weights[prefix + "gate_proj.weight"] = value.narrow(0, 0, 24);
                weights[prefix + "up_proj.weight"] = value.narrow(0, 24, 24);
            }
            else
                weights[key] = value;
        }
        separate.LoadState(weights, "split");
        separate.eval();
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(Tokens).view(1, -1);
        Assert.True((phi.Forward(ids) - separate.Forward(ids)).abs().max().ToDouble() < 1e-5);
    }

    [Fact]
    public void Qwen3_query_and_key_norms_act_per_head()
    {
        var config = TinyHfArchitectures.Config("Qwen3ForCausalLM");
        using var model = TinyHfArchitectures.RandomModel(config);
        using var noGrad = torch.no_grad();
        using var ids = torch.tensor(Tokens).view(1, -1);
        using var before = model.Forward(ids);
        // Scaling one head's query rows leaves that head's normalized query, so the logits, unchanged.
        var q = model.StateByKey()["model.layers.0.self_attn.q_proj.weight"];
        q.narrow(0, 8, 8).mul_(7.0);
        using var after = model.Forward(ids);
        Assert.True((before - after).abs().max().ToDouble() < 1e-4);
        // Without the norms the same change does move them.
        using var plain = new DecoderTransformer(config with { QkNorm = false });
        plain.LoadState(model.StateByKey().Where(kv => !kv.Key.Contains("_norm.", StringComparison.Ordinal)).ToDictionary(), "plain");
        plain.eval();
        using var plainAfter = plain.Forward(ids);
        q.narrow(0, 8, 8).div_(7.0);
        plain.LoadState(model.StateByKey().Where(kv => !kv.Key.Contains("_norm.", StringComparison.Ordinal)).ToDictionary(), "plain");
        using var plainBefore = plain.Forward(ids);
        Assert.True((plainBefore - plainAfter).abs().max().ToDouble() > 1e-3);
    }

    [Fact]
    public void Sliding_window_mask_keeps_the_last_window_slots()
    {
        using var causal = torch.ones(5, 5, ScalarType.Bool).tril().view(1, 1, 5, 5);
        using var windowed = SlidingWindowMask.Restrict(causal, 2);
        bool[] expected =
        [
            true, false, false, false, false,
            true, true, false, false, false,
            false, true, true, false, false,
            false, false, true, true, false,
            false, false, false, true, true,
        ];
        Assert.Equal(expected, windowed.data<bool>().ToArray());
        // Two new queries after three cached slots: they are slots 3 and 4.
        using var step = torch.ones(1, 1, 2, 5, ScalarType.Bool);
        using var stepWindowed = SlidingWindowMask.Restrict(step, 3);
        Assert.Equal([false, true, true, true, true, false, false, true, true, true], stepWindowed.data<bool>().ToArray());
    }
}
