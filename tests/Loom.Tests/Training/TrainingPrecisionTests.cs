using Loom.Core;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Training;

/// <summary>
/// bfloat16 training with float32 master weights (<see cref="Optimizer"/>, <see cref="TrainingPrecision"/>): the master
/// follows exactly the float32 run that sees the same gradients, the parameter is the master rounded, updates below the
/// rounding step still add up (where libtorch's own AdamW on a bfloat16 parameter stands still), the state resumes exactly,
/// and a lowered network comes back in float32 holding its masters.
/// </summary>
public sealed class TrainingPrecisionTests
{
    private static readonly OptimizerOptions AdamW = new() { LearningRate = 0.01, WeightDecay = 0.1 };

    /// <summary>Gradients that bfloat16 holds exactly, so both runs see the same numbers.</summary>
    private static Tensor Gradient(int step) =>
        torch.randn([6, 4], generator: new Generator((ulong)(100 + step))).to(ScalarType.BFloat16);

    [Theory]
    [InlineData(OptimizerKind.AdamW)]
    [InlineData(OptimizerKind.Sgd)]
    public void The_master_follows_the_float32_run_exactly_and_the_parameter_is_the_master_rounded(OptimizerKind kind)
    {
        var options = AdamW with { Kind = kind, Momentum = kind == OptimizerKind.Sgd ? 0.9 : 0 };
        var start = torch.randn([6, 4], generator: new Generator(1)).to(ScalarType.BFloat16);
        var half = new TorchSharp.Modules.Parameter(start.clone());
        var full = new TorchSharp.Modules.Parameter(start.to(ScalarType.Float32));
        using var ours = new Optimizer([half], options);
        using var reference = new Optimizer([full], options);
        for (int step = 0; step < 8; step++)
        {
            half.grad = Gradient(step);
            full.grad = Gradient(step).to(ScalarType.Float32);
            ours.Step(options.LearningRate);
            reference.Step(options.LearningRate);
        }
        var master = ours.MasterOf(half)!;
        Assert.Equal(ScalarType.Float32, master.dtype);
        Assert.True(master.equal(full.detach()).all().item<bool>(), $"max |Δ| {(master - full).abs().max().item<float>()}");
        Assert.Equal(ScalarType.BFloat16, half.dtype);
        Assert.True(half.detach().equal(master.to(ScalarType.BFloat16)).all().item<bool>());
        Assert.False(half.detach().equal(start).all().item<bool>(), "the parameter did not move");
        Assert.Null(reference.MasterOf(full));
    }

    [Fact]
    public void Updates_below_the_bfloat16_step_add_up_in_the_master_where_a_bfloat16_adamw_stands_still()
    {
        // At 1.0 bfloat16 holds steps of 2⁻⁷ ≈ 0.0078; AdamW moves about lr = 1e-3 per step against a constant gradient.
        var start = torch.ones([8], ScalarType.BFloat16);
        var ours = new TorchSharp.Modules.Parameter(start.clone());
        var theirs = new TorchSharp.Modules.Parameter(start.clone());
        using var optimizer = new Optimizer([ours], new OptimizerOptions { LearningRate = 1e-3 });
        var peer = torch.optim.AdamW([theirs], lr: 1e-3, weight_decay: 0);
        for (int step = 0; step < 50; step++)
        {
            ours.grad = torch.ones([8], ScalarType.BFloat16);
            theirs.grad = torch.ones([8], ScalarType.BFloat16);
            optimizer.Step(1e-3);
            peer.step();
        }
        Assert.True(theirs.detach().equal(start).all().item<bool>(), "libtorch's bfloat16 AdamW moved after all");
        double moved = 1 - ours.detach().to(ScalarType.Float32).mean().item<float>();
        Assert.InRange(moved, 0.04, 0.06);   // 50 steps of 1e-3, rounded to bfloat16
        Assert.InRange(1 - optimizer.MasterOf(ours)!.mean().item<float>(), 0.0495, 0.0505);
    }

