using Loom.Core;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Diffusion.Samplers;
using Loom.Models.Mixture;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Models;

/// <summary>
/// The sampling contract: capabilities through <see cref="IGenerativeModel.GetService"/>, family options carried by the
/// request, labels from conditional models, <see cref="ModelServices.SampleAsync"/> with progress and cancellation.
/// </summary>
public sealed class SamplingApiTests
{
    private static DiffusionModel ConditionalVectorDiffusion()
    {
        torch.random.manual_seed(4);
        var config = new DiffusionConfig
        {
            Network = "mlp", SampleShape = [2], Images = false, Timesteps = 50, ClassNames = ["left", "right", "up"],
            DefaultSampler = new SamplerOptions { Sampler = "ddim", Steps = 10 }, DefaultGuidance = 2.0,
        };
        return new DiffusionModel(config, config.CreateNetwork());
    }

    [Fact]
    public void Capabilities_are_found_by_asking_not_by_type_tests()
    {
        using var diffusion = ConditionalVectorDiffusion();
        IGenerativeModel model = diffusion;
        Assert.Same(diffusion, model.GetService<IConditionalModel>());
        Assert.Same(diffusion, model.GetService<IProgressiveSampler>());
        Assert.Same(diffusion, model.GetService<IDiffusionGenerator>());
        Assert.Null(model.GetService<ILikelihoodModel>());
        Assert.Null(model.GetService<IConditionalModel>(serviceKey: "other"));
        Assert.Equal(["left", "right", "up"], model.GetService<IConditionalModel>()!.ClassNames);

        using var scope = torch.NewDisposeScope();
        var x = torch.randn([300, 2], ScalarType.Float64, generator: Seeding.Generator(1, "points"));
        using IGenerativeModel gmm = GaussianMixture.Fit(x, new GaussianMixtureOptions { Components = 2, Seed = 1 });
        Assert.NotNull(gmm.GetService<ILikelihoodModel>());
        Assert.Null(gmm.GetService<IConditionalModel>());
        Assert.Null(gmm.GetService<IProgressiveSampler>());
    }

    [Fact]
    public void A_conditional_model_spreads_an_unconditioned_request_over_its_classes_and_returns_labels()
    {
        using var model = ConditionalVectorDiffusion();
        using var spread = (TensorSamples)model.Sample(new SampleRequest { Count = 7, Seed = 2 });
        Assert.Equal(new long[] { 0, 1, 2, 0, 1, 2, 0 }, spread.Labels!.data<long>().ToArray());
        Assert.Equal(["left", "right", "up"], spread.ClassNames);
        using var one = (TensorSamples)model.Sample(new SampleRequest { Count = 3, Seed = 2, Class = 1 });
        Assert.Equal(new long[] { 1, 1, 1 }, one.Labels!.data<long>().ToArray());
        Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Count = 2, Class = 3 }));
        var temperature = Assert.Throws<LoomUsageException>(() => model.Sample(new SampleRequest { Count = 2, Temperature = 0.5 }));
        Assert.StartsWith("temperature:", temperature.Message);
    }

    [Fact]
    public void Family_options_travel_with_the_request_and_the_last_of_a_type_wins()
    {
        using var model = ConditionalVectorDiffusion();
        var ddim = new DiffusionRequest { Sampler = new SamplerOptions { Sampler = "ddim", Steps = 10 }, Guidance = 1.0 };
        var request = new SampleRequest { Count = 4, Seed = 5 }.With("ignored by diffusion").With(ddim);
        Assert.Same(ddim, request.Get<DiffusionRequest>());
        Assert.Null(new SampleRequest().Get<DiffusionRequest>());
        Assert.Same(ddim, request.With(new object()).Get<DiffusionRequest>());

        // An option without labels samples unconditionally (no labels come back); its sampler is the one that runs.
        using var unconditional = (TensorSamples)model.Sample(request);
        Assert.Null(unconditional.Labels);
        using var direct = model.Generate(ddim with { Count = 4, Seed = 5 });
        Assert.True(unconditional.Values.equal(direct).all().item<bool>());
        var euler = ddim with { Sampler = new SamplerOptions { Sampler = "euler", Steps = 10 } };
        using var other = (TensorSamples)model.Sample(request.With(euler));
        Assert.False(other.Values.equal(direct).all().item<bool>());
    }

    [Fact]
    public async Task SampleAsync_reports_progress_and_gives_what_Sample_gives()
    {
        using var model = ConditionalVectorDiffusion();
        var request = new SampleRequest { Count = 5, Seed = 9, Class = 2 };
        var steps = new List<SampleProgress>();
        var progress = new SynchronousProgress(steps.Add);
        using var awaited = (TensorSamples)await ((IGenerativeModel)model).SampleAsync(request, progress);
        using var direct = (TensorSamples)model.Sample(request);
        Assert.True(awaited.Values.equal(direct.Values).all().item<bool>());
        Assert.Equal(10, steps.Count);
        Assert.Equal(new SampleProgress(10, 10, "denoising step"), steps[^1]);
    }

    [Fact]
    public async Task SampleAsync_stops_when_cancelled()
    {
        using var model = ConditionalVectorDiffusion();
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.Done == 3) cancel.Cancel();
        });
        var request = new SampleRequest { Count = 5, Seed = 9 };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ((IGenerativeModel)model)
            .SampleAsync(request, progress, cancel.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ((IGenerativeModel)model).SampleAsync(request, null, cancel.Token));
    }

    /// <summary>Reports on the sampling thread (Progress&lt;T&gt; would post to a context and arrive late).</summary>
    private sealed class SynchronousProgress(Action<SampleProgress> report) : IProgress<SampleProgress>
    {
        public void Report(SampleProgress value) => report(value);
    }
}
