using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adversarial.CycleGan;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom translate CKPT --image IN --out OUT.png [--direction a2b|b2a] [--cycle]</c>: translates an image (or with
/// <c>--images</c> a batch) from one domain of a CycleGAN to the other. Without <c>--cycle</c> the PNG holds the
/// translation (a grid for a batch); with it, one row per image: original | translated | reconstructed.
/// </summary>
public static class TranslateCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var image = new Option<string?>("--image") { Description = "Input: a PNG of the model's size, or fashion-mnist:N (test image N)" };
        var images = new Option<string?>("--images")
        {
            Description = "Batch input: fashion-mnist-test:CLASS (test images of a class, by index or name) or a folder of PNGs"
        };
        var count = new Option<int>("--n") { Description = "With --images: how many images (the first N)", DefaultValueFactory = _ => 16 };
        var direction = new Option<string>("--direction") { Description = "a2b (G_AB) or b2a (G_BA)", DefaultValueFactory = _ => "a2b" };
        var cycle = new Option<bool>("--cycle") { Description = "Also translate back: rows of original | translated | reconstructed" };
        var device = CliOptions.Device();
        var output = CliOptions.Out(
            "Output: .png (one image, or a grid), or .safetensors (translated images, with the target class as labels for loom eval)");
        var command = new Command("translate", "Translate images between the two domains of a CycleGAN")
        {
            checkpoint, image, images, count, direction, cycle, device, output,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var outPath = parse.GetValue(output)!;
            var job = new ImageTranslationJob
            {
                Image = parse.GetValue(image), Images = parse.GetValue(images), Count = parse.GetValue(count),
                Direction = TranslationDirections.Parse(parse.GetValue(direction)!), Cycle = parse.GetValue(cycle),
            };
            job.Validate(outPath);
            var folder = parse.GetValue(checkpoint)!;
            var (kind, _) = Checkpoint.ReadConfig(folder);
            if (kind != CycleGanModel.KindName)
                throw new LoomUsageException($"translate: needs a cyclegan checkpoint; {folder} holds a '{kind}' model");
            using var loaded = Checkpoint.Load(folder, DeviceSelector.Parse(parse.GetValue(device)));
            var model = loaded.GetService<IImageTranslator>()
                ?? throw new LoomUsageException($"translate: a '{loaded.Kind}' model does not translate images");
            int inputs = ImageTranslationFile.Write(model, job, outPath);
            var way = job.Direction;
            string from = ImageTranslations.SourceDomain(model, way);
            console.WriteLine($"wrote {outPath} ({inputs} image{(inputs == 1 ? "" : "s")}, {from} → "
                + $"{model.TargetDomain(way)}{(parse.GetValue(cycle) ? " → back" : "")})");
            return 0;
        });
        return command;
    }
}