    [Fact]
    public void Captured_state_holds_float32_masters_and_moments_and_resumes_exactly()
    {
        var start = torch.randn([6, 4], generator: new Generator(2)).to(ScalarType.BFloat16);
        var whole = new TorchSharp.Modules.Parameter(start.clone());
        using var straight = new Optimizer([whole], AdamW);
        for (int step = 0; step < 6; step++)
        {
            whole.grad = Gradient(step);
            straight.Step(0.01);
        }
        var parts = new TorchSharp.Modules.Parameter(start.clone());
        var state = new Dictionary<string, Tensor>();
        using (var first = new Optimizer([parts], AdamW))
        {
            for (int step = 0; step < 3; step++)
            {
                parts.grad = Gradient(step);
                first.Step(0.01);
            }
            first.CaptureState("o.", state);
        }
        Assert.Equal(ScalarType.Float32, state["o.0.master"].dtype);
        Assert.Equal(ScalarType.Float32, state["o.0.m"].dtype);
        using var second = new Optimizer([parts], AdamW);
        second.RestoreState("o.", state);
        for (int step = 3; step < 6; step++)
        {
            parts.grad = Gradient(step);
            second.Step(0.01);
        }
        Assert.True(second.MasterOf(parts)!.equal(straight.MasterOf(whole)!).all().item<bool>());
        Assert.True(parts.detach().equal(whole.detach()).all().item<bool>());
        // Moments saved for a float32 parameter do not load into a bfloat16 one's float32 slots under another dtype.
        state["o.0.m"] = state["o.0.m"].to(ScalarType.BFloat16);
        var error = Assert.Throws<LoomDataException>(() => new Optimizer([parts], AdamW).RestoreState("o.", state));
        Assert.Contains("keeps Float32", error.Message);
    }

    [Fact]
    public void A_lowered_network_trains_and_comes_back_in_float32_holding_its_masters()
    {
        var before = TensorCounts.Live;
        using (var scope = torch.NewDisposeScope())
        {
            using var network = nn.Sequential(("0", nn.Linear(4, 8)), ("1", nn.Tanh()), ("2", nn.Linear(8, 1)));
            TrainingPrecision.Lower(network, ScalarType.BFloat16);
            Assert.All(network.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
            var x = torch.randn([32, 4], generator: new Generator(3));
            var y = x.sum([1L], keepdim: true).tanh();
            var objective = new DelegateObjective((_, _) =>
                new TrainingLoss((network.call(x.to(ScalarType.BFloat16)).to(ScalarType.Float32) - y).square().mean(), 32));
            var parameters = network.parameters().ToList();
            using var trainer = new Trainer([new TrainingPhase("fit", objective, parameters, new OptimizerOptions { LearningRate = 0.02 })],
                new TrainerOptions { Steps = 40, LogEvery = 40 });
            var result = trainer.Run();
            Assert.True(result.LastLoss < 0.1, $"loss {result.LastLoss}");
            var masters = parameters.Select(p => trainer.MasterWeight(p)!.clone()).ToList();
            TrainingPrecision.Promote(network, trainer);
            var promoted = network.parameters().ToList();
            Assert.All(promoted, p => Assert.Equal(ScalarType.Float32, p.dtype));
            for (int i = 0; i < masters.Count; i++)
                Assert.True(promoted[i].detach().equal(masters[i]).all().item<bool>(), $"parameter {i} is not its master");
        }
        Assert.Equal(before, TensorCounts.Live);
    }

    [Fact]
    public void Float16_and_unknown_precisions_are_refused_naming_the_option_and_an_ema_of_bfloat16_parameters_too()
    {
        Assert.Equal(ScalarType.BFloat16, TrainingPrecision.Parse("bf16"));
        Assert.Equal(ScalarType.Float32, TrainingPrecision.Parse(null));
        var half = Assert.Throws<LoomUsageException>(() => TrainingPrecision.Parse("float16"));
        Assert.Equal("Precision", half.Option);
        Assert.Contains("loss scaling", half.Message);
        Assert.Equal("Precision", Assert.Throws<LoomUsageException>(() => TrainingPrecision.Parse("int8")).Option);
        var p = new TorchSharp.Modules.Parameter(torch.zeros([2], ScalarType.BFloat16));
        var objective = new DelegateObjective((_, _) => new TrainingLoss(p.sum(), 1));
        var ema = Assert.Throws<LoomUsageException>(() => new Trainer([new TrainingPhase("p", objective, [p], new OptimizerOptions())],
            new TrainerOptions { EmaDecay = 0.99 }));
        Assert.Equal("EmaDecay", ema.Option);
    }

    [Fact]
    public void Language_model_training_in_bfloat16_refuses_a_network_that_was_not_lowered()
    {
        using var model = new Loom.Models.Transformer.DecoderTransformer(Loom.Models.Transformer.TransformerConfig.Gpt2(5, 8, 1, 1, 8));
        var data = Loom.Models.Language.LanguageModelData.FromStream(Enumerable.Range(0, 200).Select(i => i % 5).ToArray());
        var options = new Loom.Models.Language.LanguageModelTrainingOptions { Steps = 2, Context = 8, Precision = ScalarType.BFloat16 };
        var error = Assert.Throws<LoomUsageException>(() => Loom.Models.Language.LanguageModelTraining.CreateTrainer(model, data, options));
        Assert.Equal("Precision", error.Option);
        Assert.Contains("TrainingPrecision.Lower", error.Message);
        TrainingPrecision.Lower(model, ScalarType.BFloat16);
        using var trainer = Loom.Models.Language.LanguageModelTraining.CreateTrainer(model, data, options);
        Assert.Equal(2, trainer.Run().Steps);
    }
}
