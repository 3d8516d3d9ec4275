using Loom.IO.Images;
using Loom.Tests.Server;
using Loom.Tests.Support;
using Loom.Watermarks.Images;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Loom.Tests.Watermarks.Images;

/// <summary><c>loom watermark-image</c> and the default watermark of <c>loom sample</c> through the real binary.</summary>
public class ImageWatermarkCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-imagemark-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(string name) => Path.Combine(work, name);

    /// <summary>A smooth seeded RGB image [3,32,32] in [0.1, 0.9].</summary>
    private static Tensor SmoothImage(long seed)
    {
        var coarse = rand([1, 3, 4, 4], generator: new Generator((ulong)seed)) * 0.8 + 0.1;
        return nn.functional.interpolate(coarse, [32, 32], mode: InterpolationMode.Bilinear, align_corners: false)[0];
    }

    [Fact]
    public void Detects_what_the_library_marked_in_another_process_and_nothing_in_a_clean_image_or_under_another_key()
    {
        using var scope = NewDisposeScope();
        var image = SmoothImage(3);
        Png.Write(In("clean.png"), image);
        Png.Write(In("marked.png"), new ImageWatermarker(new ImageWatermarkOptions()).Embed(image));

        var marked = Loom("watermark-image", "detect", "marked.png");
        Assert.True(marked.ExitCode == 0, marked.ToString());
        Assert.Contains("marked.png: watermark detected: 32/32 bits match (bit accuracy 100.0 %", marked.Stdout);
        var clean = Loom("watermark-image", "detect", "clean.png");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("clean.png: no watermark", clean.Stdout);
        Assert.Contains("no watermark", Loom("watermark-image", "detect", "marked.png", "--key", "secret").Stdout);

        var embedded = Loom("watermark-image", "embed", "clean.png", "--key", "secret", "--out", "secret.png");
        Assert.True(embedded.ExitCode == 0, embedded.ToString());
        Assert.Contains("wrote secret.png (PSNR", embedded.Stdout);
        Assert.Contains("watermark detected", Loom("watermark-image", "detect", "secret.png", "--key", "secret").Stdout);
        Assert.Contains("no watermark", Loom("watermark-image", "detect", "secret.png").Stdout);
    }

    [Fact]
    public void Sample_marks_generated_images_by_default_and_not_with_no_watermark()
    {
        TinyServedModels.SaveAll(In("store"));
        string gan = Path.Combine("store", TinyServedModels.Gan);
        var sampled = Loom("sample", gan, "--n", "4", "--seed", "3", "--out", "grid.png");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        Assert.Contains("loom: the images carry an invisible watermark (32 bits, the public key 'loom')", sampled.Stderr);

        var whole = Loom("watermark-image", "detect", "grid.png");
        Assert.Contains("this looks like a sample grid", whole.Stdout);
        var tiles = Loom("watermark-image", "detect", "grid.png", "--tile", "28");
        Assert.True(tiles.ExitCode == 0, tiles.ToString());
        Assert.Contains("grid.png: 4 of 4 images carry the watermark", tiles.Stdout);

        var unmarked = Loom("sample", gan, "--n", "4", "--seed", "3", "--no-image-watermark", "--out", "plain.png");
        Assert.True(unmarked.ExitCode == 0, unmarked.ToString());
        Assert.DoesNotContain("watermark", unmarked.Stderr);
        var plain = Loom("watermark-image", "detect", "plain.png", "--tile", "28");
        Assert.Contains("plain.png: 0 of 4 images carry the watermark", plain.Stdout);

        var keyed = Loom("sample", gan, "--n", "4", "--seed", "3", "--image-watermark-key", "k2", "--out", "keyed.png");
        Assert.Contains("your key", keyed.Stderr);
        Assert.Contains("4 of 4 images", Loom("watermark-image", "detect", "keyed.png", "--tile", "28", "--key", "k2").Stdout);
    }

    [Fact]
    public void Bad_input_is_one_line()
    {
        using var scope = NewDisposeScope();
        Png.Write(In("small.png"), rand(1, 12, 12));
        Png.Write(In("ok.png"), SmoothImage(1));
        File.WriteAllText(In("text.png"), "not an image");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "missing.png"), 1, "does not exist");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "text.png"), 1, "not a PNG");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "small.png"), 1, "too small");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "ok.png", "--tile", "2x"), 2, "--tile");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "ok.png", "--tile", "8"), 2, "too small");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "ok.png", "--tile", "40"), 1, "holds no 40×40 tile");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "ok.png", "--key", ""), 2, "--key");
        CliAssert.OneLineError(Loom("watermark-image", "embed", "ok.png", "--strength", "0", "--out", "x.png"), 2, "--strength");
        CliAssert.OneLineError(Loom("watermark-image", "detect", "ok.png", "--payload-bits", "4"), 2, "--payload-bits");
        CliAssert.OneLineError(Loom("sample", "nowhere", "--image-watermark-key", "", "--out", "x.png"), 2, "--image-watermark-key");
    }
}
