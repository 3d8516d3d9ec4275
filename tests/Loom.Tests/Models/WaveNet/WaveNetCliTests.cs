using System.Text.Json.Nodes;
using Loom.Audio;
using Loom.Data.Audio;
using Loom.Evaluation.Audio;
using Loom.Tests.Audio;
using Loom.Tests.Support;

namespace Loom.Tests.Models.WaveNet;

/// <summary>
/// <c>loom train wavenet</c> → <c>sample --class</c> → <c>score</c> through the real binary on a tiny spoken-digits folder
/// (synthesized with espeak-ng), <c>eval</c> with the digit classifier, resume, and bad input.
/// </summary>
public class WaveNetCliTests
{
    private readonly string work = RepoPaths.NewTempDir("loom-wavenet-cli");

    private CliRunner.Result Loom(params string[] args) => CliRunner.Run(work, args);

    private string In(string name) => Path.Combine(work, name);

    private static readonly string[] Tiny =
    [
        "--residual-channels", "4", "--skip-channels", "8", "--layers-per-stack", "3", "--stacks", "1", "--window", "64",
        "--batch-size", "2", "--preview-length", "40", "--preview-samples", "1", "--seed", "1",
    ];

    private void WriteDigits()
    {
        Assert.True(SpokenDigits.FindProgram() is not null, "espeak-ng is not installed; run 'bash build/setup.sh --tests'");
        SpokenDigits.WriteTo(In("digits"), new SpokenDigitsOptions
        {
            Voices = ["en-us"], Variants = ["", "m3"], Pitches = [50], Speeds = [175], TestEvery = 2,
        });
    }

    [Fact]
    public void TrainSampleScoreRoundTrip()
    {
        WriteDigits();
        var train = Loom(["train", "wavenet", "--data", "digits", .. Tiny, "--steps", "4", "--eval-clips", "3", "--out", "ckpt"]);
        Assert.True(train.ExitCode == 0, train.ToString());
        Assert.Contains("test_bits_per_sample", train.Stdout);
        Assert.True(File.Exists(In("ckpt/samples/0_zero.wav")));
        Assert.True(File.Exists(In("ckpt/samples/0_zero.png")));

        var sample = Loom("sample", "ckpt", "--n", "1", "--class", "3", "--length", "120", "--seed", "4", "--out", "x.wav");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        var clip = WavFile.Read(In("x.wav"));
        Assert.Equal((120, 8000), (clip.Samples.Length, clip.SampleRate));
        Assert.Contains("120 samples", SoxPeer.Run("--i", In("x.wav")));
        Assert.True(File.Exists(In("x.png")));
        var again = Loom("sample", "ckpt", "--n", "1", "--class", "3", "--length", "120", "--seed", "4", "--out", "y.wav");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(File.ReadAllBytes(In("x.wav")), File.ReadAllBytes(In("y.wav")));
        var two = Loom("sample", "ckpt", "--n", "2", "--length", "30", "--out", "many.wav");
        Assert.True(two.ExitCode == 0, two.ToString());
        Assert.True(File.Exists(In("many-1.wav")) && File.Exists(In("many-2.wav")));

        var score = Loom("score", "ckpt", "--data", "digits");
        Assert.True(score.ExitCode == 0, score.ToString());
        long testSamples = SpokenDigits.Load(In("digits/index.csv"), SpokenDigits.TestSplit).Sum(c => c.Clip.Samples.Length);
        Assert.Contains($"units          {testSamples} samples", score.Stdout);
        Assert.Contains("bits_per_sample", score.Stdout);
    }

