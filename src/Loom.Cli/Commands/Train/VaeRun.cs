using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// One VAE training run on the shared trainer: log.jsonl + loss.png, checkpoints every N steps and on Ctrl-C, exact
/// resume; afterwards held-out ELBO and importance-sampled NLL, samples.png and reconstructions.png. With
/// <c>--adversarial λ</c> a discriminator phase runs before the VAE's each step (<see cref="VaeAdversary"/>); its weights
/// live in the trainer state only.
/// </summary>
public sealed class VaeRun(VaeModel model, TrainingData data, VaeTrainingOptions options, string outDir, bool resume, string device)
{
    private Models.Adversarial.GanDiscriminator? discriminator;

    public long SkippedSteps { get; private set; }

    public TrainResult Train()
    {
        Directory.CreateDirectory(outDir);
        long startStep = resume ? NetworkResume.SavedStep(outDir) : 0;
        var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile), startStep);
        using var progress = new ConsoleProgress("train vae", Console.Error);
        var network = model.Network;
        var parameters = network.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList();
        var targetDevice = DeviceSelector.Parse(device);
        var dataset = data.ToDataset(model.NumClasses > 0);
        var phases = new List<TrainingPhase>();
        if (options.Adversarial > 0)
        {
            discriminator = VaeAdversary.Create(model.Config);
            discriminator.to(targetDevice);
            discriminator.train();
            phases.Add(new TrainingPhase("discriminator", new VaeDiscriminatorObjective(network, discriminator, dataset, options, targetDevice),
                discriminator.parameters().Select(p => (TorchSharp.Modules.Parameter)p).ToList(),
                new OptimizerOptions { LearningRate = options.AdversaryLearningRate, Beta1 = 0, Beta2 = 0.9 }));
        }
        var objective = new VaeObjective(network, dataset, options, targetDevice, discriminator);
        phases.Add(new TrainingPhase(model.Config.TrainSamples > 1 ? "iwae" : "elbo", objective, parameters, new OptimizerOptions { LearningRate = options.LearningRate }));
        using var trainer = new Trainer(phases, new TrainerOptions
        {
            Steps = options.Steps, WarmupSteps = Math.Min(options.Warmup, options.Steps), GradClip = options.GradClip, LogEvery = options.LogEvery,
            CheckpointEvery = options.CheckpointEvery, SkipNonFiniteGradients = model.Config.Network == "conv" || discriminator is not null,
        })
        {
            Log = log, Progress = new TrainingProgressAdapter(progress), SaveCheckpoint = Save,
        };
        if (resume)
            NetworkResume.Restore(outDir, network, trainer, discriminator is null ? [] : [(discriminator, VaeAdversary.StatePrefix)]);
        network.train();
        try
        {
            var result = trainer.Run(CliContext.Cancellation);
            SkippedSteps = trainer.SkippedSteps;
            return result;
        }
        finally
        {
            network.eval();
            discriminator?.Dispose();
            discriminator = null;
        }
    }

    private void Save(Trainer t)
    {
        var state = t.CaptureState();
        var tensors = new Dictionary<string, Tensor>(state.Tensors);
        foreach (var (name, p) in model.Network.named_parameters()) tensors["model." + name] = p.detach().clone();
        if (discriminator is not null)
            foreach (var (name, tensor) in ModuleTensors.Capture(discriminator, VaeAdversary.StatePrefix)) tensors[name] = tensor;
        Checkpoint.Save(outDir, model, new ModelCard
        {
            Data = [data.Provenance], CommandLine = CliContext.CommandLine, Seed = options.Seed, Device = device,
            Metrics = new Dictionary<string, double> { ["step"] = t.Step },
        }, state with { Tensors = tensors });
        MetricsLog.WriteLossCurve(MetricsLog.ReadFile(Path.Combine(outDir, Checkpoint.LogFile)), Path.Combine(outDir, "loss.png"),
            model.Config.TrainSamples > 1 ? $"vae: −IWAE bound (k={model.Config.TrainSamples}), nats" : "vae: −ELBO, nats");
    }

    /// <summary>
    /// Held-out metrics in nats per example: the ELBO (one sample, averaged over 10 draws) and the importance-sampled NLL
    /// with <paramref name="k"/> samples, on up to <paramref name="count"/> examples of <paramref name="heldOut"/>.
    /// </summary>
    public static Dictionary<string, double> Evaluate(VaeModel model, TrainingData heldOut, int count, int k, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var (x, labels) = HeldOutBatch(model, heldOut, count, seed);
        var metrics = new Dictionary<string, double> { ["test_examples"] = x.shape[0] };
        model.Network.eval();
        using (torch.no_grad())
        {
            torch.random.manual_seed(seed);
            var device = model.Network.parameters().First().device;
            double elbo = 0;
            for (int draw = 0; draw < 10; draw++)
                elbo += model.Network.Elbo(x.to(device), labels?.to(device)).Elbo.mean().ToDouble() / 10;
            metrics["test_elbo"] = elbo;
        }
        if (k > 0)
            metrics[$"test_nll_k{k}"] = model.ExampleNll(x, labels, k, seed).mean().ToDouble();
        if (model.Config.Images)
            metrics["test_nll_bits_per_dim"] = (k > 0 ? metrics[$"test_nll_k{k}"] : -metrics["test_elbo"]) / model.Config.DataDim / Math.Log(2);
        return metrics;
    }

    /// <summary>The first <paramref name="count"/> held-out examples (binarized with a fixed seed for a Bernoulli model) and labels.</summary>
    public static (Tensor X, Tensor? Labels) HeldOutBatch(VaeModel model, TrainingData heldOut, int count, long seed)
    {
        using var scope = torch.NewDisposeScope();
        long n = Math.Min(count, heldOut.Count);
        var x = model.Config.Likelihood == VaeLikelihood.Bernoulli ? Binarized(heldOut.Examples, seed) : heldOut.Examples;
        var labels = model.NumClasses > 0 ? heldOut.Labels?.narrow(0, 0, n).MoveToOuterDisposeScope() : null;
        return (x.narrow(0, 0, n).MoveToOuterDisposeScope(), labels);
    }

    /// <summary>Images binarized once with a fixed seed (the usual test set for binarized-image likelihoods).</summary>
    private static Tensor Binarized(Tensor images, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return torch.bernoulli(images, generator: generator);
    }

    /// <summary>samples.png (one row per class for a CVAE, or a scatter against the data for 2-D) and reconstructions.png (images).</summary>
    public static IReadOnlyList<string> WritePreviews(VaeModel model, TrainingData data, TrainingData? heldOut, string outDir, long seed)
    {
        using var scope = torch.NewDisposeScope();
        var written = new List<string>();
        var samplesPath = Path.Combine(outDir, "samples.png");
        int classes = model.NumClasses, perClass = 8;
        int count = classes > 0 ? classes * perClass : 64;
        var labels = classes > 0 ? torch.arange(count, dtype: ScalarType.Int64) / perClass : null;
        var samples = model.Decode(model.SampleLatents(count, labels, seed), labels);
        if (model.Config.Images)
        {
            SampleGrid.Write(samplesPath, samples, columns: classes > 0 ? perClass : null);
            written.Add(samplesPath);
            var source = heldOut ?? data;
            var originals = source.Examples.narrow(0, 0, Math.Min(16, source.Count));
            var originalLabels = classes > 0 ? source.Labels?.narrow(0, 0, originals.shape[0]) : null;
            var reconstructed = model.Decode(model.EncodeMean(originals, originalLabels), originalLabels);
            var path = Path.Combine(outDir, "reconstructions.png");
            SampleGrid.Write(path, torch.cat([originals, reconstructed]), columns: (int)originals.shape[0]);
            written.Add(path);
        }
        else if (samples.shape[1] == 2)
        {
            var shown = data.Examples.narrow(0, 0, Math.Min(2000, data.Count));
            Plots.Scatter(samplesPath, "vae samples (decoder means) vs data", [("data", shown), ("samples", samples)]);
            written.Add(samplesPath);
        }
        return written;
    }
}
