using System.CommandLine;
using Loom.Watermarks.Images;

namespace Loom.Cli.Commands;

/// <summary>
/// The image watermark flags of <c>loom sample</c> and <c>loom serve</c>, mapped onto <see cref="ImageWatermarkOptions"/>:
/// generated images are marked by default; the key comes from <c>--image-watermark-key</c>, else <c>LOOM_IMAGE_WATERMARK_KEY</c>, else
/// the public key <c>loom</c>.
/// </summary>
public sealed class ImageWatermarkCliOptions
{
    public Option<bool> Off { get; } =
        new("--no-image-watermark") { Description = "Do not put the invisible watermark on generated images" };
    public Option<string?> Key { get; } = new("--image-watermark-key")
    {
        Description = $"Image watermark key (default: ${ImageWatermarkOptions.KeyVariable}, else the public key "
            + $"'{ImageWatermarkOptions.DefaultKey}', which anyone can detect and remove)"
    };

    public IEnumerable<Option> All => [Off, Key];

    /// <summary>The watermark the flags ask for (checked).</summary>
    public ImageWatermarkOptions Build(ParseResult parse)
    {
        var options = ImageWatermarkOptions.WithKey(parse.GetValue(Key), enabled: !parse.GetValue(Off));
        if (parse.GetValue(Key) is "")
            throw new Core.LoomUsageException("--image-watermark-key: the key is empty");
        options.Validate();
        return options;
    }

    /// <summary>The line <c>loom sample</c> prints on stderr when it marked images.</summary>
    public static string MarkedNote(ImageWatermarkOptions options) =>
        $"loom: the images carry an invisible watermark ({options.PayloadBits} bits, "
        + (options.Key == ImageWatermarkOptions.DefaultKey ? $"the public key '{ImageWatermarkOptions.DefaultKey}'" : "your key")
        + "); check one with 'loom watermark-image detect PNG', turn it off with --no-image-watermark";
}
