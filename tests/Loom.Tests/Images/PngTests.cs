using Loom.Tests.Support;
using Loom.Core;
using Loom.IO.Images;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Tests.Images;

public class PngTests
{
    private static Tensor RandomBytes(long[] shape, long seed)
    {
        using var g = Seeding.Generator(seed, "png-test");
        return randint(0, 256, shape, ScalarType.Int64, generator: g).to(ScalarType.Byte);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(4)]
    public void ByteImagesRoundTripExactly(int channels)
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var image = RandomBytes([channels, 7, 11], 1);
        if (channels == 4)
            image[3].fill_(255).narrow(0, 0, 3).fill_(128); // partly transparent, rest opaque
        var path = dir.File("img.png");
        Png.Write(path, image);
        var back = Png.ReadBytes(path);
        Assert.Equal(new long[] { channels, 7, 11 }, back.shape);
        Assert.True(TensorCompare.Identical(image, back), "pixels differ after round trip");
        var asFloat = Png.Read(path);
        Assert.Equal(ScalarType.Float32, asFloat.dtype);
        Assert.True(TensorCompare.Identical(asFloat.mul(255).round().to(ScalarType.Byte), image));
    }

    [Fact]
    public void TwoDimensionalFloatImageIsClampedAndQuantised()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var image = tensor(new float[] { -0.5f, 0f, 0.5f, 1f, 2f, 0.2f }, [2L, 3]);
        var path = dir.File("grey.png");
        Png.Write(path, image);
        var back = Png.ReadBytes(path);
        Assert.Equal(new long[] { 1, 2, 3 }, back.shape);
        var expected = new byte[] { 0, 0, 128, 255, 255, 51 };
        Assert.Equal(expected, back.flatten().data<byte>().ToArray());
    }

    [Fact]
    public void WrittenFileIsAPngSkiaCanDecode()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var path = dir.File("rgb.png");
        Png.Write(path, rand(3, 9, 5));
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(5, bitmap.Width);
        Assert.Equal(9, bitmap.Height);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void BadInputsGiveOneLineErrors()
    {
        using var dir = new TempFolder();
        using var scope = NewDisposeScope();
        var missing = Assert.Throws<LoomDataException>(() => Png.Read(dir.File("nope.png")));
        Assert.Contains("does not exist", missing.Message);
        var text = dir.File("text.png");
        File.WriteAllText(text, "hello, not an image");
        var notPng = Assert.Throws<LoomDataException>(() => Png.Read(text));
        Assert.Contains("not a PNG", notPng.Message);
        var truncated = dir.File("trunc.png");
        Png.Write(truncated, rand(3, 8, 8));
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated).AsSpan(0, 40).ToArray());
        Assert.Throws<LoomDataException>(() => Png.Read(truncated));
        var shape = Assert.Throws<LoomDataException>(() => Png.Write(dir.File("x.png"), rand(2, 4, 4)));
        Assert.Contains("[2,4,4]", shape.Message);
        var nan = Assert.Throws<LoomDataException>(() => Png.Write(dir.File("n.png"), full(3, 4, 4, float.NaN)));
        Assert.Contains("NaN", nan.Message);
        Assert.Throws<LoomDataException>(() => Png.Write(dir.File("i.png"), zeros(3, 4, 4, ScalarType.Int32)));
        foreach (var e in new Exception[] { missing, notPng, shape, nan })
            Assert.DoesNotContain('\n', e.Message);
    }
}
