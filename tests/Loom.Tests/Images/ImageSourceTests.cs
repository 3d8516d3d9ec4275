using Loom.Core;
using Loom.Data;
using Loom.IO.Images;
using Loom.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Images;

/// <summary>
/// Model input images: PNGs converted to the model's channels, Fashion-MNIST test images by index and by class, folders
/// of PNGs in name order, and typed errors naming the option the source came from.
/// </summary>
public sealed class ImageSourceTests : IDisposable
{
    private readonly TempFolder work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public void A_colour_png_becomes_the_models_grey_channel()
    {
        using var colour = torch.rand(3, 6, 5, generator: new Generator(3));
        Png.Write(work.File("c.png"), colour);
        using var grey = ImageSource.Read(work.File("c.png"), [1, 6, 5]);
        Assert.Equal(new long[] { 1, 1, 6, 5 }, grey.shape);
        using var expected = Png.Read(work.File("c.png")).mean([0], keepdim: true).unsqueeze(0);
        Assert.True(grey.allclose(expected));
        using var asColour = ImageSource.Read(work.File("c.png"), [3, 6, 5]);
        Assert.Equal(new long[] { 1, 3, 6, 5 }, asColour.shape);
    }

    [Fact]
    public void Fashion_mnist_images_by_index_and_by_class()
    {
        using var test = FashionMnist.Load(FashionMnistSplit.Test);
        using var third = ImageSource.Read("fashion-mnist:2", [1, 28, 28]);
        Assert.True(third.squeeze(0).equal(test.Images[2]).all().item<bool>());
        using var thirdInColour = ImageSource.Read("fashion-mnist:2", [3, 28, 28]);
        Assert.Equal(new long[] { 1, 3, 28, 28 }, thirdInColour.shape);
        Assert.True(thirdInColour[0, 2].equal(test.Images[2][0]).all().item<bool>());

        using var trousers = ImageSource.ReadBatch("fashion-mnist-test:trouser", 3, [1, 28, 28]);
        Assert.Equal(new long[] { 3, 1, 28, 28 }, trousers.shape);
        using var firstTrousers = torch.nonzero(test.Labels.eq(1)).flatten().narrow(0, 0, 3);
        using var expected = test.Images.index_select(0, firstTrousers);
        Assert.True(trousers.equal(expected).all().item<bool>());
    }

    [Fact]
    public void A_folder_is_read_in_name_order()
    {
        Directory.CreateDirectory(work.File("pngs"));
        for (int i = 0; i < 3; i++) Png.Write(work.File($"pngs/{(char)('c' - i)}.png"), torch.full(1, 4, 4, i / 2.0));
        using var batch = ImageSource.ReadBatch(work.File("pngs"), 2, [1, 4, 4]);
        Assert.Equal(new long[] { 2, 1, 4, 4 }, batch.shape);
        Assert.Equal(1.0f, batch[0].mean().item<float>(), 2);   // a.png, written last
        Assert.Equal(0.5f, batch[1].mean().item<float>(), 2);
    }

    [Fact]
    public void Bad_sources_name_the_option()
    {
        Png.Write(work.File("small.png"), torch.zeros(1, 4, 4));
        Assert.Equal("From", Assert.Throws<LoomUsageException>(() => ImageSource.Read(work.File("small.png"), [1, 28, 28], "From")).Option);
        Assert.Equal("Image", Assert.Throws<LoomUsageException>(() => ImageSource.Read("fashion-mnist:x", [1, 28, 28])).Option);
        Assert.Equal("Image", Assert.Throws<LoomUsageException>(() => ImageSource.Read("fashion-mnist:10000", [1, 28, 28])).Option);
        Assert.Equal("Image", Assert.Throws<LoomUsageException>(() => ImageSource.Read("fashion-mnist:0", [2], images: false)).Option);
        Assert.Equal("Images", Assert.Throws<LoomUsageException>(() => ImageSource.ReadBatch(work.File("none"), 2, [1, 4, 4])).Option);
        Directory.CreateDirectory(work.File("empty"));
        Assert.Equal("Images", Assert.Throws<LoomDataException>(() => ImageSource.ReadBatch(work.File("empty"), 2, [1, 4, 4])).Option);
        Assert.Equal("Images", Assert.Throws<LoomUsageException>(() =>
            ImageSource.ReadBatch("fashion-mnist-test:hats", 2, [1, 28, 28])).Option);
    }
}
