using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;

namespace Loom.Models.PixelCnn;

/// <summary>
/// Everything that defines a trained PixelCNN apart from its weights (saved as config.json): the output head, the
/// stacks' width and depth, the kernels, the image size and the classes of a conditional model.
/// </summary>
public sealed record PixelCnnConfig
{
    public PixelCnnHead Head { get; init; } = PixelCnnHead.Binary;
    /// <summary>Channels of the vertical and horizontal stacks.</summary>
    public int Channels { get; init; } = 64;
    /// <summary>Gated layers, the first one mask A.</summary>
    public int Layers { get; init; } = 8;
    /// <summary>Kernel width of the first layer (odd, at least 3).</summary>
    public int FirstKernel { get; init; } = 7;
    /// <summary>Kernel width of the later layers (odd, at least 3).</summary>
    public int Kernel { get; init; } = 3;
    /// <summary>Hidden channels of the 1×1 output network.</summary>
    public int OutputHidden { get; init; } = 64;
    public int Height { get; init; } = 28;
    public int Width { get; init; } = 28;
    /// <summary>Class names of a conditional model; empty = unconditional.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];
    public string DataName { get; init; } = "";

    public int NumClasses => ClassNames.Count;

    /// <summary>Pixels per image (grey, one channel).</summary>
    public int Dimensions => Height * Width;

    public ImageShape Image => new(1, Height, Width);

    /// <summary>Checks the values; errors name the recipe property.</summary>
    public void Validate()
    {
        if (Channels is < 1 or > 4096) throw LoomUsageException.ForOption(nameof(Channels), $"must be 1 to 4096, got {Channels}");
        if (Layers is < 1 or > 256) throw LoomUsageException.ForOption(nameof(Layers), $"must be 1 to 256, got {Layers}");
        if (OutputHidden is < 1 or > 4096)
            throw LoomUsageException.ForOption(nameof(OutputHidden), $"must be 1 to 4096, got {OutputHidden}");
        CheckKernel(nameof(FirstKernel), FirstKernel);
        CheckKernel(nameof(Kernel), Kernel);
        if (Height is < 1 or > 1024 || Width is < 1 or > 1024)
            throw new LoomDataException($"a PixelCNN's images must be 1 to 1024 pixels a side, got {Height}×{Width}");
    }

    private static void CheckKernel(string name, int kernel)
    {
        if (kernel is < 3 or > 31 || kernel % 2 == 0)
            throw LoomUsageException.ForOption(name, $"must be odd, 3 to 31, got {kernel}");
    }

    public JsonObject ToJson() => new()
    {
        ["head"] = Head.Name(), ["channels"] = Channels, ["layers"] = Layers, ["first_kernel"] = FirstKernel, ["kernel"] = Kernel,
        ["output_hidden"] = OutputHidden, ["height"] = Height, ["width"] = Width,
        ["class_names"] = new JsonArray(ClassNames.Select(c => (JsonNode)c).ToArray()), ["data"] = DataName,
    };

    public static PixelCnnConfig FromJson(JsonObject json)
    {
        try
        {
            var v = new ConfigValues(json);
            var config = new PixelCnnConfig
            {
                Head = PixelCnnHeads.Parse(v.String("head")), Channels = v.Int("channels", 1, 4096), Layers = v.Int("layers", 1, 256),
                FirstKernel = v.Int("first_kernel", 3, 31), Kernel = v.Int("kernel", 3, 31), OutputHidden = v.Int("output_hidden", 1, 4096),
                Height = v.Int("height", 1, 1024), Width = v.Int("width", 1, 1024), ClassNames = v.Strings("class_names", []),
                DataName = v.String("data", ""),
            };
            config.Validate();
            return config;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException
            or LoomUsageException)
        {
            throw new LoomDataException($"pixelcnn config.json is incomplete or malformed: {e.Message}");
        }
    }
}
