using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Tests.Support;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Training;

public class TrainerTests
{
    // Static tensors may be first touched inside a trainer's dispose scope: detach them so no scope owns them.
    private static readonly Tensor X = torch.randn([64, 4], generator: new Generator(1)).DetachFromDisposeScope();
    private static readonly Tensor Y = (X.matmul(torch.tensor(new float[] { 1, -2, 0.5f, 3 }).unsqueeze(1))
        + 0.01f * torch.randn([64, 1], generator: new Generator(2))).DetachFromDisposeScope();

    private static nn.Module<Tensor, Tensor> Model(long seed, double dropout = 0.2)
    {
        torch.manual_seed(seed);
        return nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Dropout(dropout), nn.Linear(16, 1));
    }

    /// <summary>MSE on a batch chosen from (step, micro) only, so resumed runs see the same batches.</summary>
    private static ITrainingObjective Mse(nn.Module<Tensor, Tensor> model, int batch = 16, int micro = 1) =>
        new DelegateObjective((step, m) =>
    {
        var idx = torch.randperm(64, generator: Seeding.Generator(7, $"batch:{step}"))[..(batch * micro)];
        var part = idx.narrow(0, m * batch, batch);
        var loss = torch.nn.functional.mse_loss(model.call(X.index_select(0, part)), Y.index_select(0, part));
        return new TrainingLoss(loss, batch);
    });

    private static List<TorchSharp.Modules.Parameter> Params(nn.Module model) => model.parameters().ToList();

    private static TrainingPhase Phase(nn.Module<Tensor, Tensor> model, OptimizerOptions? o = null, int micro = 1, int batch = 16) =>
        new("main", Mse(model, batch, micro), Params(model), o ?? new OptimizerOptions { LearningRate = 1e-2 });

    [Fact]
    public void RegressionConverges()
    {
        var model = Model(1, dropout: 0);
        using var trainer =
            new Trainer([Phase(model)], new TrainerOptions { Steps = 400, Schedule = ScheduleKind.Cosine, WarmupSteps = 20 });
        var result = trainer.Run();
        Assert.Equal(400, result.Steps);
        Assert.True(result.LastLoss < 0.05, $"final loss {result.LastLoss}");
    }

    [Fact]
    public void ScheduleFollowsItsClosedForm()
    {
        var cosine = new LearningRateSchedule(ScheduleKind.Cosine, 1e-3, 100, 2000, 1e-4);
        Assert.Equal(1e-3 * 1 / 100, cosine.At(0), 15);
        Assert.Equal(1e-3 * 50 / 100, cosine.At(49), 15);
        Assert.Equal(1e-3, cosine.At(100), 15);
        Assert.Equal(1e-4 + 0.9e-3 * 0.5 * (1 + Math.Cos(Math.PI * 0.5)), cosine.At(1050), 15);
        Assert.Equal(1e-4, cosine.At(2000), 15);
        var linear = new LearningRateSchedule(ScheduleKind.Linear, 1.0, 0, 10, 0);
        Assert.Equal(0.7, linear.At(3), 15);
        Assert.Equal(1.0, new LearningRateSchedule(ScheduleKind.Constant, 1.0, 0, 10, 0).At(9));
    }

    [Fact]
    public void ClippingBoundsTheGlobalGradientNorm()
    {
        var model = Model(2, dropout: 0);
        using var trainer = new Trainer([Phase(model, new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 1e-9 })],
            new TrainerOptions { Steps = 1, GradClip = 0.01 });
        trainer.Run();
        var norm = Math.Sqrt(Params(model).Sum(p => p.grad!.pow(2).sum().item<float>()));
        Assert.InRange(norm, 0.0099, 0.0101);
    }

    [Fact]
    public void AccumulatingTwoHalvesEqualsOneFullBatchForSgd()
    {
        var a = Model(3, dropout: 0);
        var b = Model(3, dropout: 0);
        var sgd = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.05, Momentum = 0.9 };
        using (var full = new Trainer([Phase(a, sgd, micro: 1, batch: 32)], new TrainerOptions { Steps = 3 })) full.Run();
        using (var halves = new Trainer([Phase(b, sgd, micro: 2, batch: 16)], new TrainerOptions
        {
            Steps = 3, AccumulationSteps = 2
        })) halves.Run();
        foreach (var (pa, pb) in Params(a).Zip(Params(b)))
            Assert.True((pa - pb).abs().max().item<float>() < 1e-6);
    }

    [Fact]
    public void EmaMatchesItsClosedForm()
    {
        var model = Model(4, dropout: 0);
        var first = Params(model)[0];
        var seen = new List<Tensor>(); // parameter values at the start of each step
        var inner = Mse(model);
        var recording = new DelegateObjective((step, micro) =>
        {
            seen.Add(first.detach().clone().DetachFromDisposeScope());
            return inner.Compute(step, micro);
        });
        var phase =
            new TrainingPhase("main", recording, Params(model), new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1 });
        using var trainer = new Trainer([phase], new TrainerOptions { Steps = 3, EmaDecay = 0.9 });
        trainer.Run();
        var expected = seen[0];
        foreach (var after in seen.Skip(1).Append(first.detach()))
            expected = 0.9 * expected + 0.1 * after;
        Assert.True((trainer.Ema!.Shadows[0] - expected).abs().max().item<float>() < 1e-7);
        Assert.False(trainer.Ema.Shadows[0].equal(first.detach()).all().item<bool>());
    }

    [Fact]
    public void EmaFollowsTheChosenPhaseOncePerUpdateOfThatPhase()
    {
        var a = Model(5, dropout: 0);
        var b = Model(6, dropout: 0);
        var second = Params(b)[0];
        var afterUpdates = new List<Tensor>();   // phase b's weights after each of its updates
        var innerB = Mse(b);
        var sgd = new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.1 };
        var recording = new DelegateObjective((step, micro) =>
        {
            if (step > 0) afterUpdates.Add(second.detach().clone().DetachFromDisposeScope());
            return innerB.Compute(step, micro);
        });
        var initial = second.detach().clone();
        using var trainer = new Trainer([Phase(a, sgd), new TrainingPhase("b", recording, Params(b), sgd, Every: 2)],
            new TrainerOptions { Steps = 6, EmaDecay = 0.8, EmaPhase = 1 });
        trainer.Run();
        afterUpdates.Add(second.detach().clone());
        Assert.Equal(3, afterUpdates.Count);   // b ran at steps 0, 2, 4
        var expected = initial;
        foreach (var after in afterUpdates)
            expected = 0.8 * expected + 0.2 * after;
        Assert.True((trainer.Ema!.Shadows[0] - expected).abs().max().item<float>() < 1e-7);
        Assert.Equal(Params(b)[0].shape, trainer.Ema.Shadows[0].shape);
        Assert.Throws<LoomUsageException>(() =>
            new Trainer([Phase(a, sgd)], new TrainerOptions { Steps = 2, EmaDecay = 0.9, EmaPhase = 1 }));
        Assert.Throws<LoomUsageException>(() => new Trainer([Phase(a, sgd)], new TrainerOptions { Steps = 2, EmaDecay = 1.5 }));
    }

    [Fact]
    public void ResumeIsBitForBitWithDropout()
    {
        var options = new TrainerOptions { Steps = 20, Schedule = ScheduleKind.Cosine, WarmupSteps = 3, EmaDecay = 0.95, GradClip = 1.0 };
        var straight = Model(5);
        using (var t = new Trainer([Phase(straight)], options)) t.Run();

        var firstHalf = Model(5);
        TrainerStateFiles? saved = null;
        using (var cts = new CancellationTokenSource())
        {
            var objective = Mse(firstHalf);
            var phase =
                new TrainingPhase("main", new DelegateObjective((s, m) => { if (s == 9) cts.Cancel(); return objective.Compute(s, m); }),
                Params(firstHalf), new OptimizerOptions { LearningRate = 1e-2 });
            using var t = new Trainer([phase], options) { SaveCheckpoint = tr => saved = tr.CaptureState() };
            var result = t.Run(cts.Token);
            Assert.True(result.Interrupted);
            Assert.Equal(10, result.Steps);
        }
        // a fresh process: a new model (different init), then the saved weights and trainer state
        torch.manual_seed(999); // the restore must put the RNG back, whatever it is now
        var resumed = Model(6);
        using (var noGrad = torch.no_grad())
            foreach (var (dst, src) in Params(resumed).Zip(Params(firstHalf))) dst.copy_(src);
        using var t3 = new Trainer([Phase(resumed)], options);
        t3.RestoreState(saved!);
        Assert.Equal(10, t3.Step);
        t3.Run();
        foreach (var (a, b) in Params(straight).Zip(Params(resumed)))
            Assert.True(a.equal(b).all().item<bool>(), "resumed weights differ from the uninterrupted run");
    }

    [Fact]
    public void NonFiniteLossStopsWithTheStepAndPhase()
    {
        var model = Model(7, dropout: 0);
        var inner = Mse(model);
        var phase = new TrainingPhase("main", new DelegateObjective((s, m) => s == 4
            ? new TrainingLoss(torch.tensor(float.NaN, requires_grad: true), 1) : inner.Compute(s, m)),
            Params(model), new OptimizerOptions());
        using var trainer = new Trainer([phase], new TrainerOptions { Steps = 10 });
        var e = Assert.Throws<LoomException>(() => trainer.Run());
        Assert.Contains("loss became NaN at step 5 (phase 'main')", e.Message);
        Assert.Equal(4, trainer.Step);
    }

    [Fact]
    public void EarlyStoppingAfterPatience()
    {
        var model = Model(8, dropout: 0);
        int evals = 0;
        double[] values = [1.0, 0.9, 0.95, 0.92, 0.91, 0.5];
        using var trainer = new Trainer([Phase(model)], new TrainerOptions { Steps = 100, EvalEvery = 5, EarlyStoppingPatience = 3 })
        {
            Evaluate = () => new Dictionary<string, double> { ["val_loss"] = values[evals++] },
        };
        var result = trainer.Run();
        Assert.True(result.EarlyStopped);
        Assert.Equal(25, result.Steps);
        Assert.Equal(0.9, result.BestMetric);
    }

    [Fact]
    public void TwoPhasesUpdateOnlyTheirOwnParametersAtTheirOwnRate()
    {
        var a = Model(9, dropout: 0);
        var b = Model(10, dropout: 0);
        int aCalls = 0, bCalls = 0;
        var objA = Mse(a);
        var objB = Mse(b);
        var phases = new[]
        {
            new TrainingPhase("a", new DelegateObjective((s, m) => { aCalls++; return objA.Compute(s, m); }),
                Params(a), new OptimizerOptions()),
            new TrainingPhase("b", new DelegateObjective((s, m) => { bCalls++; return objB.Compute(s, m); }), Params(b),
                new OptimizerOptions { Kind = OptimizerKind.Sgd, LearningRate = 0.01 }, Every: 3),
        };
        var bBefore = Params(b).Select(p => p.detach().clone()).ToList();
        using var trainer = new Trainer(phases, new TrainerOptions { Steps = 9 });
        trainer.Run();
        Assert.Equal(9, aCalls);
        Assert.Equal(3, bCalls);
        Assert.Contains(Params(b).Zip(bBefore), pair => !pair.First.equal(pair.Second).all().item<bool>());
    }

    [Fact]
    public void LiveTensorCountStaysFlatAcrossSteps()
    {
        var model = Model(11);
        var inner = Mse(model);
        var counts = new Dictionary<long, long>();
        var phase = new TrainingPhase("main",
            new DelegateObjective((s, m) => { counts[s] = TensorCounts.Live; return inner.Compute(s, m); }), Params(model),
            new OptimizerOptions());
        using var trainer = new Trainer([phase], new TrainerOptions { Steps = 16, EmaDecay = 0.99, GradClip = 1 });
        trainer.Run();
        Assert.Equal(counts[5], counts[15]);
    }
}
