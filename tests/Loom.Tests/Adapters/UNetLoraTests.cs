using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models.Adapters;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Networks;
using Loom.Models.Diffusion.Samplers;
using Loom.Models.Layers;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Adapters;

/// <summary>
/// LoRA on a tiny diffusion U-Net: the default targets (attention projections, residual-block convolutions), a fresh
/// adapter (B = 0) changes nothing, each hooked conv equals a naive W∗x + (α/r)·B∗(A∗x) computed as im2col products
/// (libtorch's oneDNN conv2d itself is wrong for some channel counts; see Convolutions),
/// merging equals the unmerged output within 1e-5 and unmerging restores the weights, only adapter matrices get
/// gradients, adapters switch by name, and the adapter folder round-trips with peft's key names.
/// </summary>
public sealed class UNetLoraTests
{
    internal static DiffusionConfig TinyConfig { get; } = new()
    {
        Network = "unet", SampleShape = [1, 8, 8], Images = true, Timesteps = 20, ClassNames = ["zero", "one"],
        Prediction = PredictionType.Velocity,
        UNet = new UNetConfig { Resolution = 8, BaseChannels = 8, Multipliers = [1, 2], AttentionLevels = [1], Groups = 4, NumClasses = 2 },
        DefaultSampler = new SamplerOptions { Sampler = "ddim", Steps = 3 }, DefaultGuidance = 1.5,
    };

    /// <summary>A tiny class-conditional U-Net diffusion model with seeded random weights.</summary>
    internal static DiffusionModel CreateModel(long seed = 4)
    {
        torch.manual_seed(seed);
        var model = new DiffusionModel(TinyConfig, TinyConfig.CreateNetwork());
        model.Network.eval();
        return model;
    }

    /// <summary>A tiny unconditional U-Net checkpoint and a folder of twelve random 8×8 PNG images to fine-tune it on.</summary>
    internal static (string Base, string Data) SaveFineTuneFixture(TempFolder folder)
    {
        var config = TinyConfig with { ClassNames = [] };
        torch.manual_seed(2);
        using var model = new DiffusionModel(config, config.CreateNetwork());
        var path = folder.File("unet-base");
        Checkpoint.Save(path, model, new ModelCard());
        var images = folder.File("images");
        Directory.CreateDirectory(images);
        using var g = Seeding.Generator(5, "images");
        for (int i = 0; i < 12; i++)
        {
            using var image = torch.rand([1, 8, 8], generator: g);
            Png.Write(Path.Combine(images, $"{i}.png"), image);
        }
        return (path, images);
    }

    private static Tensor Predict(DiffusionModel model)
    {
        using var noGrad = torch.no_grad();
        using var g = Seeding.Generator(7, "unet-lora-input");
        using var x = torch.randn([3, 1, 8, 8], generator: g);
        using var t = torch.tensor(new float[] { 1, 9, 17 });
        using var labels = torch.tensor(new long[] { 0, 1, 2 });
        return model.Network.Predict(x, t, labels);
    }

    /// <summary>Every Conv2d of the U-Net: input, output, residual, shortcut and sampling convolutions.</summary>
    private const string AllConvolutions = @"re:.*conv(1|2|_in|_out|_shortcut)?";

    private static double MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().ToDouble();

    private static LoraAdapters Adapt(DiffusionModel model, string name = "a", int rank = 2, string? targets = null)
    {
        var adapters = LoraNetworks.Create(model);
        adapters.Add(name,
            new LoraConfig { Rank = rank, Alpha = 3 * rank, TargetModules = targets is null ? null : LoraTargets.Parse(targets) });
        return adapters;
    }

    [Fact]
    public void Default_targets_are_the_attention_projections_and_residual_convolutions()
    {
        using var model = CreateModel();
        using var adapters = Adapt(model);
        var paths = adapters.Layers.Keys.ToHashSet();
        Assert.Contains("down_resnets.0.conv1", paths);
        Assert.Contains("mid_resnet_2.conv2", paths);
        Assert.Contains("up_resnets.0.conv1", paths);
        Assert.Contains("mid_attention.to_q", paths);
        Assert.Contains("down_attentions.1.attention.to_out", paths);
        Assert.Contains("up_attentions.0.attention.to_v", paths);
        Assert.DoesNotContain(paths, p => p.Contains("conv_in") || p.Contains("conv_out") || p.Contains("shortcut")
            || p.Contains("time_emb") || p.Contains("sampler"));
        // 2 down + 2 mid + 4 up residual blocks × 2 convs; (1 down + 1 mid + 2 up) attentions × 4 projections.
        Assert.Equal(8 * 2 + 4 * 4, paths.Count);
        // The base state dict keeps the checkpoint's keys.
        Assert.DoesNotContain(model.Network.named_parameters(), p => p.name.Contains("lora"));
        Assert.Equal([2L, 8, 3, 3], adapters.Layers["down_resnets.0.conv1"].Adapters["a"].A.shape);
        Assert.Equal([8L, 2, 1, 1], adapters.Layers["down_resnets.0.conv1"].Adapters["a"].B.shape);
    }

