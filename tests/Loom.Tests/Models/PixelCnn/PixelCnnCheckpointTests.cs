using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.PixelCnn;
using Loom.Tests.Support;
using TorchSharp;

namespace Loom.Tests.Models.PixelCnn;

/// <summary>The tensors a PixelCNN holds, and its checkpoint round trip through the registry.</summary>
public class PixelCnnCheckpointTests
{
    [Theory]
    [InlineData(0, 8)]
    [InlineData(4, 10)]
    public void EachGatedLayerHoldsItsConvolutionsAndTheHeadTwoMore(int classes, int perLayer)
    {
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Byte, 5, 5, layers: 3, classes);
        var state = model.GetState();
        Assert.Equal(3 * perLayer + 4, state.Count);
        Assert.Equal([256L, 16, 1, 1], state.Single(kv => kv.Key.StartsWith("logits.weight", StringComparison.Ordinal)).Value.shape);
        // Layer 0 (mask A, first kernel 3): vertical 2 rows × 3 columns, horizontal 1 column strictly left of the pixel.
        Assert.Equal([32L, 1, 2, 3], state["layers.0.vertical.weight"].shape);
        Assert.Equal([32L, 1, 1, 1], state["layers.0.horizontal.weight"].shape);
        Assert.Equal([32L, 16, 1, 2], state["layers.1.horizontal.weight"].shape);
    }

    [Fact]
    public void ACheckpointLoadsBackToTheSameLikelihoods()
    {
        using var temp = new TempFolder();
        using var model = PixelCnnFixtures.Model(PixelCnnHead.Binary, 4, 5, layers: 2, classes: 2);
        Checkpoint.Save(temp.Path, model, new ModelCard());
        using var loaded = Checkpoint.Load(temp.Path);
        var back = Assert.IsType<PixelCnnModel>(loaded);
        Assert.Equal(model.Config with { ClassNames = [] }, back.Config with { ClassNames = [] });
        Assert.Equal(model.ClassNames, back.ClassNames);
        using var x = PixelCnnFixtures.Pixels(PixelCnnHead.Binary, 3, 4, 5, seed: 1);
        using var labels = torch.tensor(new long[] { 0, 1, 1 });
        Assert.True(model.PixelNll(x, labels).equal(back.PixelNll(x, labels)).all().item<bool>());
        Assert.Equal(2, loaded.GetService<IConditionalModel>()!.NumClasses);
        Assert.NotNull(loaded.GetService<ILikelihoodModel>());
    }

    [Fact]
    public void ABrokenConfigIsADataError()
    {
        var config = new PixelCnnConfig { Height = 4, Width = 4 }.ToJson();
        config["kernel"] = 4;
        var error = Assert.Throws<LoomDataException>(() => PixelCnnConfig.FromJson(config));
        Assert.Contains("kernel", error.Message, StringComparison.OrdinalIgnoreCase);
        config.Remove("kernel");
        Assert.Throws<LoomDataException>(() => PixelCnnConfig.FromJson(config));
    }
}
