using System.CommandLine;
using System.Globalization;
using Loom.Core;
using Loom.Watermarks.Images;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom watermark-image detect PNG [--key K] [--tile H[xW]]</c>: looks for the invisible image watermark
/// (<see cref="ImageWatermarkDetector"/>) and prints matching bits, bit accuracy, p-value and the verdict; <c>--tile</c>
/// checks each image of a grid that <c>loom sample</c> wrote. <c>loom watermark-image embed PNG --out OUT</c> marks an
/// image. The key defaults to <c>LOOM_IMAGE_WATERMARK_KEY</c>, else the public key <c>loom</c>.
/// </summary>
public static class ImageWatermarkCommand
{
    public static Command Create()
    {
        var command = new Command("watermark-image", "Detect or embed the invisible watermark of generated images");
        command.Subcommands.Add(Detect());
        command.Subcommands.Add(Embed());
        return command;
    }

    private static Option<string?> KeyOption() => new("--key")
    {
        Description = $"The watermark key (default: ${ImageWatermarkOptions.KeyVariable}, else '{ImageWatermarkOptions.DefaultKey}')"
    };

    private static Option<int> BitsOption() => new("--payload-bits")
    {
        Description = "Payload bits (as the image was marked with)", DefaultValueFactory = _ => new ImageWatermarkOptions().PayloadBits
    };

    private static Command Detect()
    {
        var image = new Argument<string>("png") { Description = "The PNG image to check" };
        var key = KeyOption();
        var tile = new Option<string?>("--tile")
        {
            Description = "The PNG is a sample grid (loom sample --out grid.png) of H×W images: check each, e.g. --tile 28"
        };
        var bits = BitsOption();
        var rate = new Option<double>("--false-positive-rate")
        {
            Description = "Chance an unmarked image is called marked (sets the threshold)",
            DefaultValueFactory = _ => new ImageWatermarkOptions().FalsePositiveRate
        };
        var command = new Command("detect", "Look for the invisible watermark in a PNG") { image, key, tile, bits, rate };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = Options(parse.GetValue(key), defaults => new ImageWatermarkOptions
            {
                Key = defaults.Key, PayloadBits = parse.GetValue(bits), FalsePositiveRate = parse.GetValue(rate),
            });
            string path = parse.GetValue(image)!;
            if (parse.GetValue(tile) is { } spec)
            {
                var (h, w) = ParseTile(spec);
                var results = ImageWatermarkFiles.DetectTiles(path, h, w, options);
                for (int i = 0; i < results.Count; i++)
                    console.WriteLine($"image {i + 1}: {Describe(results[i])}");
                console.WriteLine($"{path}: {results.Count(r => r.Detected)} of {results.Count} images carry the watermark");
                return 0;
            }
            var found = ImageWatermarkFiles.Detect(path, options);
            console.WriteLine($"{path}: {Describe(found.Detection)}");
            if (found.LooksLikeSampleGrid)
                console.WriteLine("this looks like a sample grid (white frame): each image carries its own mark; "
                    + "check them with --tile H[xW], e.g. --tile 28");
            return 0;
        });
        return command;
    }

    private static Command Embed()
    {
        var image = new Argument<string>("png") { Description = "The PNG image to mark" };
        var key = KeyOption();
        var output = CliOptions.Out("Where to write the marked PNG");
        var strength = new Option<double>("--strength")
        {
            Description = "Quantisation step (larger: more robust, more visible)",
            DefaultValueFactory = _ => new ImageWatermarkOptions().Strength
        };
        var bits = BitsOption();
        var iterations = new Option<int>("--iterations")
        {
            Description = "Embed, clip, re-embed passes", DefaultValueFactory = _ => new ImageWatermarkOptions().Iterations
        };
        var command = new Command("embed", "Put the invisible watermark on a PNG") { image, key, output, strength, bits, iterations };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = Options(parse.GetValue(key), defaults => new ImageWatermarkOptions
            {
                Key = defaults.Key, Strength = parse.GetValue(strength), PayloadBits = parse.GetValue(bits),
                Iterations = parse.GetValue(iterations),
            });
            string path = parse.GetValue(image)!, target = parse.GetValue(output)!;
            double psnr = ImageWatermarkFiles.Embed(path, target, options);
            console.WriteLine($"wrote {target} (PSNR {psnr:F1} dB against {path})");
            return 0;
        });
        return command;
    }

    /// <summary>The options the flags ask for, the key from --key, LOOM_IMAGE_WATERMARK_KEY or the default; checked (the CLI shows
    /// an option's error under its flag).</summary>
    private static ImageWatermarkOptions Options(string? key, Func<ImageWatermarkOptions, ImageWatermarkOptions> configure)
    {
        if (key is "")
            throw new LoomUsageException("--key: the key is empty");
        var options = configure(ImageWatermarkOptions.WithKey(key));
        options.Validate();
        return options;
    }

    private static string Describe(ImageWatermarkDetection r) =>
        $"{(r.Detected ? "watermark detected" : "no watermark")}: {r.MatchingBits}/{r.PayloadBits} bits match "
        + $"(bit accuracy {r.BitAccuracy.ToString("P1", CultureInfo.InvariantCulture)}, threshold {r.Threshold}), "
        + $"p-value {r.PValue.ToString("G3", CultureInfo.InvariantCulture)}";

    private static (int Height, int Width) ParseTile(string spec)
    {
        var parts = spec.ToLowerInvariant().Split('x');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0))
        {
            int h = int.Parse(parts[0], CultureInfo.InvariantCulture);
            return (h, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : h);
        }
        throw new LoomUsageException($"--tile: expected the image size as H or HxW, e.g. 28 or 32x32, got '{spec}'");
    }

}