    [Fact]
    public void A_fresh_adapter_with_zero_B_changes_nothing()
    {
        using var model = CreateModel();
        using var before = Predict(model);
        using var adapters = Adapt(model);
        Assert.All(adapters.Layers.Values, l => Assert.Equal(0, l.Adapters["a"].B.abs().sum().ToDouble()));
        Assert.All(adapters.Layers.Values, l => Assert.True(l.Adapters["a"].A.abs().sum().ToDouble() > 0));
        using var after = Predict(model);
        Assert.Equal(0, MaxDiff(before, after));
    }

    [Fact]
    public void Each_hooked_convolution_equals_a_naive_low_rank_sum()
    {
        using var model = CreateModel();
        using var adapters = Adapt(model, targets: AllConvolutions);
        LoraAdaptersTests.Randomize(adapters, "a", 1);
        using var noGrad = torch.no_grad();
        Assert.Contains(adapters.Layers.Values, l => l.Conv is { Stride: [2, 2] });   // the downsampler's stride-2 conv
        foreach (var layer in adapters.Layers.Values)
        {
            var conv = (Conv2dLayer)layer.Layer;
            using var x = torch.randn([2, conv.Weight.shape[1], 8, 8], generator: Seeding.Generator(2));
            using var hooked = layer.Layer.call(x);
            var lora = layer.Adapters["a"];
            long[] stride = [.. conv.Stride], padding = [.. conv.Padding];
            using var naive = NaiveConv(x, conv.Weight, stride[0], padding[0]) + conv.Bias!.view(1, -1, 1, 1)
                + 3.0 * NaiveConv(NaiveConv(x, lora.A, stride[0], padding[0]), lora.B, 1, 0);
            Assert.True(MaxDiff(hooked, naive) < 1e-5, $"{layer.Path}: {MaxDiff(hooked, naive):E2}");
        }
    }

    /// <summary>A convolution as im2col (unfold) times the flattened kernel.</summary>
    private static Tensor NaiveConv(Tensor x, Tensor weight, long stride, long padding)
    {
        long n = x.shape[0], kernel = weight.shape[2];
        long size = (x.shape[2] + 2 * padding - kernel) / stride + 1;
        using var columns = nn.functional.unfold(x, kernel, padding: padding, stride: stride);   // [n, in·k·k, L]
        return weight.flatten(1).matmul(columns).view(n, weight.shape[0], size, size);
    }

    [Theory]
    [InlineData("conv1,conv2")]
    [InlineData("to_q,to_k,to_v,to_out")]
    [InlineData(AllConvolutions + "|.*to_.*")]
    public void Merged_output_equals_unmerged_and_unmerge_restores_the_weights(string targets)
    {
        using var model = CreateModel();
        var original = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var adapters = Adapt(model, targets: targets);
        LoraAdaptersTests.Randomize(adapters, "a", 5);
        using var unmerged = Predict(model);
        using var baseOnly = torch.no_grad();
        adapters.Merge();
        Assert.True(adapters.IsMerged);
        using var merged = Predict(model);
        Assert.True(MaxDiff(merged, unmerged) < 1e-5, $"merged vs unmerged {MaxDiff(merged, unmerged):E2}");
        Assert.True(MaxDiff(merged, unmerged) >= 0);
        adapters.Unmerge();
        foreach (var (name, p) in model.Network.named_parameters())
            Assert.True(MaxDiff(p, original[name]) < 1e-6, name);
        adapters.Enabled = false;
        using var without = Predict(model);
        Assert.True(MaxDiff(without, unmerged) > 1e-3, "the randomized adapter should change the output");
    }

