using System.Globalization;
using Loom.Audio;
using Loom.Core;
using Loom.Data.Audio;
using Loom.Evaluation.Audio;
using Loom.IO.Checkpoints;
using Loom.Models;
using TorchSharp;

namespace Loom.Bench;

/// <summary>
/// <c>wavenet-digits --model CKPT [--per-digit 10] [--length L] [--temperature 1] [--seed 1] [--out DIR] [--threads 1]</c>:
/// is a digit-conditional WaveNet's "three" heard as a three? A <see cref="SpectrogramClassifier"/> is fitted to the
/// real spoken-digits train clips and scored on the test split (held-out speaker settings), also after a μ-law round
/// trip (the WaveNet's output passes through one); then the checkpoint draws <c>--per-digit</c> clips of L samples for
/// each digit (L defaults to the median training clip; <c>--length per-digit</c> takes the median training clip of each
/// digit, the pace a model with a timeline then speaks at) and the classifier's verdicts are counted per digit. With
/// <c>--out</c> the first clip of each digit is written as WAV and as a spectrogram PNG.
/// </summary>
public static class WaveNetDigitsBench
{
    public static int Run(string[] args)
    {
        var checkpoint = BenchSupport.StringOption(args, "--model")
            ?? throw new ArgumentException("wavenet-digits: --model CKPT (a digit-conditional wavenet) is required");
        int perDigit = BenchSupport.Option(args, "--per-digit", 10), seed = BenchSupport.Option(args, "--seed", 1);
        double temperature = double.Parse(BenchSupport.StringOption(args, "--temperature") ?? "1", CultureInfo.InvariantCulture);
        var output = BenchSupport.StringOption(args, "--out");
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(BenchSupport.Option(args, "--threads", 1));

        var index = SpokenDigits.ResolveIndex(SpokenDigits.Name);
        var train = SpokenDigits.Load(index, SpokenDigits.TrainSplit);
        var test = SpokenDigits.Load(index, SpokenDigits.TestSplit);
        var trainClips = train.Select(c => c.Clip).ToList();
        var trainDigits = train.Select(c => c.Row.Digit).ToList();
        var classifier = SpectrogramClassifier.Train(trainClips, trainDigits, 10);
        var testClips = test.Select(c => c.Clip).ToList();
        var testDigits = test.Select(c => c.Row.Digit).ToList();
        var roundTrip = testClips.Select(c => new AudioClip(MuLaw.Decode(MuLaw.Encode(c.Samples)), c.SampleRate)).ToList();
        string trainAccuracy = Percent(classifier.Accuracy(trainClips, trainDigits));
        string testAccuracy = Percent(classifier.Accuracy(testClips, testDigits));
        string roundTripAccuracy = Percent(classifier.Accuracy(roundTrip, testDigits));
        Console.WriteLine($"classifier on real clips: train {trainAccuracy} ({train.Count}), test {testAccuracy} ({test.Count}, "
            + $"held-out speakers), test after a mu-law round trip {roundTripAccuracy}");

        bool perDigitLength = BenchSupport.StringOption(args, "--length") == "per-digit";
        int length = perDigitLength ? 0 : BenchSupport.Option(args, "--length", MedianLength(train.Select(c => c.Clip)));
        using var model = Checkpoint.Load(checkpoint);
        if (model.GetService<IConditionalModel>() is not { NumClasses: 10 })
            throw new ArgumentException($"wavenet-digits: {checkpoint} is not a digit-conditional model (10 classes)");
        if (output is not null) Directory.CreateDirectory(output);
        Console.WriteLine($"| digit | clips | recognised | heard as (counts) | length |");
        Console.WriteLine("|---|---|---|---|---|");
        int recognisedTotal = 0;
        for (int digit = 0; digit < 10; digit++)
        {
            int digitLength = perDigitLength ? MedianLength(train.Where(c => c.Row.Digit == digit).Select(c => c.Clip)) : length;
            var request = new SampleRequest
            {
                Count = perDigit, Class = digit, Length = digitLength, Temperature = temperature, Seed = seed + digit,
            };
            var clips = ((AudioSamples)model.Sample(request)).Clips;
            var heard = clips.Select(classifier.Predict).ToList();
            int recognised = heard.Count(h => h == digit);
            recognisedTotal += recognised;
            var counts = heard.GroupBy(h => h).OrderByDescending(g => g.Count()).Select(g => $"{g.Key}×{g.Count()}");
            Console.WriteLine($"| {digit} ({SpokenDigits.Words[digit]}) | {perDigit} | {recognised} | {string.Join(", ", counts)} | "
                + $"{digitLength} samples |");
            if (output is null) continue;
            WavFile.Write(Path.Combine(output, $"digit-{digit}.wav"), clips[0]);
            SpectrogramPng.Write(Path.Combine(output, $"digit-{digit}.png"), clips[0]);
        }
        Console.WriteLine($"recognised as the requested digit: {recognisedTotal} of {10 * perDigit} = "
            + $"{Percent((double)recognisedTotal / (10 * perDigit))} (chance 10%; "
            + (perDigitLength ? "each digit's median training length" : $"{length} samples per clip") + $", temperature {temperature})");
        return 0;
    }

    private static int MedianLength(IEnumerable<AudioClip> clips)
    {
        var lengths = clips.Select(c => c.Samples.Length).Order().ToList();
        return lengths[lengths.Count / 2];
    }

    private static string Percent(double fraction) => (100 * fraction).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
