using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adversarial.CycleGan;
using Loom.Models.Latent;
using Loom.Models.Markov;
using Loom.Models.Mixture;
using Loom.Training;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.IO;

/// <summary>
/// The checkpoint corruption fuzzer: real checkpoints (a Gaussian mixture, a VAE, an n-gram model, a diffusion model, a
/// transformer language model, a GAN, a VQ-VAE, an HMM, a CycleGAN and a trainer state)
/// damaged in every way <see cref="CorruptionCases"/> knows, each loaded as <c>loom sample</c> and <c>--resume</c> would.
/// With the manifest in place every damaged file must be refused with a <see cref="LoomException"/>; with the manifest
/// removed (a checkpoint from before manifests, or a hand-edited one) every structural case must still be refused, and a
/// file that loads must give a model whose configuration is what the file says and whose samples are finite. Never a
/// hang, never another exception type.
/// </summary>
public sealed class CheckpointCorruptionFuzzTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private enum Result { Refused, Loaded, Garbage, OtherException, Hang }

    private sealed record Outcome(Result Result, string Detail);

    [Fact]
    public void Gaussian_mixture_checkpoints() => Fuzz(SaveGaussianMixture, 1);

    [Fact]
    public void Vae_checkpoints() => Fuzz(SaveVae, 2);

    [Fact]
    public void NGram_checkpoints() => Fuzz(SaveNGram, 3);

    [Fact]
    public void Diffusion_checkpoints() => Fuzz(SaveDiffusion, 5);

    [Fact]
    public void Transformer_language_model_checkpoints() => Fuzz(SaveTransformer, 6);

    [Fact]
    public void Gan_checkpoints() => Fuzz(SaveGan, 7);

    [Fact]
    public void Vq_vae_checkpoints() => Fuzz(SaveVqVae, 8);

    [Fact]
    public void Hmm_checkpoints() => Fuzz(SaveHmm, 9);

    [Fact]
    public void Cycle_gan_checkpoints() => Fuzz(SaveCycleGan, 10);

    [Fact]
    public void Trainer_state()
    {
        var dir = SaveWithTrainerState();
        var cases = Cases(dir, [Checkpoint.TrainerStateTensorsFile, Checkpoint.TrainerStateJsonFile], 4).ToList();
        Assert.True(cases.Count(c => c.File == Checkpoint.TrainerStateTensorsFile) >= 100);
        Assert.True(cases.Count(c => c.File == Checkpoint.TrainerStateJsonFile) >= 50);
        Check(dir, cases, ProbeResume);
    }

    private static void Fuzz(Func<string> save, int seed)
    {
        var dir = save();
        var cases = Cases(dir, [Checkpoint.ModelFile, Checkpoint.ConfigFile, Checkpoint.CardFile], seed).ToList();
        Assert.True(cases.Count(c => c.File == Checkpoint.ModelFile) >= 100,
            $"{cases.Count(c => c.File == Checkpoint.ModelFile)} weight cases");
        Assert.True(cases.Count(c => c.File == Checkpoint.ConfigFile) >= 50,
            $"{cases.Count(c => c.File == Checkpoint.ConfigFile)} config cases");
        Check(dir, cases, ProbeModel);
    }

    private static IEnumerable<CorruptionCase> Cases(string dir, string[] files, int seed)
    {
        foreach (var file in files)
        {
            var path = Path.Combine(dir, file);
            var cases = file.EndsWith(".json", StringComparison.Ordinal)
                ? CorruptionCases.Json(file, File.ReadAllText(path), seed)
                : CorruptionCases.SafeTensors(file, File.ReadAllBytes(path), seed);
            foreach (var c in cases) yield return c;
        }
    }

    /// <summary>Runs every case with and without the manifest and fails listing every wrong outcome.</summary>
    private static void Check(string dir, IReadOnlyList<CorruptionCase> cases, Func<string, CorruptionCase, Outcome> probe)
    {
        Assert.Equal(Result.Loaded, probe(dir, new CorruptionCase("", "undamaged", false, _ => { })).Result);
        var failures = new List<string>();
        foreach (bool manifest in new[] { true, false })
        {
            foreach (var c in cases)
            {
                var copy = Path.Combine(RepoPaths.NewTempDir("loom-fuzz"), "ckpt");
                CopyFolder(dir, copy);
                if (!manifest) File.Delete(Path.Combine(copy, CheckpointManifest.FileName));
                c.Apply(Path.Combine(copy, c.File));
                var outcome = Bounded(() => probe(copy, c), copy, c);
                bool refusalRequired = manifest || c.Structural;
                if (outcome.Result is Result.Garbage or Result.OtherException or Result.Hang
                    || (refusalRequired && outcome.Result != Result.Refused))
                    failures.Add($"{(manifest ? "with" : "without")} manifest, {c}: {outcome.Result} {outcome.Detail}");
                if (outcome.Result != Result.Hang)
                    Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {2 * cases.Count} cases went wrong:\n" + string.Join("\n", failures));
    }

    /// <summary>Runs a probe on its own thread; a probe still running after <see cref="Patience"/> is a hang.</summary>
    private static Outcome Bounded(Func<Outcome> probe, string dir, CorruptionCase c)
    {
        Outcome? outcome = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                outcome = probe();
            }
            catch (LoomException e)
            {
                outcome = new(e.Message.Contains('\n') ? Result.OtherException : Result.Refused, e.Message);
            }
            catch (Exception e)
            {
                outcome = new(Result.OtherException, $"{e.GetType().Name}: {e.Message.Split('\n')[0]}");
            }
        }, 16 * 1024 * 1024)
        { IsBackground = true };
        thread.Start();
        if (thread.Join(Patience))
            return outcome!;
        // Unblock a reader stuck on a FIFO so the thread can end.
        var path = Path.Combine(dir, c.File);
        if (File.Exists(path)) try { using var w = new FileStream(path, FileMode.Open, FileAccess.Write); } catch (IOException) { }
        return new(Result.Hang, $"still running after {Patience.TotalSeconds} s");
    }

    /// <summary>What <c>loom sample</c> does: load the model and its card, then draw samples that must be finite.</summary>
    private static Outcome ProbeModel(string dir, CorruptionCase c)
    {
        using var model = Checkpoint.Load(dir);
        Checkpoint.ReadCard(dir);
        var request = new SampleRequest { Count = 4, Seed = 1, Length = 20 };
        // A translator samples by translating the images the request carries.
        if (model.GetService<IImageTranslator>() is { } translator)
            request = request.With(new TranslationInputs(
                torch.rand([4, .. translator.Config.ImageShape], generator: new torch.Generator(1))));
        var samples = model.Sample(request);
        bool finite = samples is not TensorSamples t || t.Values.isfinite().all().item<bool>();
        (samples as IDisposable)?.Dispose();
        if (!finite)
            return new(Result.Garbage, "non-finite samples");
        if (c.File == Checkpoint.ConfigFile && !c.Name.EndsWith(" removed", StringComparison.Ordinal))
        {
            // A config value the loader ignored or changed is a silent success on a file that does not say what it holds.
            var path = c.Name[..c.Name.IndexOf(" = ", StringComparison.Ordinal)];
            var written =
                At(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, Checkpoint.ConfigFile)))!["config"], path["/config".Length..]);
            var loaded = At(model.GetConfig(), path["/config".Length..]);
            if (path.StartsWith("/config/", StringComparison.Ordinal) && !SameValue(written, loaded))
                return new(Result.Garbage,
                    $"config says {written?.ToJsonString() ?? "null"}, the model has {loaded?.ToJsonString() ?? "null"}");
        }
        return new(Result.Loaded, "");
    }

    /// <summary>What <c>--resume</c> does with the trainer state: read it, restore it, train on; the weights stay finite.</summary>
    private static Outcome ProbeResume(string dir, CorruptionCase c)
    {
        var state = Checkpoint.ReadTrainerState(dir);
        var (trainer, module) = TinyTrainer(steps: 5);
        using (trainer)
        {
            trainer.RestoreState(state);
            foreach (var tensor in state.Tensors.Values) tensor.Dispose();
            trainer.Run();
            if (module.parameters().Any(p => !p.isfinite().all().item<bool>()))
                return new(Result.Garbage, "non-finite weights after resuming");
        }
        return new(Result.Loaded, "");
    }

    private static string SaveGaussianMixture()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "gmm");
        using var scope = torch.NewDisposeScope();
        var g = Seeding.Generator(5, "blobs");
        var x = torch.cat(
            [torch.randn([200, 2], ScalarType.Float64, generator: g), torch.randn([200, 2], ScalarType.Float64, generator: g) + 4]);
        using var model =
            GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2, CovarianceType = CovarianceType.Full, Seed = 1 });
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 1 });
        return dir;
    }

    private static string SaveVae()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "vae");
        torch.random.manual_seed(3);
        var config = new VaeConfig
        {
            Network = "mlp", Likelihood = VaeLikelihood.Gaussian, LatentDim = 2, Hidden = 16, Layers = 2, SampleShape = [2], Images = false,
        };
        using var model = new VaeModel(new VariationalAutoencoder(config));
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 3 });
        return dir;
    }

    private static string SaveDiffusion()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "diffusion");
        torch.random.manual_seed(6);
        var config = new Loom.Models.Diffusion.DiffusionConfig
        {
            Network = "mlp", SampleShape = [2], Images = false, Timesteps = 20, ClassNames = ["a", "b"],
            Mlp = new Loom.Models.Diffusion.Networks.MlpDenoiserConfig(Width: 16, Layers: 1),
            DefaultSampler = new Loom.Models.Diffusion.Samplers.SamplerOptions { Sampler = "ddim", Steps = 4 },
        };
        using var model = new Loom.Models.Diffusion.DiffusionModel(config, config.CreateNetwork());
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 6 });
        return dir;
    }

    /// <summary>A conditional MLP GAN on 2-D vectors (its data range and class names travel in the config).</summary>
    private static string SaveGan()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "gan");
        torch.random.manual_seed(7);
        var config = new Loom.Models.Adversarial.GanConfig
        {
            Loss = Loom.Models.Adversarial.GanLossKind.Hinge, Network = "mlp", LatentDim = 2, Width = 8, Layers = 1,
            SampleShape = [2], Images = false, ClassNames = ["a", "b"], VectorRange = (-1.5, 2.5), DataName = "moons",
        };
        using var model = new Loom.Models.Adversarial.GanModel(config, config.CreateGenerator(), config.CreateDiscriminator());
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 7 });
        return dir;
    }

    /// <summary>A tiny VQ-VAE with a class-conditional PixelCNN prior.</summary>
    private static string SaveVqVae()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "vqvae");
        torch.random.manual_seed(8);
        using var model = new Loom.Models.Latent.Quantized.VqVaeModel(Latent.Quantized.PixelCnnPriorTests.TinyConfig(2));
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 8 });
        return dir;
    }

    /// <summary>A 2-state HMM with full-covariance Gaussian emissions fitted to three short 2-D sequences.</summary>
    private static string SaveHmm()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "hmm");
        var g = Seeding.Generator(9, "hmm");
        var sequences = Enumerable.Range(0, 3).Select(i => torch.randn([30, 2], ScalarType.Float64, generator: g) + i).ToList();
        using var model = Loom.Models.Hmm.HiddenMarkovModel.Fit(sequences, new Loom.Models.Hmm.HmmOptions
        {
            States = 2, Emission = Loom.Models.Hmm.HmmEmission.GaussianFull, MaxIter = 5, Seed = 1,
        });
        foreach (var s in sequences) s.Dispose();
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 9 });
        return dir;
    }

    /// <summary>A tiny CycleGAN between two folders of 8×8 grey images.</summary>
    private static string SaveCycleGan()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "cyclegan");
        torch.random.manual_seed(10);
        var config = Adversarial.CycleGan.CycleGanTestData.Tiny(size: 8, width: 4);
        using var model = new CycleGanModel(config, new CycleGanNetworks(config));
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 10 });
        return dir;
    }

    /// <summary>A 1-layer, 16-wide GPT trained for 2 steps on the bundled names (its tokenizer travels in the config).</summary>
    private static string SaveTransformer()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "gpt");
        var recipe = new Loom.Models.Language.LanguageModelRecipe
        {
            Data = "names", Steps = 2, BatchSize = 4, Layers = 1, Heads = 2, Width = 16, Seed = 3,
        };
        using var outcome = OneThreadRuns.Run(() => ModelRegistry.Trainable("gpt").Train(
            Loom.Training.Runs.RecipeJson.ToJson(recipe), new Loom.Training.Runs.TrainingContext { OutputFolder = dir }));
        return dir;
    }

    private static string SaveNGram()
    {
        var dir = Path.Combine(RepoPaths.NewTempDir("loom-fuzz-src"), "ngram");
        var model = NGramModel.Fit("to be or not to be, that is the question\nwhether 'tis nobler in the mind to suffer\n",
            new NGramOptions { Order = 3 });
        Checkpoint.Save(dir, model, new ModelCard { CommandLine = "fuzz", Seed = 0 });
        return dir;
    }

    /// <summary>A checkpoint with the trainer state of three AdamW steps (with a weight average) on a tiny regression.</summary>
    private static string SaveWithTrainerState()
    {
        var dir = SaveGaussianMixture();
        var (trainer, _) = TinyTrainer(steps: 3);
        using (trainer)
        {
            trainer.Run();
            var state = trainer.CaptureState();
            using var model = Checkpoint.Load(dir);
            Checkpoint.Save(dir, model, Checkpoint.ReadCard(dir), state);
            foreach (var tensor in state.Tensors.Values) tensor.Dispose();
        }
        return dir;
    }

    private static (Trainer Trainer, nn.Module Module) TinyTrainer(long steps)
    {
        torch.random.manual_seed(9);
        var module = nn.Linear(3, 1);
        var x = torch.randn(16, 3);
        var y = x.sum(1, keepdim: true);
        var phase = new TrainingPhase("fit", new DelegateObjective((_, _) =>
            new TrainingLoss(nn.functional.mse_loss(module.forward(x), y), 16)), [.. module.parameters()],
                new OptimizerOptions { LearningRate = 1e-2 });
        return (new Trainer([phase], new TrainerOptions { Steps = steps, LogEvery = 100, EmaDecay = 0.9 }), module);
    }

    private static JsonNode? At(JsonNode? node, string path)
    {
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node is JsonArray a ? (int.TryParse(part, out int i) && i < a.Count ? a[i] : null) : node?[part];
        return node;
    }

    private static bool SameValue(JsonNode? a, JsonNode? b)
    {
        if (a is JsonValue va && b is JsonValue vb && va.TryGetValue(out double x) && vb.TryGetValue(out double y))
            return x == y;
        return JsonNode.DeepEquals(a, b);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