    [Fact]
    public void Only_adapter_parameters_receive_gradients()
    {
        using var model = CreateModel();
        var original = model.Network.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        using var adapters = Adapt(model);
        LoraAdaptersTests.Randomize(adapters, "a", 2);
        var trainable = adapters.Parameters("a");
        Assert.All(model.Network.parameters(), p => Assert.False(p.requires_grad));
        using var optimizer = torch.optim.SGD(trainable, 0.1);
        model.Network.train();
        using var x = torch.randn([2, 1, 8, 8], generator: Seeding.Generator(3));
        var loss = model.Network.Predict(x, torch.tensor(new float[] { 3, 11 }), torch.tensor(new long[] { 0, 1 })).square().mean();
        loss.backward();
        Assert.All(model.Network.parameters(), p => Assert.True(p.grad is null || p.grad.abs().sum().ToDouble() == 0));
        Assert.All(trainable, p => Assert.True(p.grad is not null && p.grad.abs().sum().ToDouble() > 0));
        optimizer.step();
        foreach (var (name, p) in model.Network.named_parameters())
            Assert.Equal(0, MaxDiff(p, original[name]));
        adapters.Dispose();
        Assert.All(model.Network.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void Adapters_switch_by_name()
    {
        using var model = CreateModel();
        using var adapters = Adapt(model, "a");
        adapters.Add("b", new LoraConfig { Rank = 4, Alpha = 4, TargetModules = LoraTargets.OfNames("to_q", "to_v") });
        LoraAdaptersTests.Randomize(adapters, "a", 3);
        LoraAdaptersTests.Randomize(adapters, "b", 4);
        using var withA = Predict(model);
        adapters.SetActive("b");
        using var withB = Predict(model);
        adapters.SetActive("a");
        using var again = Predict(model);
        Assert.True(MaxDiff(withA, withB) > 1e-3);
        Assert.Equal(0, MaxDiff(withA, again));
    }

    [Fact]
    public void The_adapter_folder_round_trips_with_peft_names()
    {
        using var folder = new TempFolder();
        using var model = CreateModel();
        using var adapters = Adapt(model, LoraAdapters.DefaultName, rank: 3);
        LoraAdaptersTests.Randomize(adapters, LoraAdapters.DefaultName, 6);
        using var adapted = Predict(model);
        LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder.Path);

        var header = SafeTensorsFile.ReadHeader(folder.File(LoraAdapterFiles.WeightsFile));
        var shapes = header.Entries.ToDictionary(e => e.Name, e => e.Shape.ToArray());
        Assert.Equal(2 * adapters.Layers.Count, shapes.Count);
        Assert.Equal([3L, 16, 3, 3], shapes["base_model.model.mid_resnet_1.conv1.lora_A.weight"]);   // [r, in, k, k]
        Assert.Equal([16L, 3, 1, 1], shapes["base_model.model.mid_resnet_1.conv1.lora_B.weight"]);   // [out, r, 1, 1]
        Assert.Equal([3L, 16], shapes["base_model.model.mid_attention.to_q.lora_A.weight"]);
        Assert.Equal([16L, 3], shapes["base_model.model.down_attentions.1.attention.to_out.lora_B.weight"]);
        var config = JsonNode.Parse(File.ReadAllText(folder.File(LoraConfig.FileName)))!.AsObject();
        Assert.Equal("diffusion", config["loom_model_kind"]!.GetValue<string>());
        Assert.Null(config["task_type"]);
        Assert.Equal(3, config["r"]!.GetValue<int>());
        Assert.Equal(["to_q", "to_k", "to_v", "to_out", "conv1", "conv2"],
            config["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));

        using var fresh = CreateModel();
        using var loaded = LoraAdapterFiles.Apply(fresh, folder.Path);
        using var reloaded = Predict(fresh);
        Assert.Equal(0, MaxDiff(adapted, reloaded));
        foreach (var (key, tensor) in adapters.PeftState(LoraAdapters.DefaultName))
            Assert.Equal(0, MaxDiff(tensor, loaded.PeftState(LoraAdapters.DefaultName)[key]));
    }

    [Fact]
    public void A_language_model_adapter_is_refused_on_the_U_Net()
    {
        using var folder = new TempFolder();
        using var transformer = LoraAdaptersTests.Create("gpt");
        using (var adapters = new LoraAdapters(transformer, LoraAdapters.TransformerDefaults(transformer), "gpt model", "gpt"))
        {
            adapters.Add(LoraAdapters.DefaultName, new LoraConfig { Rank = 2 });
            LoraAdapterFiles.Save(adapters, LoraAdapters.DefaultName, folder.Path);
        }
        using var model = CreateModel();
        var error = Assert.Throws<LoomUsageException>(() => LoraAdapterFiles.Apply(model, folder.Path));
        Assert.Contains("trained on a 'gpt' model; this is a 'diffusion' model", error.Message);
    }
}
