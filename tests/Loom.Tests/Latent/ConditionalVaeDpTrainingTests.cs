using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using Loom.Privacy;
using Loom.Tests.Data;
using Loom.Tests.Support;
using Loom.Training.Runs;
using TorchSharp;

namespace Loom.Tests.Latent;

/// <summary>
/// A class-conditional VAE trained with DP-SGD through the library's recipe (<see cref="VaeRecipe.Conditional"/> with
/// <see cref="VaeRecipe.DpEpsilon"/>): the target ε is met and recorded, the model stays conditional and samples the
/// class asked for. (The one-hot path's per-example gradients are checked in VaePerSampleGradientsTests.)
/// </summary>
public sealed class ConditionalVaeDpTrainingTests
{
    [FashionMnistFact]
    public void A_cvae_trains_with_dp_sgd_to_the_target_epsilon_and_samples_each_class()
    {
        using var tmp = new TempFolder();
        var recipe = new VaeRecipe
        {
            Data = "fashion-mnist", Conditional = true, TrainLimit = 64, Hidden = 16, LatentDim = 2, BatchSize = 16, Steps = 5,
            EvalK = 0, EvalN = 20, CheckpointEvery = 0, Seed = 3, DpEpsilon = 8,
        };
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            using var outcome = ModelRegistry.Trainable("vae").Train(RecipeJson.ToJson(recipe),
                new TrainingContext { OutputFolder = tmp.File("run") });
            Assert.InRange(outcome.Metrics["epsilon"], 7.9, 8.0);
            var privacy = Checkpoint.ReadCard(tmp.File("run")).Privacy!;
            Assert.Equal(outcome.Metrics["epsilon"], privacy.Epsilon!.Value, 9);
            Assert.Equal(5, privacy.Steps);
            Assert.Equal(16.0 / 64, privacy.SampleRate, 12);
            Assert.Equal(RdpAccountant.Epsilon(privacy.NoiseMultiplier, privacy.SampleRate, 5, 1e-5).Epsilon, privacy.Epsilon.Value, 9);
            Assert.True(double.IsFinite(outcome.Metrics["test_elbo"]));
            var vae = Assert.IsType<VaeModel>(outcome.Model);
            Assert.Equal(10, vae.NumClasses);
            using var samples = Assert.IsType<TensorSamples>(vae.Sample(new SampleRequest { Count = 4, Class = 7, Seed = 1 }));
            Assert.Equal([4L, 1L, 28L, 28L], samples.Values.shape);
            Assert.Equal([7L, 7L, 7L, 7L], samples.Labels!.data<long>().ToArray());
            Assert.True(torch.isfinite(samples.Values).all().item<bool>());
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }
}