    [Fact]
    public void EvalJudgesTheClipsWithAClassifierFittedToTheTrainSplit()
    {
        WriteDigits();
        var train = Loom(["train", "wavenet", "--data", "digits", .. Tiny, "--steps", "2", "--eval-clips", "0", "--out", "ckpt"]);
        Assert.True(train.ExitCode == 0, train.ToString());
        var eval = Loom("eval", "ckpt", "--data", "digits", "--audio-clips", "10", "--audio-length", "300", "--out", "ev");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        var result = JsonNode.Parse(File.ReadAllText(In("ev/metrics.json")))!["results"]![0]!;
        Assert.Equal(10, result["samples"]!.GetValue<int>());
        var metrics = result["metrics"]!;
        Assert.InRange(metrics["class_accuracy"]!.GetValue<double>(), 0.0, 1.0);
        Assert.True(metrics["bits_per_sample"]!.GetValue<double>() > 0);
        Assert.Equal(300 / 8000.0, metrics["mean_clip_seconds"]!.GetValue<double>(), 9);
        // The reference figure is the same classifier, fitted here to the same train split, on the real test clips.
        var index = In("digits/index.csv");
        var trainClips = SpokenDigits.Load(index, SpokenDigits.TrainSplit);
        var testClips = SpokenDigits.Load(index, SpokenDigits.TestSplit);
        var classifier = SpectrogramClassifier.Train(
            trainClips.Select(c => c.Clip).ToList(), trainClips.Select(c => c.Row.Digit).ToList(), 10);
        double expected = classifier.Accuracy(testClips.Select(c => c.Clip).ToList(), testClips.Select(c => c.Row.Digit).ToList());
        Assert.Equal(expected, metrics["real_test_accuracy"]!.GetValue<double>(), 12);
        // One clip per requested class, as a player and a spectrogram in the report.
        var html = File.ReadAllText(In("ev/report.html"));
        Assert.Equal(10, html.Split("<audio controls src=\"data:audio/wav;base64,").Length - 1);
        Assert.Equal(10, html.Split("></audio><br/><img alt=").Length - 1);   // each spectrogram under its player
        Assert.Equal(300, WavFile.Read(In("ev/ckpt-clip-0.wav")).Samples.Length);
        Assert.True(File.Exists(In("ev/ckpt-clip-0.png")));
        CliAssert.OneLineError(Loom("eval", "ckpt", "--data", "digits", "--audio-length", "0", "--out", "ev2"), 2, "--audio-length");

        // WAV files from loom sample, judged as files: each carries the class it was drawn for as its title.
        var sampled = Loom("sample", "ckpt", "--n", "10", "--length", "300", "--seed", "2", "--out", "clips/c.wav");
        Assert.True(sampled.ExitCode == 0, sampled.ToString());
        Assert.Equal("three", WavFile.ReadTitle(In("clips/c-4.wav")));
        var files = Loom("eval", "clips", "--data", "digits", "--out", "ev3");
        Assert.True(files.ExitCode == 0, files.ToString());
        var fileMetrics = JsonNode.Parse(File.ReadAllText(In("ev3/metrics.json")))!["results"]![0]!["metrics"]!;
        var clips = AudioSampleFiles.Read(In("clips"));
        var digits = clips.Labels!.Select(l => SpokenDigits.Words.ToList().IndexOf(clips.ClassNames![l])).ToList();
        Assert.Equal(classifier.Accuracy(clips.Clips, digits), fileMetrics["class_accuracy"]!.GetValue<double>(), 12);
        Assert.Equal(expected, fileMetrics["real_test_accuracy"]!.GetValue<double>(), 12);
    }

    [Fact]
    public void AStoppedRunResumesToMoreSteps()
    {
        WriteDigits();
        string[] args = ["train", "wavenet", "--data", "digits", .. Tiny, "--eval-clips", "0", "--checkpoint-every", "2", "--out", "run"];
        var first = Loom([.. args, "--steps", "2"]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var resumed = Loom([.. args, "--steps", "4", "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("steps                    4", resumed.Stdout);
        Assert.Contains("kind      wavenet", Loom("info", "run").Stdout);
        var config = JsonNode.Parse(File.ReadAllText(In("run/config.json")))!;
        Assert.Equal(16, config["config"]!["timeline_features"]!.GetValue<int>());
        var sample = Loom("sample", "run", "--n", "1", "--class", "7", "--length", "90", "--out", "seven.wav");
        Assert.True(sample.ExitCode == 0, sample.ToString());
        Assert.Equal(90, WavFile.Read(In("seven.wav")).Samples.Length);

        // A run saved before the timeline existed (no "timeline" in its run.json) resumes without one.
        string[] old = ["train", "wavenet", "--data", "digits", .. Tiny, "--eval-clips", "0", "--checkpoint-every", "2", "--out", "old"];
        Assert.Equal(0, Loom([.. old, "--timeline", "false", "--steps", "2"]).ExitCode);
        var recipe = JsonNode.Parse(File.ReadAllText(In("old/run.json")))!.AsObject();
        Assert.True(recipe.Remove("timeline"));
        File.WriteAllText(In("old/run.json"), recipe.ToJsonString());
        var legacy = Loom([.. old, "--steps", "4", "--resume"]);
        Assert.True(legacy.ExitCode == 0, legacy.ToString());
        Assert.Equal(0, JsonNode.Parse(File.ReadAllText(In("old/config.json")))!["config"]!["timeline_features"]!.GetValue<int>());
    }

    [Fact]
    public void BadInputIsOneLine()
    {
        WriteDigits();
        CliAssert.OneLineError(Loom("train", "wavenet", "--data", "nowhere/x", "--steps", "1", "--out", "r1"), 1, "nowhere/x");
        CliAssert.OneLineError(Loom(["train", "wavenet", "--data", "digits", .. Tiny, "--window", "1", "--steps", "1", "--out", "r2"]),
            2, "window");
        var train = Loom(["train", "wavenet", "--data", "digits", .. Tiny, "--steps", "1", "--eval-clips", "0", "--out", "ok"]);
        Assert.True(train.ExitCode == 0, train.ToString());
        CliAssert.OneLineError(Loom("sample", "ok", "--class", "12", "--length", "5", "--out", "z.wav"), 2, "--class");
        CliAssert.OneLineError(Loom("sample", "ok", "--length", "5", "--out", "z.png"), 2, ".wav");
        File.WriteAllText(In("stereo.txt"), "not an index");
        CliAssert.OneLineError(Loom("score", "ok", "--data", "stereo.txt"), 1, "spoken-digits index");
    }
}
