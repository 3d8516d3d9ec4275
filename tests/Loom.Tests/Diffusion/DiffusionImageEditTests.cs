using Loom.Core;
using Loom.Models.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Diffusion;

/// <summary><see cref="DiffusionImageEdit"/>: the request reaches the model unchanged; the input tile greys the region
/// being regenerated.</summary>
public sealed class DiffusionImageEditTests
{
    /// <summary>Returns a constant batch of the request's size and remembers the request.</summary>
    private sealed class RecordingGenerator : IDiffusionGenerator
    {
        public DiffusionConfig Config { get; } = new() { SampleShape = [1, 4, 4] };
        public DiffusionRequest? Seen { get; private set; }

        public Tensor Generate(DiffusionRequest request)
        {
            Seen = request;
            return torch.full([request.Count, 1, 4, 4], 0.25f);
        }
    }

    [Fact]
    public void Inpainting_shows_the_input_with_the_regenerated_region_grey_then_the_results()
    {
        using var scope = torch.NewDisposeScope();
        var model = new RecordingGenerator();
        var image = torch.arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4) / 16;
        var keep = torch.ones(1, 1, 4, 4);
        keep[.., .., 2.., ..] = 0;   // regenerate the bottom half
        var request = new DiffusionRequest { Count = 3, Image = image, Mask = keep, Resample = 2 };

        var result = DiffusionImageEdit.Run(model, request);

        Assert.Same(request, model.Seen);
        var shown = result.Input.data<float>().ToArray();
        var pixels = image.data<float>().ToArray();
        for (int i = 0; i < 16; i++)
            Assert.Equal(i < 8 ? pixels[i] : DiffusionImageEdit.MaskedGrey, shown[i]);
        Assert.Equal([3L, 1, 4, 4], result.Results.shape);
        var all = result.InputThenResults();
        Assert.Equal([4L, 1, 4, 4], all.shape);
        Assert.True(all[0].equal(result.Input[0]).all().item<bool>());
    }

    [Fact]
    public void Image_to_image_shows_the_input_unchanged_and_without_an_image_is_a_usage_error()
    {
        using var scope = torch.NewDisposeScope();
        var model = new RecordingGenerator();
        var image = torch.rand(1, 1, 4, 4, generator: torch.manual_seed(1));
        var result = DiffusionImageEdit.Run(model, new DiffusionRequest { Count = 2, Image = image, Strength = 0.4 });
        Assert.True(result.Input.equal(image).all().item<bool>());
        Assert.Equal(0.4, model.Seen!.Strength);
        Assert.Equal("Image", Assert.Throws<LoomUsageException>(() => DiffusionImageEdit.Run(model, new DiffusionRequest())).Option);
    }
}
